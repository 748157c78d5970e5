"""A careless caller: wrong types, NaN, huge numbers, odd ids, bad headers, bad credentials.

Every one of these ends in one typed, one-line error (or an outcome in a batch report), before
anything is sent; never a KeyError, a pydantic error, an exception group or a traceback.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from support import TOKEN, FakeClock, job_json, make_client

from videosdk_async import (
    AsyncEncoderClient,
    ConfigurationError,
    DeleteOutcome,
    DeleteReport,
    InvalidRequestError,
    RetryBudget,
    RetryPolicy,
    TimeoutPolicy,
)

PRESET = {"resolutions": ["360"], "format": "hls"}
NAN = float("nan")


def _shown(value: object) -> str:
    """A test id: ints past 4,300 digits cannot even be printed."""
    if isinstance(value, int) and abs(value) > 10**100:
        return "-huge" if value < 0 else "huge"
    return repr(value)


class Recorder:
    """Answers every DELETE with the job, every list with one empty page; records requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET" and request.url.path.endswith("/jobs"):
            return httpx.Response(200, json={"pageInfo": {"lastPage": 1}, "data": []})
        return httpx.Response(200, json=job_json(request.url.path.rsplit("/", 1)[-1]))

    @property
    def deleted(self) -> list[str]:
        return [r.url.path.rsplit("/", 1)[-1] for r in self.requests if r.method == "DELETE"]


@pytest.fixture
async def api() -> Recorder:
    return Recorder()


@pytest.fixture
async def client(api: Recorder) -> AsyncIterator[AsyncEncoderClient]:
    async with make_client(api, FakeClock()) as c:
        yield c


# -- delete_many: every item ends with one outcome, whatever it is (issue 13, promise 1) ---------


@pytest.mark.parametrize("ids", [None, 42, object()])
async def test_delete_many_refuses_what_is_not_an_iterable(
    client: AsyncEncoderClient, api: Recorder, ids: object
) -> None:
    with pytest.raises(InvalidRequestError, match="job_ids must be an iterable"):
        await client.jobs.delete_many(ids)  # type: ignore[arg-type]
    assert api.requests == []


@pytest.mark.parametrize("ids", ["60531471e32e8e4eaea094fe", b"abc", bytearray(b"abc")])
async def test_delete_many_refuses_a_single_string_instead_of_deleting_its_characters(
    client: AsyncEncoderClient, api: Recorder, ids: object
) -> None:
    with pytest.raises(
        InvalidRequestError, match=r"not a single string.*delete_many\(\[job_id\]\)"
    ):
        await client.jobs.delete_many(ids)  # type: ignore[arg-type]
    assert api.requests == []


async def test_a_none_does_not_end_a_worker_nor_hide_the_ids_after_it(
    client: AsyncEncoderClient, api: Recorder
) -> None:
    report = await client.jobs.delete_many([None, "id1", "id2"], concurrency=1)  # type: ignore[list-item]
    assert sorted(api.deleted) == ["id1", "id2"]
    assert report.counts[DeleteOutcome.DELETED] == 2
    assert report.counts[DeleteOutcome.INVALID] == 1
    assert report.complete and not report.ok
    assert report.summary() == "3 jobs: 2 deleted, 1 invalid"


async def test_32_nones_before_an_id_do_not_stop_the_default_workers(
    client: AsyncEncoderClient, api: Recorder
) -> None:
    report = await client.jobs.delete_many([None] * 32 + ["id1"])  # type: ignore[list-item]
    assert api.deleted == ["id1"]
    assert report.summary() == "2 jobs: 1 deleted, 1 invalid"  # the Nones are one input item
    assert not report.ok


@pytest.mark.parametrize(
    "item", [["x"], {"id": "x"}, 7, 10**5000, 1.5, b"id", "", "a/b", "a" * 300], ids=_shown
)
async def test_any_bad_item_is_an_invalid_outcome_and_the_rest_is_deleted(
    client: AsyncEncoderClient, api: Recorder, item: Any
) -> None:
    report = await client.jobs.delete_many(["id1", item, "id2"])
    assert sorted(api.deleted) == ["id1", "id2"]
    invalid = [r for r in report if r.outcome is DeleteOutcome.INVALID]
    assert len(invalid) == 1
    assert isinstance(invalid[0].error, InvalidRequestError)
    assert report.counts[DeleteOutcome.DELETED] == 2
    assert "\n" not in invalid[0].describe()


@pytest.mark.parametrize("value", ["2024-01-01", 1704067200, NAN, object()])
async def test_delete_queued_refuses_a_cutoff_that_is_not_a_datetime(
    client: AsyncEncoderClient, api: Recorder, value: object
) -> None:
    with pytest.raises(InvalidRequestError, match="created_before must be a datetime"):
        await client.jobs.delete_queued(created_before=value)  # type: ignore[arg-type]
    assert api.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"concurrency": NAN},
        {"concurrency": 0},
        {"concurrency": "4"},
        {"concurrency": True},
        {"report": "mine"},
        {"on_progress": "print"},
    ],
)
async def test_delete_many_refuses_bad_options_before_sending(
    client: AsyncEncoderClient, api: Recorder, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidRequestError):
        await client.jobs.delete_many(["id1"], **kwargs)
    assert api.requests == []


async def test_an_exception_from_the_callers_own_iterator_is_raised_as_itself(
    client: AsyncEncoderClient, api: Recorder
) -> None:
    class TheirBug(Exception):
        pass

    async def ids() -> AsyncIterator[str]:
        yield "id1"
        raise TheirBug("the caller's own bug")

    kept = DeleteReport()
    with pytest.raises(TheirBug, match="the caller's own bug"):  # not an ExceptionGroup
        await client.jobs.delete_many(ids(), report=kept)
    assert kept["id1"].outcome is DeleteOutcome.DELETED  # what was done is kept
    assert kept.stopped == "the job_ids iterable raised TheirBug"
    assert not kept.complete and not kept.ok


async def test_an_exception_from_on_progress_is_raised_as_itself_after_the_deletes_under_way(
    client: AsyncEncoderClient, api: Recorder
) -> None:
    def on_progress(result: object) -> None:
        raise KeyError("the caller's callback")

    kept = DeleteReport()
    with pytest.raises(KeyError, match="the caller's callback"):
        await client.jobs.delete_many(
            [f"id{n}" for n in range(50)], concurrency=4, on_progress=on_progress, report=kept
        )
    # Nothing more was pulled after the failure; every delete that was sent has its outcome.
    assert 1 <= len(api.deleted) <= 4
    assert sorted(kept.results) == sorted(api.deleted)
    assert kept.stopped == "on_progress raised KeyError"


# -- numbers, ids, bodies (promise 4) -------------------------------------------------------------


async def test_a_100000_character_id_is_refused_without_a_url_error(
    client: AsyncEncoderClient, api: Recorder
) -> None:
    with pytest.raises(InvalidRequestError, match="100,000 characters long; ids are at most 256"):
        await client.jobs.get("a" * 100_000)
    assert api.requests == []


@pytest.mark.parametrize("page", [10**5000, 10**18 + 1, 2**63], ids=_shown)
async def test_a_page_number_too_large_for_anything_is_refused(
    client: AsyncEncoderClient, api: Recorder, page: int
) -> None:
    with pytest.raises(InvalidRequestError, match="page must be at most") as caught:
        await client.jobs.list(page=page)
    assert len(str(caught.value)) < 120  # the number itself is not printed
    assert api.requests == []


@pytest.mark.parametrize(
    "page", [NAN, math.inf, 1.0, "2", True, None, 0, -1, -(10**5000)], ids=_shown
)
async def test_a_page_that_is_not_a_positive_int_is_refused(
    client: AsyncEncoderClient, api: Recorder, page: object
) -> None:
    with pytest.raises(InvalidRequestError, match="page must be an int >= 1"):
        await client.jobs.list(page=page)  # type: ignore[arg-type]
    assert api.requests == []


@pytest.mark.parametrize("name", ["timeout", "poll_interval", "max_poll_interval"])
@pytest.mark.parametrize("value", [NAN, math.inf, -1.0, 0, "5", None])
async def test_wait_refuses_nan_and_other_non_durations(
    client: AsyncEncoderClient, api: Recorder, name: str, value: object
) -> None:
    with pytest.raises(InvalidRequestError, match=name):
        await client.jobs.wait("60531471e32e8e4eaea094fe", **{name: value})  # type: ignore[arg-type]
    assert api.requests == []


class _Unserializable:
    pass


def _self_referencing() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


@pytest.mark.parametrize(
    ("user_data", "reason"),
    [
        ({"x": _Unserializable()}, "not a valid JSON value"),
        ({"x": b"\xff"}, "not a valid JSON value"),
        (_self_referencing(), "cyclic reference"),
        ({"x": NAN}, "nan is not a JSON number"),
        ({"x": [1, {"y": -math.inf}]}, "-inf is not a JSON number"),
        ({1: "x"}, "valid string"),
        (["x"], "valid dictionary"),
    ],
)
async def test_create_refuses_user_data_that_is_not_json(
    client: AsyncEncoderClient, api: Recorder, user_data: Any, reason: str
) -> None:
    with pytest.raises(InvalidRequestError, match=reason) as caught:
        await client.jobs.create(
            video_url="https://example.com/a.mp4", presets=[PRESET], user_data=user_data
        )
    assert "\n" not in str(caught.value)
    assert api.requests == []


async def test_deeply_nested_user_data_is_refused_in_one_short_line(
    client: AsyncEncoderClient, api: Recorder
) -> None:
    deep: list[Any] = []
    inner = deep
    for _ in range(10_000):
        inner.append([])
        inner = inner[0]
    with pytest.raises(InvalidRequestError, match="invalid create request") as caught:
        await client.jobs.create(
            video_url="https://example.com/a.mp4", presets=[PRESET], user_data={"x": deep}
        )
    assert len(str(caught.value)) < 300
    assert api.requests == []


@pytest.mark.parametrize("status", [5, b"queued", object()])
async def test_iterate_refuses_a_status_that_is_not_one(
    client: AsyncEncoderClient, api: Recorder, status: object
) -> None:
    with pytest.raises(InvalidRequestError, match="status must be a JobStatus"):
        async for _ in client.jobs.iterate(status=status):  # type: ignore[arg-type]
            pass
    assert api.requests == []


# -- headers and query (a careless caller's extras) -----------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-Trace": "é"}, "header X-Trace has characters"),
        ({"X-Trace": "a\r\nInjected: yes"}, "header X-Trace has characters"),
        ({"X-Trace": None}, "header X-Trace must be a string, got NoneType"),
        ({"X Trace": "a"}, "'X Trace' is not a valid header name"),
        ({1: "a"}, "1 is not a valid header name"),
        ("X-Trace: a", "must be a mapping"),
    ],
)
async def test_extra_headers_that_cannot_be_sent_are_refused_without_quoting_them(
    client: AsyncEncoderClient, api: Recorder, headers: Any, reason: str
) -> None:
    with pytest.raises(InvalidRequestError, match=f"extra_headers: {reason}") as caught:
        await client.jobs.get("60531471e32e8e4eaea094fe", extra_headers=headers)
    assert "Injected" not in str(caught.value)
    assert api.requests == []


async def test_extra_query_must_be_a_mapping(client: AsyncEncoderClient, api: Recorder) -> None:
    with pytest.raises(InvalidRequestError, match="extra_query must be a mapping"):
        await client.jobs.get("60531471e32e8e4eaea094fe", extra_query="a=1")  # type: ignore[arg-type]
    assert api.requests == []


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({"X-Team": "ü"}, "header X-Team has characters"), ("x", "must be a mapping")],
)
def test_default_headers_that_cannot_be_sent_are_refused_when_the_client_is_built(
    headers: Any, reason: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"default_headers: {reason}"):
        AsyncEncoderClient(TOKEN, default_headers=headers)


# -- settings: NaN and other nonsense are refused when the client is built -----------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: TimeoutPolicy(NAN),
        lambda: TimeoutPolicy(connect=NAN),
        lambda: TimeoutPolicy(queue=math.inf),
        lambda: RetryPolicy(backoff_base=NAN),
        lambda: RetryPolicy(backoff_cap=-1.0),
        lambda: RetryPolicy(retry_after_cap=NAN),
        lambda: RetryPolicy(0),
        lambda: RetryPolicy("3"),  # type: ignore[arg-type]
        lambda: RetryPolicy(max_retries=-1),
        lambda: RetryBudget(ratio=NAN),
        lambda: RetryBudget(max_tokens=math.inf),
        lambda: RetryBudget(floor_per_second=-0.5),
        lambda: AsyncEncoderClient(TOKEN, timeout=NAN),
        lambda: AsyncEncoderClient(TOKEN, timeout=10**400),
        lambda: AsyncEncoderClient(TOKEN, max_concurrency=-(10**5000)),
        lambda: TimeoutPolicy(-(10**5000)),
        lambda: RetryPolicy(backoff_cap=10**5000),
        lambda: AsyncEncoderClient(TOKEN, max_retries="2"),  # type: ignore[arg-type]
        lambda: AsyncEncoderClient(TOKEN, max_response_bytes=math.inf),  # type: ignore[arg-type]
        lambda: AsyncEncoderClient(TOKEN, retry_budget="shared"),  # type: ignore[arg-type]
        lambda: AsyncEncoderClient(TOKEN).with_options(timeout=NAN),
    ],
)
def test_nonsense_settings_are_configuration_errors(build: Any) -> None:
    with pytest.raises(ConfigurationError):
        build()


# -- credentials: never echoed, never sent broken (promise 5) ------------------------------------


@pytest.mark.parametrize(
    "auth", ["tok-0123456789abcdef0123", ("key-0123456789abcdef", "secret-0123456789abcdef0")]
)
def test_a_credential_given_as_auth_is_refused_without_echoing_it(auth: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AsyncEncoderClient(auth=auth)
    text = f"{caught.value} {caught.value!r}"
    for value in auth if isinstance(auth, tuple) else (auth,):
        assert value not in text
        assert value[4:16] not in text  # not even a part of it


@pytest.mark.parametrize(
    "token", ["tok-abc\ndef-0123456789", "tok abc def 0123456789", "tök-0123456789abc", "a\x00b"]
)
def test_a_token_a_header_cannot_carry_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(ConfigurationError, match="one word of visible ASCII") as caught:
        AsyncEncoderClient(token)
    assert token not in str(caught.value)


@pytest.mark.parametrize(("given", "reason"), [(None, "got NoneType"), ("a b", "cannot carry")])
async def test_a_custom_provider_giving_an_unsendable_token_is_refused(
    api: Recorder, given: object, reason: str
) -> None:
    class Provider:
        renewable = False

        def token(self) -> object:
            return given

        def invalidate(self, refused: str) -> None:
            pass

    clock = FakeClock()
    client = AsyncEncoderClient(
        auth=Provider(),  # type: ignore[arg-type]
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(api)),
        timeout=TimeoutPolicy(30, clock=clock),
        retry=None,
    )
    with pytest.raises(ConfigurationError, match=reason):
        await client.jobs.get("60531471e32e8e4eaea094fe")
    assert api.requests == []


# -- a borrowed pool smaller than the in-flight limit (promise 8) --------------------------------


def test_a_borrowed_pool_smaller_than_max_concurrency_is_refused_when_built() -> None:
    small = httpx.AsyncClient(limits=httpx.Limits(max_connections=8))
    with pytest.raises(ConfigurationError, match=r"more than the connection pool holds \(8\)"):
        AsyncEncoderClient(TOKEN, http_client=small, max_concurrency=9)
    client = AsyncEncoderClient(TOKEN, http_client=small)
    assert client.max_concurrency == 8  # the default never runs more than the pool holds
    with pytest.raises(ConfigurationError, match=r"more than the connection pool holds \(8\)"):
        client.with_options(max_concurrency=16)
    assert AsyncEncoderClient(TOKEN, http_client=small, max_concurrency=8).max_concurrency == 8


@pytest.mark.parametrize("number", [2**53, -(2**53), 10**5000], ids=["2**53", "-2**53", "10**5000"])
async def test_an_integer_no_json_reader_takes_exactly_is_refused_unsent(number: int) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": "x", "status": "queued"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncEncoderClient("tok-123456789", http_client=http) as client:
        with pytest.raises(InvalidRequestError, match="send it as a string"):
            await client.jobs.create(
                video_url="https://example.com/a.mp4",
                presets=[{"resolutions": ["360"], "format": "hls"}],
                user_data={"order": {"n": [number]}},
            )
        job = await client.jobs.create(
            video_url="https://example.com/a.mp4",
            presets=[{"resolutions": ["360"], "format": "hls"}],
            user_data={"order": 2**53 - 1},
        )
    assert job.id == "x" and len(sent) == 1
