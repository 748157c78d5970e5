"""Thousands of calls at once: no PoolTimeout, no deadline errors, no stranded connections."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import anyio
import httpx
import pytest
from support import seed_jobs

from videosdk_async import (
    AsyncEncoderClient,
    ConfigurationError,
    DeleteOutcome,
    EncodingJob,
    JobStatus,
    TimeoutPolicy,
)
from videosdk_async.emulator import Emulator

MakeClient = Callable[..., AsyncEncoderClient]


async def test_gather_of_10000_deletes_with_default_settings(
    videosdk_emulator: Emulator,
) -> None:
    ids = seed_jobs(videosdk_emulator, 10_000)
    async with AsyncEncoderClient(
        api_key=videosdk_emulator.api_key,
        secret=videosdk_emulator.secret,
        base_url=videosdk_emulator.base_url,
    ) as client:
        results = await asyncio.gather(
            *(client.jobs.delete(job_id) for job_id in ids), return_exceptions=True
        )
    errors = [r for r in results if not isinstance(r, EncodingJob)]
    assert errors == []
    assert videosdk_emulator.ledger.total("delete_job") == 10_000
    assert videosdk_emulator.jobs() == []


async def test_cancelled_callers_never_strand_a_pool_connection(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 3000)
    rng = random.Random(1234)
    # A borrowed pool of 8 connections: more calls in flight than it holds would wait in
    # httpx's pool, where a cancelled caller can strand a connection (httpcore leaves it
    # CONNECTING). So the client refuses that, and by default runs no more than the pool holds.
    http = httpx.AsyncClient(limits=httpx.Limits(max_connections=8, max_keepalive_connections=8))
    with pytest.raises(ConfigurationError, match=r"more than the connection pool holds \(8\)"):
        make_client(http_client=http, max_concurrency=32)
    videosdk_emulator.set_faults([{"kind": "latency", "delay": 0.0, "delay_max": 0.01}], seed=3)
    async with make_client(http_client=http) as client:
        assert client.max_concurrency == 8
        # Callers are cancelled while connecting, mid-request and mid-body.

        async def cancelled_at_random(job_id: str) -> None:
            with anyio.move_on_after(rng.uniform(0, 0.05)):
                await client.jobs.get(job_id)

        async with anyio.create_task_group() as group:
            for job_id in ids:
                group.start_soon(cancelled_at_random, job_id)

        videosdk_emulator.clear_faults()
        # The pool must be whole again: 1,000 more calls succeed, and none fails waiting for
        # a connection (a stranded one would never come back: PoolTimeout after 2 s).
        fresh = client.with_options(timeout=TimeoutPolicy(30, pool=2))
        jobs = await asyncio.gather(*(fresh.jobs.get(job_id) for job_id in ids[:1000]))
    await http.aclose()
    assert [j.id for j in jobs] == ids[:1000]
    assert all(j.raw_response is not None and j.raw_response.attempts == 1 for j in jobs)


@pytest.mark.videosdk_emulator(queued_seconds=None)
async def test_delete_queued_across_shifting_pages_on_the_emulator(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 2000)
    busy = set(ids[::4])
    for job_id in busy:
        videosdk_emulator.force_status(job_id, "processing", hold=True)
    async with make_client() as client:
        report = await client.jobs.delete_queued(per_page=9, concurrency=32)
    assert set(report.deleted) == set(ids) - busy
    assert report.counts[DeleteOutcome.NOT_DELETABLE] == 0
    remaining = videosdk_emulator.jobs()
    assert {j["id"] for j in remaining} == busy
    assert {j["status"] for j in remaining} == {JobStatus.PROCESSING.value}
    last_page = -(-2000 // 9)
    for page in range(1, last_page + 1):
        fetched = videosdk_emulator.request_count(
            "GET", "/v1/encoder/jobs", params={"page": page, "perPage": 9}
        )
        # Each page once; page 1 once more to check nothing appeared in front of the walk.
        assert fetched == (2 if page == 1 else 1), page
