"""A broken proxy and a hostile server: answers that are not what the API documents.

Deep JSON, odd charsets, pages that are not pages, compression bombs, huge pages, a 404 after
a 503, a create whose answer is lost. Each ends in one typed error (or the right outcome),
with memory bounded by ``max_response_bytes``.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable

import anyio
import httpx
import pytest
from support import JOB_ID, FakeClock, job_json, make_client

from videosdk_async import (
    APIConnectionError,
    APIStatusError,
    AsyncEncoderClient,
    BadRequestError,
    DeleteOutcome,
    JobNotFoundError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
)

Handler = Callable[[httpx.Request], httpx.Response]
MIB = 1024 * 1024


class Stream(httpx.AsyncByteStream):
    """A body that arrives in pieces, as over a socket (a mock's body is otherwise pre-read)."""

    def __init__(self, data: bytes, chunk: int = 64 * 1024) -> None:
        self.data = data
        self.chunk = chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            yield self.data[start : start + self.chunk]


def client_for(handler: Handler, **kwargs: object) -> AsyncEncoderClient:
    kwargs.setdefault("attempts", 1)
    return make_client(handler, FakeClock(), **kwargs)  # type: ignore[arg-type]


def deep_json(depth: int, kind: str = "array") -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


# -- deep JSON, odd charsets: typed errors only (promise 4) ----------------------------------------


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("status", [200, 400, 500])
async def test_deeply_nested_json_ends_in_a_typed_error(kind: str, status: int) -> None:
    body = deep_json(100_000, kind)
    client = client_for(
        lambda r: httpx.Response(status, content=body, headers={"content-type": "application/json"})
    )
    expected = {200: ResponseValidationError, 400: BadRequestError, 500: ServerError}[status]
    with pytest.raises(expected) as caught:
        await client.jobs.get(JOB_ID)
    assert len(str(caught.value)) < 600


async def test_deeply_nested_error_bodies_are_failures_with_their_cause_in_delete_many() -> None:
    body = deep_json(100_000, "object")
    client = client_for(lambda r: httpx.Response(503, content=body))
    report = await client.jobs.delete_many(["a1", "a2"])
    assert {r.outcome for r in report} == {DeleteOutcome.FAILED}
    assert all(isinstance(r.error, ServerError) for r in report)


@pytest.mark.parametrize("status", [200, 500])
@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "no-such-charset", "utf-8"])
async def test_a_body_in_a_charset_it_does_not_have_ends_in_a_typed_error(
    status: int, charset: str
) -> None:
    # utf-16 declared, no byte-order mark, odd length: no decoder can read it as declared.
    body = b'{"message": "maintenance \xff"}'
    client = client_for(
        lambda r: httpx.Response(
            status, content=body, headers={"content-type": f"application/json; charset={charset}"}
        )
    )
    with pytest.raises(ResponseValidationError if status == 200 else ServerError):
        await client.jobs.get(JOB_ID)


async def test_a_job_in_utf16_without_a_bom_is_not_taken_for_a_job() -> None:
    body = json.dumps(job_json()).encode("utf-16-le")
    client = client_for(
        lambda r: httpx.Response(
            200, content=body, headers={"content-type": "application/json; charset=utf-16"}
        )
    )
    with pytest.raises(ResponseValidationError, match="body is not JSON"):
        await client.jobs.get(JOB_ID)


# -- a page must be a page (promise 3) ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"message": "maintenance"},
        {"data": []},
        {"pageInfo": {"lastPage": 1}},
        {"pageInfo": {}, "data": []},
        {"pageInfo": {"lastPage": "many"}, "data": []},
        [],
    ],
)
async def test_an_object_that_is_not_a_page_is_refused(body: object) -> None:
    client = client_for(lambda r: httpx.Response(200, json=body))
    with pytest.raises(ResponseValidationError, match=r"not a valid AsyncJobPage"):
        await client.jobs.list()
    with pytest.raises(ResponseValidationError):
        async for _ in client.jobs.iterate():
            pass


async def test_delete_queued_on_a_maintenance_page_stops_and_is_not_ok() -> None:
    client = client_for(lambda r: httpx.Response(200, json={"message": "maintenance"}))
    report = await client.jobs.delete_queued()
    assert report.stopped is not None
    assert report.stopped.startswith("the list of jobs could not be read: GET /v1/encoder/jobs")
    assert not report.ok
    assert "nothing to do" in report.summary() and "stopped early" in report.summary()


# -- a 2xx that is not a job, on DELETE (promise 2) ------------------------------------------------


async def test_a_proxy_page_answering_a_delete_is_unknown_until_rechecked() -> None:
    seen: dict[str, int] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[-1]
        seen[job_id] = seen.get(job_id, 0) + 1
        if job_id == "proxied" and seen[job_id] == 1:
            return httpx.Response(200, text="<html>Bad gateway, try later</html>")
        return httpx.Response(200, json=job_json(job_id))

    progress: list[DeleteOutcome] = []
    client = client_for(answer)
    report = await client.jobs.delete_many(
        ["proxied", "plain"], on_progress=lambda r: progress.append(r.outcome)
    )
    assert progress.count(DeleteOutcome.UNKNOWN) == 1  # first: not known to be deleted
    assert report["proxied"].outcome is DeleteOutcome.DELETED  # the re-check deleted it
    assert seen == {"proxied": 2, "plain": 1}
    assert report.ok


async def test_a_proxy_page_that_stays_is_reported_unknown_not_deleted() -> None:
    client = client_for(lambda r: httpx.Response(200, text="<html>proxy</html>"))
    report = await client.jobs.delete_many(["a1"])
    assert report["a1"].outcome is DeleteOutcome.UNKNOWN
    assert isinstance(report["a1"].error, ResponseValidationError)
    assert report.summary() == "1 job: 1 unknown"
    assert not report.ok


# -- a 404 after a 503 is not "gone" (promise 6) ---------------------------------------------------


@pytest.mark.parametrize(
    ("first", "outcome"),
    [
        (503, DeleteOutcome.NOT_FOUND),
        (429, DeleteOutcome.NOT_FOUND),
        (408, DeleteOutcome.NOT_FOUND),
        (500, DeleteOutcome.GONE),
        (502, DeleteOutcome.GONE),
        (504, DeleteOutcome.GONE),
        ("lost", DeleteOutcome.GONE),
    ],
)
async def test_a_404_on_the_retry_means_gone_only_after_an_answer_that_may_have_applied(
    first: int | str, outcome: DeleteOutcome
) -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            if first == "lost":
                raise httpx.ReadError("connection reset", request=request)
            return httpx.Response(int(first), json={"message": "not now"})
        return httpx.Response(404, json={"message": "Job not found"})

    report = await client_for(answer, attempts=2).jobs.delete_many([JOB_ID])
    assert calls == ["DELETE", "DELETE"]
    assert report[JOB_ID].outcome is outcome
    if outcome is DeleteOutcome.NOT_FOUND:
        error = report[JOB_ID].error
        assert isinstance(error, JobNotFoundError)
        assert error.after_failure is None


async def test_a_plain_delete_after_a_503_raises_not_found() -> None:
    answers = iter([503, 404])
    client = client_for(lambda r: httpx.Response(next(answers), json={"message": "x"}), attempts=2)
    with pytest.raises(JobNotFoundError) as caught:
        await client.jobs.delete(JOB_ID)
    assert caught.value.after_failure is None
    assert caught.value.attempts == 2


# -- the size of an answer is capped (promise 7) ---------------------------------------------------


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (about a thousandth of it), built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MIB)
    parts = [packer.compress(block) for _ in range(size // MIB)]
    parts.append(packer.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = gzip_bomb(256 * MIB)
    assert len(data) < 300_000  # ~254 KB on the wire
    return data


def peak_while(make: Callable[[], object]) -> int:
    """Bytes allocated at the peak while ``make()`` runs (its own allocations included)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        make()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("limit", [None, MIB])
@pytest.mark.parametrize("chunk", [64 * 1024, 300_000])  # socket-sized, or all at once
async def test_a_gzip_bomb_is_refused_with_memory_bounded_by_the_limit(
    bomb: bytes, limit: int | None, chunk: int
) -> None:
    extra = {} if limit is None else {"max_response_bytes": limit}
    client = client_for(
        lambda r: httpx.Response(
            200,
            stream=Stream(bomb, chunk),
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        ),
        **extra,
    )
    cap = 32 * MIB if limit is None else limit
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError) as caught:
            await client.jobs.get(JOB_ID)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.limit == cap
    assert f"larger than {cap:,} bytes once decompressed" in str(caught.value)
    assert peak < cap + 4 * MIB  # 256 MB inflated would be 256 MB (and more) at the peak


@pytest.mark.parametrize("encoding", ["deflate", "gzip, gzip", "x-gzip"])
async def test_other_zlib_codings_are_bounded_too(encoding: str) -> None:
    raw = bytes(8 * MIB)
    if encoding == "deflate":
        body = zlib.compress(raw)
    else:
        body = gzip.compress(raw, mtime=0)
        if encoding == "gzip, gzip":
            body = gzip.compress(body, mtime=0)
    client = client_for(
        lambda r: httpx.Response(200, stream=Stream(body), headers={"content-encoding": encoding}),
        max_response_bytes=MIB,
    )
    with pytest.raises(ResponseTooLargeError):
        await client.jobs.get(JOB_ID)


async def test_a_compressed_job_within_the_limit_is_read() -> None:
    body = gzip.compress(json.dumps(job_json()).encode(), mtime=0)
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    headless = raw_deflate.compress(json.dumps(job_json()).encode()) + raw_deflate.flush()
    for encoding, data in (("gzip", body), ("deflate", headless)):
        client = client_for(
            lambda r, e=encoding, d=data: httpx.Response(  # type: ignore[misc]
                200, stream=Stream(d, 7), headers={"content-encoding": e}
            )
        )
        job = await client.jobs.get(JOB_ID)
        assert job.id == JOB_ID


async def test_a_corrupt_gzip_body_is_a_connection_error_that_may_have_applied() -> None:
    client = client_for(
        lambda r: httpx.Response(
            200,
            stream=Stream(b"\x1f\x8b\x08\x00not gzip at all"),
            headers={"content-encoding": "gzip"},
        )
    )
    with pytest.raises(APIConnectionError, match="could not be decoded") as caught:
        await client.jobs.delete(JOB_ID)
    assert caught.value.may_have_applied


def test_a_14_mb_page_is_refused_under_a_smaller_cap_without_being_held() -> None:
    jobs = [job_json(f"{n:024x}") for n in range(60_000)]
    page = json.dumps({"pageInfo": {"lastPage": 1}, "data": jobs}).encode()
    del jobs
    assert len(page) > 14_000_000

    async def scenario(sized: bool) -> int:
        headers = {"content-length": str(len(page))} if sized else {}
        client = client_for(
            lambda r: httpx.Response(200, stream=Stream(page), headers=headers),
            max_response_bytes=2 * MIB,
        )
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError, match="larger than 2,097,152 bytes"):
                await client.jobs.list()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert anyio.run(scenario, True) < MIB  # refused on its Content-Length, nothing read
    assert anyio.run(scenario, False) < 2 * MIB + MIB  # read up to the cap, then dropped


async def test_an_error_answer_past_the_cap_is_refused_too() -> None:
    client = client_for(
        lambda r: httpx.Response(500, stream=Stream(bytes(3 * MIB))), max_response_bytes=MIB
    )
    with pytest.raises(ResponseTooLargeError) as caught:
        await client.jobs.get(JOB_ID)
    assert caught.value.status_code == 500
    assert not isinstance(caught.value, APIStatusError)


@pytest.mark.parametrize(
    ("status", "applied"), [(200, True), (299, True), (300, False), (500, True), (503, False)]
)
async def test_an_answer_past_the_cap_says_whether_the_delete_may_have_applied(
    status: int, applied: bool
) -> None:
    client = client_for(
        lambda r: httpx.Response(status, stream=Stream(bytes(2 * MIB))), max_response_bytes=MIB
    )
    with pytest.raises(ResponseTooLargeError) as caught:
        await client.jobs.delete(JOB_ID)
    assert caught.value.may_have_applied is applied
    assert ("may have taken effect" in str(caught.value)) is applied
