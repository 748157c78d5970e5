"""An ``httpx2.AsyncClient`` on a real loopback socket (httpcore2 underneath) to the emulator:
the whole call path, retries and failures included."""

from __future__ import annotations

import pytest
from support import PRESET, instant, seed_jobs

from videosdk_async import (
    APIConnectionError,
    AsyncEncoderClient,
    JobNotFoundError,
    JobStatus,
    RetryPolicy,
)
from videosdk_async.emulator import Emulator

httpx2 = pytest.importorskip("httpx2")

pytestmark = pytest.mark.integration


def over_httpx2(emulator: Emulator, http: httpx2.AsyncClient) -> AsyncEncoderClient:
    return AsyncEncoderClient(
        api_key=emulator.api_key,
        secret=emulator.secret,
        base_url=emulator.base_url,
        http_client=http,
        retry=RetryPolicy(3, sleep=instant),
        retry_budget=None,
    )


async def test_every_endpoint_over_a_borrowed_httpx2_client(videosdk_emulator: Emulator) -> None:
    seed_jobs(videosdk_emulator, 5)
    async with httpx2.AsyncClient() as http, over_httpx2(videosdk_emulator, http) as client:
        job = await client.jobs.create(video_url="https://example.com/a.mp4", presets=[PRESET])
        assert (await client.jobs.get(job.id)).status is JobStatus.QUEUED
        ids = [j.id async for j in client.jobs.list(per_page=2)]
        assert len(ids) == 6 and job.id in ids
        deleted = await client.jobs.delete(job.id)
        assert deleted.id == job.id
        with pytest.raises(JobNotFoundError):
            await client.jobs.get(job.id)
        assert not http.is_closed
    methods = [r.method for r in videosdk_emulator.requests()]
    assert methods == ["POST", "GET", "GET", "GET", "GET", "DELETE", "GET"]


async def test_faults_over_httpx2_are_retried_and_mapped(videosdk_emulator: Emulator) -> None:
    (job_id,) = seed_jobs(videosdk_emulator, 1)
    videosdk_emulator.set_faults([{"kind": "status", "status": 503, "times": 2}])
    async with httpx2.AsyncClient() as http, over_httpx2(videosdk_emulator, http) as client:
        job = await client.jobs.get(job_id)
        assert job.raw_response is not None and job.raw_response.attempts == 3
        videosdk_emulator.set_faults([{"kind": "drop_before", "route": "GET *"}])
        with pytest.raises(APIConnectionError) as info:
            await client.jobs.get(job_id)
        assert info.value.attempts == 3  # a dropped connection is retried, then reported
