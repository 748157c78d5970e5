"""The SDK against the emulator over a real loopback socket: endpoints, lifecycle, auth, faults."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support import PRESET, seed_jobs

from videosdk_async import (
    APIConnectionError,
    AsyncEncoderClient,
    AuthenticationError,
    BadRequestError,
    DeadlineExceededError,
    DeleteOutcome,
    JobNotDeletableError,
    JobNotFoundError,
    JobStatus,
    RateLimitError,
    TimeoutPolicy,
)
from videosdk_async.emulator import Emulator

MakeClient = Callable[..., AsyncEncoderClient]
UNKNOWN = "0123456789abcdef01234567"


async def test_every_job_endpoint_round_trips(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    upload = videosdk_emulator.upload_file("talk.mp4")
    async with make_client() as client:
        job = await client.jobs.create(
            video_id=upload["id"],
            presets=[PRESET, {"resolutions": ["4K"], "format": "mp4"}],
            thumbnails=[{"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg"]}],
            webhook_url="http://127.0.0.1:9/hook",
            user_data={"team": "video"},
        )
        assert job.status is JobStatus.QUEUED
        assert len(job.id) == 24
        assert job.video_id == upload["id"]
        assert [p.format for p in job.presets] == ["hls", "mp4"]
        assert all(p.id for p in job.presets)
        assert job.presets[1].resolutions == ["4k"]
        assert job.thumbnails[0].id
        assert job.user_data == {"team": "video"}
        assert job.created_at is not None
        assert job.created_at.tzinfo is not None
        assert job.raw_response is not None
        assert job.raw_response.attempts == 1

        fetched = await client.jobs.get(job.id)
        assert fetched.id == job.id
        assert fetched.user is not None
        assert fetched.user.email

        page = await client.jobs.list(page=1, per_page=10)
        assert [j.id for j in page.data] == [job.id]
        assert page.page_info.last_page == 1

        deleted = await client.jobs.delete(job.id)
        assert deleted.id == job.id
        with pytest.raises(JobNotFoundError) as caught:
            await client.jobs.get(job.id)
        assert job.id in str(caught.value)
    assert videosdk_emulator.ledger.creates(job.id) == 1
    assert videosdk_emulator.ledger.deletes(job.id) == 1


async def test_lifecycle_delete_refused_and_wait(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    (job_id,) = seed_jobs(videosdk_emulator, 1)
    videosdk_emulator.advance(6)  # queued_seconds is 5: now processing
    async with make_client() as client:
        with pytest.raises(JobNotDeletableError) as caught:
            await client.jobs.delete(job_id)
        error = caught.value
        assert error.job_id == job_id
        assert error.job_status == "processing"
        assert error.status_code == 409
        assert f"job {job_id} cannot be deleted because it is processing" in str(error)

        videosdk_emulator.advance(60)
        done = await client.jobs.wait(job_id, timeout=5, poll_interval=0.01)
        assert done.status is JobStatus.COMPLETED
        assert done.started_at is not None
        assert done.finished_at is not None
        hls = [f for f in done.files if f.type == "x-tar"]
        assert len(hls) == 2  # one per preset resolution
        assert all(f.file_url and f.file_url.endswith("index.m3u8") for f in hls)


async def test_create_refused_by_the_server_names_the_field(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    videosdk_emulator.upload_file()  # from the first upload on, a videoId must name one
    async with make_client() as client:
        with pytest.raises(BadRequestError) as caught:
            await client.jobs.create(video_id=UNKNOWN, presets=[PRESET])
    assert "videoId" in str(caught.value)
    assert caught.value.status_code == 400


async def test_pagination_across_pages(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 45)
    async with make_client() as client:
        third = await client.jobs.list(page=3, per_page=20)
        assert [j.id for j in third.data] == ids[40:]
        assert third.page_info.last_page == 3
        seen = [job.id async for job in client.jobs.iterate(per_page=20)]
    assert seen == ids[40:] + ids[20:40] + ids[:20]  # last page first, each in API order
    for page, times in ((1, 2), (2, 1), (3, 2)):  # page 1 read again at the end; 3 by list()
        count = videosdk_emulator.request_count(
            "GET", "/v1/encoder/jobs", params={"page": page, "perPage": 20}
        )
        assert count == times


async def test_auth_failures(videosdk_emulator: Emulator, make_client: MakeClient) -> None:
    async with make_client(secret="not-the-emulator-secret-0123456789") as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.jobs.list()
    assert caught.value.attempts == 2  # minted token refused, renewed once, refused again
    assert "not-the-emulator-secret" not in str(caught.value)

    async with make_client(token="wrong-fixed-token") as client:
        with pytest.raises(AuthenticationError) as fixed:
            await client.jobs.list()
    assert fixed.value.attempts == 1
    assert "wrong-fixed-token" not in str(fixed.value)

    async with make_client(token=videosdk_emulator.token) as client:
        page = await client.jobs.list()
    assert page.data == []


# -- faults ---------------------------------------------------------------------------------


async def test_transient_503_and_truncated_body_are_retried_on_get(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    (job_id,) = seed_jobs(videosdk_emulator, 1)
    videosdk_emulator.set_faults(
        [
            {"kind": "status", "status": 503, "route": "GET /v1/encoder/jobs/*", "times": 1},
            {"kind": "truncate", "route": "GET /v1/encoder/jobs/*", "times": 1},
        ]
    )
    async with make_client() as client:
        job = await client.jobs.get(job_id)
    assert job.raw_response is not None
    assert job.raw_response.attempts == 3


async def test_drop_after_delete_is_reported_as_gone_and_applied_once(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 2)
    videosdk_emulator.set_faults([{"kind": "drop_after", "route": f"DELETE *{ids[0]}", "times": 1}])
    async with make_client() as client:
        gone = await client.jobs.delete(ids[0])  # for a delete, gone is the goal: no error
        assert gone.id == ids[0]
        assert gone.raw_response is not None and gone.raw_response.gone
        assert gone.raw_response.attempts == 2 and gone.raw_response.status_code == 404
        report = await client.jobs.delete_many(ids)
    assert report[ids[0]].outcome is DeleteOutcome.NOT_FOUND  # already gone before this batch
    assert report[ids[1]].outcome is DeleteOutcome.DELETED
    assert videosdk_emulator.ledger.deletes(ids[0]) == 1
    assert videosdk_emulator.ledger.duplicates() == {}


async def test_create_is_never_applied_twice(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    videosdk_emulator.set_faults([{"kind": "drop_after", "route": "POST /v1/encoder/jobs"}])
    async with make_client() as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.jobs.create(video_url="https://example.com/a.mp4", presets=[PRESET])
    assert caught.value.attempts == 1  # the bytes reached the server: never re-sent
    assert videosdk_emulator.ledger.total("create_job") == 1

    videosdk_emulator.set_faults([{"kind": "drop_before", "route": "POST /v1/encoder/jobs"}])
    async with make_client() as client:
        with pytest.raises(APIConnectionError):
            await client.jobs.create(video_url="https://example.com/a.mp4", presets=[PRESET])
    assert videosdk_emulator.ledger.total("create_job") == 1


async def test_rate_limit_longer_than_the_deadline_raises_at_once(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    videosdk_emulator.set_faults([{"kind": "rate_limit", "retry_after": 120}])
    async with make_client() as client:
        with pytest.raises(RateLimitError) as caught:
            await client.jobs.list()
    assert caught.value.retry_after == 120
    assert caught.value.attempts == 1


async def test_rate_limit_within_budget_is_waited_out(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    videosdk_emulator.set_faults([{"kind": "rate_limit", "retry_after": 1, "times": 2}])
    async with make_client() as client:
        page = await client.jobs.list()
    assert page.raw_response is not None
    assert page.raw_response.attempts == 3


async def test_latency_past_the_deadline_raises_deadline_exceeded(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    videosdk_emulator.set_faults([{"kind": "latency", "delay": 1}])
    async with make_client(timeout=TimeoutPolicy(0.3)) as client:
        with pytest.raises(DeadlineExceededError) as caught:
            await client.jobs.list()
    assert caught.value.deadline == 0.3
    assert "deadline of 0.3s exceeded" in str(caught.value)


async def test_seeded_flaky_deletes_lose_no_outcome(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 300)
    videosdk_emulator.set_faults(
        [
            {"kind": "drop_after", "route": "DELETE *", "probability": 0.1},
            {"kind": "status", "status": 503, "route": "DELETE *", "probability": 0.1},
        ],
        seed=7,
    )
    async with make_client() as client:
        report = await client.jobs.delete_many(ids + ids[:50], concurrency=16)
    assert len(report) == 300
    assert report.duplicates == 50
    assert set(report.results) == set(ids)
    counts = report.counts
    assert counts[DeleteOutcome.GONE] > 0
    assert (
        counts[DeleteOutcome.DELETED] + counts[DeleteOutcome.GONE] + counts[DeleteOutcome.FAILED]
        == 300
    )
    # Every id the server deleted is reported deleted or gone; none was deleted twice.
    applied = {e.id for e in videosdk_emulator.ledger.entries if e.op == "delete_job"}
    reported = set(report.deleted) | set(report.ids(DeleteOutcome.GONE))
    assert reported <= applied
    assert videosdk_emulator.ledger.duplicates() == {}
    for failed in report.failed:
        assert report[failed].error is not None
