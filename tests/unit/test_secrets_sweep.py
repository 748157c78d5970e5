"""Every error path, with a server (and a caller) echoing every secret in every shape: no
token, secret, API key or minted JWT reaches a message, a repr, a traceback or a log record.

The suite-wide sweep (``tests/conftest.py``) checks every test; this module makes sure each
kind of error is produced at least once with secrets in play, and checks them here too.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
from secrets_watch import exception_texts, leaks
from support import API_KEY, SECRET, FakeClock

from videosdk_async import (
    APIConnectionError,
    AsyncEncoderClient,
    ConfigurationError,
    DeleteOutcome,
    InvalidRequestError,
    JobFailedError,
    RetryPolicy,
    TimeoutPolicy,
    VideoSDKError,
    WaitTimeoutError,
)
from videosdk_async.auth import APIKeyAuth

OPAQUE = "vsdk_live_9f8e7d6c5b4a3210fedcba"  # no shape to recognise: only its value can be
JOB = "60531471e32e8e4eaea094fe"
Echo = Callable[[str], str]


def shapes() -> dict[str, Echo]:
    """How a server might echo a value ``v`` back."""
    return {
        "plain": lambda v: f"credentials {v} rejected",
        "after 1,570 spaces": lambda v: " " * 1570 + v,
        "after 5,000 characters": lambda v: "x" * 5000 + v,
        "json key": lambda v: json.dumps({"token": v, "message": "nope"}),
        "nested": lambda v: json.dumps({"error": {"detail": {"message": f"bad {v}"}}}),
        "bearer": lambda v: f"Authorization: Bearer {v}",
        "query": lambda v: f"GET /x?api_key={v}&secret={v}",
        "html": lambda v: f"<html><body><pre>{v}</pre></body></html>",
        "first half": lambda v: f"prefix {v[: len(v) // 2 + 6]} suffix",
        "last half": lambda v: f"prefix {v[len(v) // 2 - 6 :]} suffix",
        "newlines": lambda v: f"line one\n{v}\nline three",
    }


class Secrets:
    """The credentials in play: a fixed opaque token, or an API key + secret minting JWTs."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.minted: list[str] = []
        self.auth: APIKeyAuth | None = None
        if kind == "key":
            self.auth = APIKeyAuth(API_KEY, SECRET)
            original = self.auth.token

            def token() -> str:
                value = original()
                if value not in self.minted:
                    self.minted.append(value)
                return value

            self.auth.token = token  # type: ignore[method-assign]

    def all(self) -> list[str]:
        if self.kind == "key":
            return [SECRET, API_KEY, *self.minted]
        return [OPAQUE]

    def client(
        self, handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
    ) -> AsyncEncoderClient:
        clock = FakeClock()
        kwargs.setdefault("retry", RetryPolicy(2, sleep=clock.sleep, random=lambda: 0.5))
        kwargs.setdefault("retry_budget", None)
        kwargs.setdefault("timeout", TimeoutPolicy(30, clock=clock))
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        if self.kind == "key":
            return AsyncEncoderClient(auth=self.auth, http_client=http, **kwargs)
        return AsyncEncoderClient(OPAQUE, http_client=http, **kwargs)


@pytest.fixture(params=["opaque", "key"])
def secrets(request: pytest.FixtureRequest) -> Secrets:
    return Secrets(request.param)


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("videosdk_async")
    handler, level = Keep(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield seen
    logger.removeHandler(handler)
    logger.setLevel(level)


def assert_clean(error: BaseException, secrets: Secrets, records: list[logging.LogRecord]) -> None:
    known = secrets.all()
    for text in exception_texts(error):
        assert leaks(text, known) == [], text[:300]
        assert "\n" not in str(error)
    for record in records:
        assert leaks(record.getMessage(), known) == []


def echo_all(secrets: Secrets, shape: Echo) -> Callable[[httpx.Request], str]:
    """A body echoing every secret the client holds, and the exact token it was sent."""

    def body(request: httpx.Request) -> str:
        sent = request.headers.get("authorization", "")
        return " | ".join(shape(v) for v in [sent, *secrets.all()])

    return body


async def call_each_endpoint(client: AsyncEncoderClient) -> list[BaseException]:
    errors: list[BaseException] = []
    calls: list[Callable[[], Any]] = [
        lambda: client.jobs.get(JOB),
        lambda: client.jobs.delete(JOB),
        lambda: client.jobs.list(),
        lambda: client.jobs.create(
            video_url="https://example.com/a.mp4",
            presets=[{"resolutions": ["360"], "format": "hls"}],
        ),
    ]
    for call in calls:
        try:
            await call()
        except VideoSDKError as exc:
            errors.append(exc)
    return errors


# One of each way an answer is mapped: redirect, refused, token refused, not found, not
# deletable, rate limited, server error that may have applied, and one that did not.
STATUSES = [302, 400, 401, 403, 404, 409, 429, 500, 503]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("shape", list(shapes()))
async def test_every_status_echoing_every_secret(
    secrets: Secrets, records: list[logging.LogRecord], status: int, shape: str
) -> None:
    body = echo_all(secrets, shapes()[shape])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, text=body(request), headers={"x-request-id": body(request)[:100]}
        )

    async with secrets.client(handler) as client:
        errors = await call_each_endpoint(client)
    assert len(errors) == 4
    for error in errors:
        assert_clean(error, secrets, records)


@pytest.mark.parametrize("shape", list(shapes()))
async def test_2xx_bodies_that_are_not_the_model_echoing_every_secret(
    secrets: Secrets, records: list[logging.LogRecord], shape: str
) -> None:
    body = echo_all(secrets, shapes()[shape])
    async with secrets.client(lambda r: httpx.Response(200, text=body(r))) as client:
        errors = await call_each_endpoint(client)
        report = await client.jobs.delete_many([JOB, "other"])
    assert len(errors) == 4
    for error in errors:
        assert_clean(error, secrets, records)
    assert {r.outcome for r in report} == {DeleteOutcome.UNKNOWN}
    for result in report:
        assert leaks(result.describe(), secrets.all()) == []
    assert leaks(report.summary(), secrets.all()) == []


TRANSPORT_FAILURES: list[Callable[[str], Exception]] = [
    lambda v: httpx.LocalProtocolError(f"Illegal header value b'{v}'"),
    lambda v: httpx.ReadError(f"connection reset while sending {v}"),
    lambda v: httpx.RemoteProtocolError(f"peer said {v}"),
    lambda v: httpx.ReadTimeout(f"timed out reading {v}"),
    lambda v: httpx.ConnectError(f"cannot connect with {v}"),
    lambda v: httpx.DecodingError(f"cannot decode {v}"),
    lambda v: httpx.UnsupportedProtocol(f"no protocol for {v}"),
]


@pytest.mark.parametrize("failure", range(len(TRANSPORT_FAILURES)))
async def test_transport_failures_quoting_the_token(
    secrets: Secrets, records: list[logging.LogRecord], failure: int
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        exc = TRANSPORT_FAILURES[failure](request.headers["authorization"])
        exc.request = request  # type: ignore[attr-defined]
        raise exc

    async with secrets.client(handler) as client:
        errors = await call_each_endpoint(client)
    assert len(errors) == 4
    for error in errors:
        assert isinstance(error, APIConnectionError)
        assert_clean(error, secrets, records)


async def test_a_corrupt_compressed_body_and_a_too_large_one(
    secrets: Secrets, records: list[logging.LogRecord]
) -> None:
    def corrupt(request: httpx.Request) -> httpx.Response:
        data = b"\x1f\x8b" + request.headers["authorization"].encode()
        return httpx.Response(200, content=data, headers={"content-encoding": "gzip"})

    def large(request: httpx.Request) -> httpx.Response:
        data = gzip.compress((request.headers["authorization"] + " ").encode() * 10_000)
        return httpx.Response(500, content=data, headers={"content-encoding": "gzip"})

    for handler in (corrupt, large):
        async with secrets.client(handler, max_response_bytes=1000) as client:
            errors = await call_each_endpoint(client)
        assert len(errors) == 4
        for error in errors:
            assert_clean(error, secrets, records)


async def test_deadline_and_queue_timeouts(
    secrets: Secrets, records: list[logging.LogRecord]
) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(1)
        return httpx.Response(200, text=request.headers["authorization"])

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    extra: dict[str, Any] = {"auth": secrets.auth} if secrets.kind == "key" else {"token": OPAQUE}
    async with AsyncEncoderClient(
        http_client=http, timeout=TimeoutPolicy(0.05, queue=0.01), max_concurrency=1, **extra
    ) as client:
        results: list[BaseException] = []

        async def one() -> None:
            try:
                await client.jobs.get(JOB)
            except VideoSDKError as exc:
                results.append(exc)

        async with anyio.create_task_group() as group:
            group.start_soon(one)
            group.start_soon(one)
    assert {type(e).__name__ for e in results} == {"DeadlineExceededError", "QueueTimeoutError"}
    for error in results:
        assert_clean(error, secrets, records)


async def test_a_failed_job_and_a_wait_that_times_out(
    secrets: Secrets, records: list[logging.LogRecord]
) -> None:
    def failed(request: httpx.Request) -> httpx.Response:
        echoed = " ".join(secrets.all())  # only what this client knows: it cannot mask the rest
        reason = {"code": request.headers["authorization"], "message": f"bad {echoed}"}
        return httpx.Response(200, json={"id": JOB, "status": "failed", "error": reason})

    async with secrets.client(failed) as client:
        with pytest.raises(JobFailedError) as caught:
            await client.jobs.wait(JOB, raise_on_failure=True)
    assert_clean(caught.value, secrets, records)

    clock = FakeClock()

    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text=f"busy {request.headers['authorization']}")

    async with secrets.client(busy) as client:
        with pytest.raises(WaitTimeoutError) as timed_out:
            await client.jobs.wait(JOB, timeout=10, sleep=clock.sleep, clock=clock)
    assert_clean(timed_out.value, secrets, records)


async def test_a_caller_passing_a_credential_where_an_id_goes(
    secrets: Secrets, records: list[logging.LogRecord]
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/jobs"):
            return httpx.Response(200, json={"pageInfo": {"lastPage": 1}, "data": []})
        return httpx.Response(404, json={"message": f"no job {request.url.path}"})

    async with secrets.client(handler) as client:
        await client.jobs.list()  # mints, for the key kind
        for value in secrets.all():
            for call in (client.jobs.get, client.jobs.delete):
                with pytest.raises(InvalidRequestError) as caught:
                    await call(value)
                assert_clean(caught.value, secrets, records)
    assert [r.method for r in sent] == ["GET"]  # nothing carrying a secret in its path was sent


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/?key={v}",
        "https://user:{v}@example.com",
        "ftp://example.com/{v}",
        "https://[::1/{v}",
    ],
)
def test_a_base_url_carrying_the_token_is_refused_without_quoting_it(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AsyncEncoderClient(OPAQUE, base_url=url.format(v=OPAQUE))
    for text in exception_texts(caught.value):
        assert leaks(text, [OPAQUE]) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"auth": OPAQUE},
        {"auth": (API_KEY, SECRET)},
        {"token": f"{OPAQUE}\nX-Injected: 1"},
        {"token": f"{OPAQUE} {OPAQUE}"},
        {"api_key": API_KEY},
        {"secret": SECRET},
        {"token": OPAQUE, "api_key": API_KEY, "secret": SECRET},
    ],
)
def test_credential_mistakes_are_refused_without_quoting_them(
    kwargs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("VIDEOSDK_TOKEN", "VIDEOSDK_API_KEY", "VIDEOSDK_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError) as caught:
        AsyncEncoderClient(**kwargs)
    for text in exception_texts(caught.value):
        assert leaks(text, [OPAQUE, SECRET]) == []


async def test_the_logs_of_retried_calls_hold_no_secret(
    secrets: Secrets, records: list[logging.LogRecord]
) -> None:
    answers = iter([503, 200] * 4)

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        token = request.headers["authorization"]
        if status == 200:
            return httpx.Response(
                200, json={"id": JOB, "status": "queued", "userData": {"t": token}}
            )
        return httpx.Response(status, text=token)

    async with secrets.client(handler) as client:
        await client.jobs.get(JOB)
        await client.jobs.delete(JOB)
    messages = [r.getMessage() for r in records]
    assert any(m.startswith("retrying GET") for m in messages)
    assert all(leaks(m, secrets.all()) == [] for m in messages)
