"""Hypothesis fuzz of answers: any status, headers and body a broken server or proxy could
send, through every endpoint. Only SDK-typed errors, no hang, memory bounded by the limit."""

from __future__ import annotations

import gzip
import json
import resource
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import FakeClock, job_json, make_client

from videosdk_async import DeleteOutcome, DeleteReport, EncodingJob, JobPage, VideoSDKError

MIB = 1024 * 1024
LIMIT = MIB  # the clients below refuse answers larger than this once decompressed
HANG_GUARD = 10.0  # seconds: no example may take anywhere near this (instant clock, no sleeps)
JOB_ID = "60531471e32e8e4eaea094fe"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    """JSON that is nearly right, plainly wrong, or deep."""
    kind = draw(st.sampled_from(["job", "page", "mutated", "any", "deep", "message"]))
    if kind == "job":
        value: Any = job_json(
            **draw(
                st.dictionaries(
                    st.sampled_from(
                        ["status", "presets", "createdAt", "error", "files", "userData", "id"]
                    ),
                    json_values,
                    max_size=3,
                )
            )
        )
    elif kind == "page":
        info = draw(
            st.dictionaries(
                st.sampled_from(["lastPage", "currentPage", "perPage"]),
                st.integers(-5, 10**12) | json_values,
                max_size=3,
            )
        )
        value = {
            "pageInfo": info,
            "data": draw(st.lists(st.just(job_json()) | json_values, max_size=3)),
        }
    elif kind == "mutated":
        value = {**job_json(), draw(st.text(max_size=10)): draw(json_values)}
    elif kind == "deep":
        depth = draw(st.integers(10, 200_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        return (opener * depth + ("1" if opener != "[" else "") + closer * depth).encode()
    elif kind == "message":
        value = {draw(st.sampled_from(["message", "error", "detail", "status"])): draw(json_values)}
    else:
        value = draw(json_values)
    return json.dumps(value).encode()  # NaN and Infinity included: a broken server sends them


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    """A status, headers and a body (possibly compressed, possibly a bomb)."""
    status = draw(
        st.sampled_from(
            [
                200,
                201,
                204,
                206,
                299,
                302,
                304,
                400,
                401,
                403,
                404,
                405,
                408,
                409,
                412,
                418,
                422,
                429,
                500,
                502,
                503,
                504,
                599,
            ]
        )
    )
    body = draw(
        st.one_of(
            json_bodies(),
            st.binary(max_size=300),
            st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.just(b""),
            st.just(b"<html><body>proxy</body></html>"),
        )
    )
    headers: dict[str, str] = {}
    charset = draw(st.sampled_from([None, "utf-8", "utf-16", "utf-32", "latin-1", "no-such", ""]))
    if charset is not None:
        headers["content-type"] = f"application/json; charset={charset}"
    coding = draw(
        st.sampled_from(
            [
                None,
                "gzip",
                "deflate",
                "gzip, gzip",
                "x-gzip",
                "br",
                "identity",
                "bogus",
                "gzip-garbage",
                "bomb",
            ]
        )
    )
    if coding == "bomb":
        body = gzip_of_zeros(draw(st.integers(LIMIT, 32 * MIB)))
        headers["content-encoding"] = "gzip"
    elif coding == "gzip-garbage":
        headers["content-encoding"] = "gzip"
    elif coding in ("gzip", "x-gzip", "deflate", "gzip, gzip"):
        body = gzip.compress(body, mtime=0) if coding != "deflate" else zlib.compress(body)
        if coding == "gzip, gzip":
            body = gzip.compress(body, mtime=0)
        headers["content-encoding"] = coding
    elif coding is not None:
        headers["content-encoding"] = coding
    if draw(st.booleans()):
        headers["retry-after"] = draw(
            st.sampled_from(
                [
                    "0",
                    "1",
                    "-5",
                    "nan",
                    "inf",
                    "1e309",
                    "9" * 400,
                    "Fri, 31 Dec 9999 23:59:59 GMT",
                    "Mon, 01 Jan 0001 00:00:00 GMT",
                    "soon",
                    "",
                ]
            )
        )
    if draw(st.booleans()):
        headers["x-request-id"] = draw(
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=300)
        )
    if draw(st.booleans()):
        headers["content-length"] = draw(
            st.sampled_from(["0", "-1", "abc", str(10**30), str(len(body))])
        )
    chunk = draw(st.sampled_from([1, 7, 4096, 65536]))
    return {"status": status, "headers": headers, "body": body, "chunk": chunk}


def gzip_of_zeros(size: int) -> bytes:
    """``size`` zero bytes, gzipped a MiB at a time: the test itself never holds the bomb."""
    packer = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MIB)
    parts = [packer.compress(zeros) for _ in range(size // MIB)]
    parts += [packer.compress(bytes(size % MIB)), packer.flush()]
    return b"".join(parts)


class Stream(httpx.AsyncByteStream):
    def __init__(self, data: bytes, chunk: int) -> None:
        self.data, self.chunk = data, chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            yield self.data[start : start + self.chunk]


ENDPOINTS = ["get", "list", "delete", "create", "create_recover", "delete_many", "iterate", "wait"]


async def exercise(endpoint: str, answer: dict[str, Any]) -> object:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls > 12:  # a walk or a wait that would go on: the server goes away
            raise httpx.ConnectError("gone", request=request)
        return httpx.Response(
            answer["status"],
            headers=answer["headers"],
            stream=Stream(answer["body"], answer["chunk"]),
        )

    clock = FakeClock()
    async with make_client(handler, clock, max_response_bytes=LIMIT, attempts=2) as client:
        jobs = client.jobs
        if endpoint == "get":
            return await jobs.get(JOB_ID)
        if endpoint == "list":
            return await jobs.list()
        if endpoint == "delete":
            return await jobs.delete(JOB_ID)
        if endpoint in ("create", "create_recover"):
            return await jobs.create(
                video_url="https://example.com/a.mp4",
                presets=[{"resolutions": ["360"], "format": "hls"}],
                recover=endpoint == "create_recover",
            )
        if endpoint == "delete_many":
            report = await jobs.delete_many([JOB_ID, "other", JOB_ID])
            assert sorted(report.results) == sorted([JOB_ID, "other"])
            return report
        if endpoint == "wait":
            return await jobs.wait(JOB_ID, timeout=30, sleep=clock.sleep, clock=clock)
        return [job async for job in jobs.iterate()]


@pytest.fixture(scope="module")
def rss_growth() -> Iterator[None]:
    """Memory stays bounded over the whole fuzz run: the high-water mark hardly moves."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    yield
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 200, f"peak memory grew by {grown_mib:.0f} MiB"


@pytest.mark.usefixtures("rss_growth")
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(endpoint=st.sampled_from(ENDPOINTS), answer=answers())
def test_any_answer_ends_in_a_result_or_an_sdk_error(endpoint: str, answer: dict[str, Any]) -> None:
    async def guarded() -> object:
        with anyio.fail_after(HANG_GUARD):
            try:
                return await exercise(endpoint, answer)
            except VideoSDKError as exc:
                return exc

    outcome = anyio.run(guarded)
    if isinstance(outcome, VideoSDKError):
        assert "\n" not in str(outcome)
        return
    expected = {"list": JobPage, "delete_many": DeleteReport, "iterate": list}.get(
        endpoint, EncodingJob
    )
    assert isinstance(outcome, expected)
    if isinstance(outcome, DeleteReport):
        assert all(isinstance(r.outcome, DeleteOutcome) for r in outcome)
        assert all(r.error is None or isinstance(r.error, VideoSDKError) for r in outcome)
