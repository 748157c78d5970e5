"""The natural clean-up deletes every queued job, against the emulator:

    ids = (j.id async for j in client.jobs.iterate(status=JobStatus.QUEUED))
    await client.jobs.delete_many(ids)

With nothing else going on, with another task deleting some of the same jobs meanwhile, and
with jobs created during the walk. (A forward walk deletes about half of 300 and silently
skips the rest: each delete shifts the later pages forward under it.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import anyio
import pytest
from support import seed_jobs

from videosdk_async import AsyncEncoderClient, DeleteOutcome, JobStatus
from videosdk_async.emulator import Emulator

pytestmark = [pytest.mark.integration, pytest.mark.videosdk_emulator(queued_seconds=None)]

MakeClient = Callable[..., AsyncEncoderClient]


def queued(emulator: Emulator) -> set[str]:
    return {job["id"] for job in emulator.jobs() if job["status"] == "queued"}


async def counted(source: AsyncIterator[str], into: list[str]) -> AsyncIterator[str]:
    """Pass ids through, remembering each one yielded (to check none comes twice)."""
    async for item in source:
        into.append(item)
        yield item


async def test_the_natural_clean_up_deletes_every_queued_job(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 330)
    busy = ids[::11]  # 30 jobs the encoder took: never yielded, never touched
    for job_id in busy:
        videosdk_emulator.force_status(job_id, "processing", hold=True)
    wanted = set(ids) - set(busy)
    assert len(wanted) == 300
    yielded: list[str] = []
    async with make_client() as client:
        queued_ids = (j.id async for j in client.jobs.iterate(status=JobStatus.QUEUED))
        report = await client.jobs.delete_many(counted(queued_ids, yielded))
    assert len(yielded) == len(set(yielded)) == 300
    assert set(report.deleted) == wanted and report.ok
    assert queued(videosdk_emulator) == set()
    assert {job["id"] for job in videosdk_emulator.jobs()} == set(busy)
    assert videosdk_emulator.ledger.duplicates() == {}


async def test_with_another_task_deleting_the_same_jobs(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 300)
    theirs = ids[::3]
    deleted_by_them: list[str] = []
    async with make_client() as client, make_client() as other:

        async def meanwhile() -> None:
            for job_id in theirs:
                outcome = (await other.jobs.delete_many([job_id])).results[job_id].outcome
                if outcome is DeleteOutcome.DELETED:
                    deleted_by_them.append(job_id)
                await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as group:
            group.start_soon(meanwhile)
            queued_ids = (
                j.id async for j in client.jobs.iterate(per_page=20, status=JobStatus.QUEUED)
            )
            report = await client.jobs.delete_many(queued_ids, concurrency=8)
    assert queued(videosdk_emulator) == set()
    assert set(report.deleted) | set(deleted_by_them) == set(ids)
    assert set(report.deleted).isdisjoint(deleted_by_them)
    # A job the other task got first is "not found" (or never listed): nothing failed.
    outcomes = {r.outcome for r in report}
    assert outcomes <= {DeleteOutcome.DELETED, DeleteOutcome.NOT_FOUND}, report.summary()
    assert videosdk_emulator.ledger.duplicates() == {}


async def test_with_jobs_created_during_the_walk(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 300)
    created: list[str] = []
    yielded: list[str] = []

    async def insert_while_walking(source: AsyncIterator[str]) -> AsyncIterator[str]:
        async for job_id in source:
            if len(yielded) % 50 == 0:  # every 50 ids, 10 new queued jobs
                created.extend(seed_jobs(videosdk_emulator, 10))
            yield job_id

    async with make_client() as client:
        walk = (j.id async for j in client.jobs.iterate(per_page=25, status=JobStatus.QUEUED))
        report = await client.jobs.delete_many(insert_while_walking(counted(walk, yielded)))
    assert len(created) >= 60  # 10 more for every 50 ids the walk gave
    assert len(yielded) == len(set(yielded))  # none twice
    assert set(ids) <= set(report.deleted)  # every job that existed all along
    left = queued(videosdk_emulator)
    assert left <= set(created)  # only new jobs may be left, and each is deleted or left
    assert set(report.deleted) | left == set(ids) | set(created)
    assert report.ok
