"""A borrowed ``httpx2.AsyncClient``: requests go through it, answers and failures come back
as the httpx ones the SDK knows (retries, error mapping, size limit, request ids)."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from support import JOB_ID, TOKEN, job_json

from videosdk_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncEncoderClient,
    ConfigurationError,
    JobNotFoundError,
    ResponseTooLargeError,
    RetryPolicy,
)

httpx2 = pytest.importorskip("httpx2")

JOBS = "/v1/encoder/jobs"


async def _no_sleep(_: float) -> None:
    return


class Recorder:
    """An httpx2 MockTransport handler: answers in turn (responses or exceptions to raise)."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.seen: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, httpx2.Response)
        return answer

    def client(self, **kwargs: object) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self), **kwargs)


def sdk(http: httpx2.AsyncClient, **kwargs: object) -> AsyncEncoderClient:
    kwargs.setdefault("retry", RetryPolicy(sleep=_no_sleep))
    kwargs.setdefault("retry_budget", None)
    return AsyncEncoderClient(TOKEN, http_client=http, **kwargs)  # type: ignore[arg-type]


async def test_calls_go_through_the_httpx2_client_with_the_sdks_headers() -> None:
    api = Recorder(httpx2.Response(200, json=job_json(), headers={"X-Request-Id": "r-2"}))
    async with api.client(headers={"X-Team": "media"}) as http, sdk(http) as client:
        job = await client.jobs.get(JOB_ID)
        created = await client.jobs.create(
            video_id="v1", presets=[{"resolutions": ["720"], "format": "hls"}]
        )
    get, post = api.seen
    assert get.url == f"https://api.videosdk.live{JOBS}/{JOB_ID}"
    assert get.headers["User-Agent"].startswith("videosdk-async/")
    assert (get.headers["Authorization"], get.headers["X-Team"]) == (TOKEN, "media")
    assert get.headers["Accept"] == "application/json"
    assert get.extensions["timeout"] == {"connect": 5.0, "read": 20.0, "write": 20.0, "pool": 5.0}
    assert post.method == "POST" and post.headers["Content-Type"] == "application/json"
    assert json.loads(post.content) == {
        "videoId": "v1",
        "presets": [{"resolutions": ["720"], "format": "hls"}],
    }
    assert job.id == created.id == JOB_ID and job.request_id == "r-2"
    assert job.raw_response is not None
    assert isinstance(job.raw_response.http_response, httpx.Response)


async def test_a_gzip_answer_is_decoded_and_measured_by_the_sdk() -> None:
    body = gzip.compress(json.dumps(job_json()).encode())
    api = Recorder(httpx2.Response(200, content=body, headers={"Content-Encoding": "gzip"}))
    async with api.client() as http:
        job = await sdk(http).jobs.get(JOB_ID)
        assert job.id == JOB_ID
        with pytest.raises(ResponseTooLargeError):
            await sdk(http, max_response_bytes=100).jobs.get(JOB_ID)


async def test_an_error_answer_maps_to_the_typed_error_with_its_request_id() -> None:
    not_found = {"message": "Job not found"}
    api = Recorder(httpx2.Response(404, json=not_found, headers={"X-Request-Id": "r-4"}))
    async with api.client() as http:
        with pytest.raises(JobNotFoundError) as info:
            await sdk(http).jobs.get(JOB_ID)
    err = info.value
    assert err.request_id == "r-4" and str(err).endswith("[request id: r-4]")
    assert isinstance(err.response, httpx.Response) and err.response.status_code == 404


async def test_httpx2_failures_feed_the_retry_decision_as_httpx_ones() -> None:
    # A create is retried only when it provably never left: a connect error.
    api = Recorder(httpx2.ConnectError("refused"), httpx2.Response(201, json=job_json()))
    async with api.client() as http:
        job = await sdk(http).jobs.create(
            video_id="v1", presets=[{"resolutions": ["720"], "format": "hls"}]
        )
    assert job.raw_response is not None and job.raw_response.attempts == 2
    # A read timeout after a create may have been applied: not retried, a typed error.
    api = Recorder(httpx2.ReadTimeout("slow"), httpx2.Response(201, json=job_json()))
    async with api.client() as http:
        with pytest.raises(APITimeoutError) as info:
            await sdk(http).jobs.create(
                video_id="v1", presets=[{"resolutions": ["720"], "format": "hls"}]
            )
    assert len(api.seen) == 1 and info.value.may_have_applied
    assert "ReadTimeout" in str(info.value)


async def test_an_httpx2_only_failure_is_still_a_connection_error() -> None:
    api = Recorder(httpx2.SSEError("not an event stream"))
    async with api.client() as http:
        with pytest.raises(APIConnectionError, match="SSEError"):
            await sdk(http, retry=None).jobs.get(JOB_ID)


async def test_clients_on_one_httpx2_client_share_its_pool_limit_and_leave_it_open() -> None:
    api = Recorder(httpx2.Response(200, json=job_json()))
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(api))
    one = sdk(http, max_concurrency=4)
    two = sdk(http)
    copy = AsyncEncoderClient(TOKEN).with_options(http_client=http)
    assert one._core.gate is two._core.gate is copy._core.gate
    assert two.max_concurrency == 4
    async with one:
        await one.jobs.get(JOB_ID)
    assert not http.is_closed
    await http.aclose()


def test_the_pool_size_of_an_httpx2_client_bounds_max_concurrency() -> None:
    http = httpx2.AsyncClient(limits=httpx2.Limits(max_connections=8))
    assert AsyncEncoderClient(TOKEN, http_client=http).max_concurrency == 8
    with pytest.raises(ConfigurationError, match="more than the connection pool holds"):
        AsyncEncoderClient(TOKEN, http_client=http, max_concurrency=9)


def test_a_sync_httpx2_client_is_refused_in_one_line() -> None:
    with httpx2.Client() as sync_client, pytest.raises(ConfigurationError) as info:
        AsyncEncoderClient(TOKEN, http_client=sync_client)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert "httpx2.Client" in message and "pass an httpx2.AsyncClient" in message
