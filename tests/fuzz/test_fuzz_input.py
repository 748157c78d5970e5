"""Hypothesis fuzz of caller input: ids, bodies, numbers (NaN, huge, wrong types), iterables of
the wrong type, headers, settings. Each call either does exactly what was asked or raises an
SDK-typed error before anything is sent; a batch gives every distinct item one outcome."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import TOKEN, FakeClock, job_json, make_client

from videosdk_async import (
    AsyncEncoderClient,
    ConfigurationError,
    DeleteOutcome,
    InvalidRequestError,
    RetryBudget,
    RetryPolicy,
    TimeoutPolicy,
    VideoSDKError,
    WaitTimeoutError,
)

HANG_GUARD = 10.0
# Ints Python cannot even print (over 4,300 digits), or no float can hold; drawn from a list:
# hypothesis's own machinery for integers this size is slow.
huge = st.sampled_from([(1, 20), (1, 400), (-1, 400), (1, 5000), (-1, 5000)]).map(
    lambda sign_digits: sign_digits[0] * 10 ** sign_digits[1]
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | huge
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=10)
    | st.builds(object)
    | st.just(math.nan),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.frozensets(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=3)
    ),
    max_leaves=12,
)
numbers = (
    st.integers()
    | huge
    | st.floats()
    | st.booleans()
    | st.none()
    | st.text(max_size=5)
    | st.just(math.nan)
)


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET" and request.url.path.endswith("/jobs"):
            return httpx.Response(200, json={"pageInfo": {"lastPage": 1}, "data": [job_json()]})
        if request.method == "POST":
            return httpx.Response(
                200, json=job_json(userData=json.loads(request.content).get("userData"))
            )
        # Finished: a wait returns at its first poll, whatever timeout it was given.
        job_id = unquote(request.url.path.rsplit("/", 1)[-1])
        return httpx.Response(
            200, json=job_json(job_id, "completed" if request.method == "GET" else "queued")
        )


def run(scenario: Any, *args: Any) -> Any:
    async def guarded() -> Any:
        with anyio.fail_after(HANG_GUARD):
            return await scenario(*args)

    return anyio.run(guarded)


async def attempt(api: Recorder, call: Any) -> VideoSDKError | None:
    clock = FakeClock()
    async with make_client(api, clock) as client:
        try:
            await call(client, clock)
        except VideoSDKError as exc:
            return exc
    return None


@FUZZ
@given(job_id=anything | st.text(max_size=300), method=st.sampled_from(["get", "delete", "wait"]))
def test_any_id_is_sent_verbatim_or_refused_before_sending(job_id: Any, method: str) -> None:
    api = Recorder()

    async def call(client: AsyncEncoderClient, clock: FakeClock) -> None:
        if method == "wait":
            await client.jobs.wait(job_id, sleep=clock.sleep, clock=clock)
        else:
            await getattr(client.jobs, method)(job_id)

    error = run(attempt, api, call)
    if error is not None:
        assert isinstance(error, InvalidRequestError)
        assert api.requests == []
        assert "\n" not in str(error)
    else:
        assert isinstance(job_id, str)
        sent = api.requests[0].url.raw_path.decode().rsplit("/", 1)[-1]
        assert unquote(sent) == job_id  # one path segment, the id itself (escaped where needed)


@FUZZ
@given(
    user_data=anything,
    presets=anything | st.just([{"resolutions": ["360"], "format": "hls"}]),
    recover=st.booleans(),
)
def test_any_create_body_is_sent_as_valid_json_or_refused(
    user_data: Any, presets: Any, recover: bool
) -> None:
    api = Recorder()

    async def call(client: AsyncEncoderClient, clock: FakeClock) -> None:
        await client.jobs.create(
            video_url="https://example.com/a.mp4",
            presets=presets,
            user_data=user_data,
            recover=recover,
        )

    error = run(attempt, api, call)
    if error is not None:
        assert isinstance(error, InvalidRequestError)
        assert api.requests == []
    else:
        (sent,) = api.requests
        body = json.loads(
            sent.content, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c))
        )
        if user_data:
            assert {
                k: v for k, v in body["userData"].items() if k != "_videosdkCreateId"
            } == user_data


@FUZZ
@given(
    which=st.sampled_from(
        [
            "page",
            "per_page",
            "concurrency",
            "limit",
            "timeout",
            "poll_interval",
            "iterate_per_page",
            "delete_queued_per_page",
        ]
    ),
    value=numbers,
)
def test_any_number_is_used_or_refused_before_sending(which: str, value: Any) -> None:
    api = Recorder()

    async def call(client: AsyncEncoderClient, clock: FakeClock) -> None:
        jobs = client.jobs
        if which in ("page", "per_page"):
            await jobs.list(**{which: value})
        elif which == "concurrency":
            await jobs.delete_many(["a1"], concurrency=value)
        elif which == "limit":
            await jobs.delete_queued(limit=value)
        elif which in ("timeout", "poll_interval"):
            await jobs.wait("a1", sleep=clock.sleep, clock=clock, **{which: value})
        elif which == "iterate_per_page":
            async for _ in jobs.iterate(per_page=value):
                pass
        else:
            await jobs.delete_queued(per_page=value)

    error = run(attempt, api, call)
    if isinstance(error, InvalidRequestError):
        assert api.requests == []
        assert len(str(error)) < 200
    elif error is not None:  # the call ran: a wait may time out
        assert isinstance(error, WaitTimeoutError)
        assert api.requests


@st.composite
def sources(draw: st.DrawFn) -> Any:
    """What a careless caller hands delete_many: mixed items, in any kind of container."""
    items = draw(st.lists(st.sampled_from(["a1", "a2", "a3"]) | anything, max_size=8))
    shape = draw(st.sampled_from(["list", "tuple", "set", "generator", "async", "dict", "raw"]))
    if shape == "raw":
        return draw(anything | st.text(max_size=5))
    if shape == "set":
        return {i for i in items if isinstance(i, str | int | float | bytes | type(None))}
    if shape == "tuple":
        return tuple(items)
    if shape == "dict":
        return {str(n): i for n, i in enumerate(items)}
    if shape == "generator":
        return (i for i in items)
    if shape == "async":

        async def gen() -> AsyncIterator[Any]:
            for i in items:
                yield i

        return gen()
    return items


@FUZZ
@given(ids=sources(), concurrency=st.integers(1, 4))
def test_delete_many_gives_each_distinct_item_one_outcome(ids: Any, concurrency: int) -> None:
    api = Recorder()
    reports: list[Any] = []

    async def call(client: AsyncEncoderClient, clock: FakeClock) -> None:
        reports.append(await client.jobs.delete_many(ids, concurrency=concurrency))

    error = run(attempt, api, call)
    if error is not None:
        assert isinstance(error, InvalidRequestError)
        assert api.requests == []
        return
    (report,) = reports
    deleted = [unquote(r.url.path.rsplit("/", 1)[-1]) for r in api.requests]
    assert len(deleted) == len(set(deleted))  # never twice
    assert sorted(report.deleted) == sorted(deleted)
    assert all(r.outcome in (DeleteOutcome.DELETED, DeleteOutcome.INVALID) for r in report)
    assert report.complete


header_text = st.text(max_size=20) | st.none() | st.integers() | st.binary(max_size=5)


@FUZZ
@given(
    headers=st.dictionaries(header_text, header_text, max_size=3) | header_text,
    where=st.sampled_from(["extra", "default"]),
)
def test_any_headers_are_sent_as_given_or_refused(headers: Any, where: str) -> None:
    api = Recorder()

    async def call(client: AsyncEncoderClient, clock: FakeClock) -> None:
        await client.jobs.get("a1", extra_headers=headers)

    if where == "default":
        try:
            AsyncEncoderClient(TOKEN, default_headers=headers)
        except ConfigurationError:
            return
        assert headers is None or isinstance(headers, dict)
        return
    error = run(attempt, api, call)
    if error is not None:
        assert isinstance(error, InvalidRequestError)
        assert api.requests == []
    elif headers:
        (sent,) = api.requests
        for name, value in headers.items():
            assert sent.headers[name] == value


@FUZZ
@given(
    which=st.sampled_from(
        [
            "deadline",
            "connect",
            "queue",
            "max_attempts",
            "backoff_base",
            "backoff_cap",
            "retry_after_cap",
            "ratio",
            "max_tokens",
            "floor_per_second",
            "max_retries",
            "max_concurrency",
            "max_response_bytes",
            "timeout",
            "token_lifetime",
            "retry",
        ]
    ),
    value=numbers,
)
def test_any_setting_is_taken_or_refused_with_a_configuration_error(which: str, value: Any) -> None:
    builders: dict[str, Any] = {
        "deadline": lambda: TimeoutPolicy(value),
        "connect": lambda: TimeoutPolicy(connect=value),
        "queue": lambda: TimeoutPolicy(queue=value),
        "max_attempts": lambda: RetryPolicy(value),
        "backoff_base": lambda: RetryPolicy(backoff_base=value),
        "backoff_cap": lambda: RetryPolicy(backoff_cap=value),
        "retry_after_cap": lambda: RetryPolicy(retry_after_cap=value),
        "ratio": lambda: RetryBudget(ratio=value),
        "max_tokens": lambda: RetryBudget(max_tokens=value),
        "floor_per_second": lambda: RetryBudget(floor_per_second=value),
        "max_retries": lambda: AsyncEncoderClient(TOKEN, max_retries=value),
        "max_concurrency": lambda: AsyncEncoderClient(TOKEN, max_concurrency=value),
        "max_response_bytes": lambda: AsyncEncoderClient(TOKEN, max_response_bytes=value),
        "timeout": lambda: AsyncEncoderClient(TOKEN, timeout=value),
        "token_lifetime": lambda: AsyncEncoderClient(
            api_key="fuzz-key-1234", secret="fuzz-Secret-9f8e7d", token_lifetime=value
        ),
        "retry": lambda: AsyncEncoderClient(TOKEN, retry=value),
    }
    try:
        built = builders[which]()
    except ConfigurationError as exc:
        refused: ConfigurationError | None = exc
    else:
        refused = None
        assert built is not None
    if refused is not None:
        assert "\n" not in str(refused)
        assert len(str(refused)) < 300
