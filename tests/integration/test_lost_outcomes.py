"""Lost answers against the emulator: what the SDK reports agrees with the emulator's ledger.

A proxy page answering deletes, deletes whose answer was lost and whose retry the budget
refused, creates whose answer was lost (and found again with ``recover=True``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import anyio
from support import PRESET, ledger_disagreements, seed_jobs

from videosdk_async import (
    APIConnectionError,
    AsyncEncoderClient,
    DeleteOutcome,
    DeleteResult,
    EncodingJob,
    RetryBudget,
    VideoSDKError,
)
from videosdk_async.emulator import Emulator

MakeClient = Callable[..., AsyncEncoderClient]
DELETE_ROUTE = "DELETE /v1/encoder/jobs/{jobId}"
CREATE_ROUTE = "POST /v1/encoder/jobs"


async def test_a_proxy_page_on_a_tenth_of_deletes_is_never_counted_as_deleted(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 300)
    videosdk_emulator.set_faults(
        [
            {"kind": "garbage", "route": DELETE_ROUTE, "probability": 0.05},  # nothing deleted
            {"kind": "garbage", "route": DELETE_ROUTE, "probability": 0.05, "phase": "after"},
        ],
        seed=13,
    )
    first: dict[str, DeleteOutcome] = {}

    def on_progress(result: DeleteResult) -> None:
        first.setdefault(result.job_id, result.outcome)

    async with make_client() as client:
        report = await client.jobs.delete_many(ids, on_progress=on_progress)

    proxied = {job_id for job_id, outcome in first.items() if outcome is DeleteOutcome.UNKNOWN}
    fired = sum(rule["fired"] for rule in videosdk_emulator.faults.snapshot()["rules"])
    assert fired >= len(proxied) > 10  # every first proxy page noticed; none taken for a job
    assert ledger_disagreements(report, videosdk_emulator, existed=ids) == []
    assert report.ok == (report.counts[DeleteOutcome.UNKNOWN] == 0)
    still = {str(job["id"]) for job in videosdk_emulator.jobs()}
    assert still <= set(report.ids(DeleteOutcome.UNKNOWN))  # only what it says it cannot tell
    settled = proxied - set(report.ids(DeleteOutcome.UNKNOWN))  # re-checks can meet a proxy too
    assert len(settled) > 10
    for job_id in settled:
        # A proxy page after the delete: the re-check finds the job gone; before: deletes it.
        applied = _applied_first(videosdk_emulator, job_id)
        expected = DeleteOutcome.GONE if applied else DeleteOutcome.DELETED
        assert report[job_id].outcome is expected


def _applied_first(emulator: Emulator, job_id: str) -> bool:
    """Whether the delete that applied to ``job_id`` met a fault (its answer was hidden)."""
    return any(e.id == job_id and e.fault is not None for e in emulator.ledger.faulted())


async def test_deletes_lost_while_the_budget_is_spent_are_unknown_then_rechecked(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    ids = seed_jobs(videosdk_emulator, 200)
    videosdk_emulator.set_faults(
        [{"kind": "drop_after", "route": DELETE_ROUTE, "probability": 0.2}], seed=21
    )
    budget = RetryBudget(max_tokens=1, ratio=0, floor_per_second=0)
    assert budget.try_withdraw()  # spent: no retry will be allowed
    first: dict[str, DeleteResult] = {}

    def on_progress(result: DeleteResult) -> None:
        first.setdefault(result.job_id, result)
        if len(first) == len(ids):  # every first answer is in: the re-checks go unfaulted
            videosdk_emulator.clear_faults()

    async with make_client(retry_budget=budget) as client:
        report = await client.jobs.delete_many(ids, on_progress=on_progress)

    ledger = videosdk_emulator.ledger
    lost = {e.id for e in ledger.faulted()}
    unknown = {i for i, r in first.items() if r.outcome is DeleteOutcome.UNKNOWN}
    assert unknown == lost and len(lost) > 20  # reported unknown (may be deleted), not failed
    for job_id in unknown:
        error = first[job_id].error
        assert isinstance(error, APIConnectionError) and error.may_have_applied
        assert "not retried: the client's retry budget is spent" in str(error)
        assert "may have taken effect" in str(error)
        assert report[job_id].outcome is DeleteOutcome.GONE  # the re-check: 404, it was ours
    assert all(ledger.deletes(i) == 1 for i in ids)
    assert report.counts[DeleteOutcome.FAILED] == 0
    assert report.ok


async def _create_all(
    client: AsyncEncoderClient, count: int, *, recover: bool
) -> tuple[dict[int, EncodingJob], dict[int, VideoSDKError]]:
    made: dict[int, EncodingJob] = {}
    failed: dict[int, VideoSDKError] = {}
    numbers = iter(range(count))

    async def worker() -> None:
        for n in numbers:
            try:
                made[n] = await client.jobs.create(
                    video_url="https://example.com/a.mp4",
                    presets=[PRESET],
                    user_data={"n": n},
                    recover=recover,
                )
            except VideoSDKError as exc:
                failed[n] = exc

    async with anyio.create_task_group() as group:
        for _ in range(16):
            group.start_soon(worker)
    return made, failed


async def test_lost_creates_say_the_job_may_exist_and_recover_finds_every_one_that_does(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    faults = [
        {"kind": "drop_after", "route": CREATE_ROUTE, "probability": 0.2},
        {"kind": "drop_before", "route": CREATE_ROUTE, "probability": 0.1},
    ]
    figures: dict[bool, tuple[int, int, int]] = {}
    for recover in (False, True):
        videosdk_emulator.reset()
        videosdk_emulator.set_faults(faults, seed=8)
        async with make_client() as client:
            made, failed = await _create_all(client, 200, recover=recover)
        jobs = videosdk_emulator.jobs()
        copies = Counter(job["userData"]["n"] for job in jobs)
        assert max(copies.values()) == 1  # never two jobs for one create
        lost_but_made = {
            n for n in failed if copies[n] == 1
        }  # a create whose answer was lost although the job exists
        for exc in failed.values():
            assert isinstance(exc, APIConnectionError) and exc.may_have_applied
            assert "may exist" in str(exc) or "most likely not created" in str(exc)
        applied_hidden = len(videosdk_emulator.ledger.faulted())
        recovered = sum(
            1 for job in made.values() if job.user_data and "_videosdkCreateId" in job.user_data
        )
        figures[recover] = (applied_hidden, len(lost_but_made), len(failed))
        if recover:
            assert lost_but_made == set()  # every create that made a job returned it
            for n in failed:  # and every one reported "not created" was not
                assert copies[n] == 0
                assert "most likely not created" in str(failed[n])
            assert recovered == len(made)  # every body carried its marker
        else:
            assert len(lost_but_made) == applied_hidden > 10
    print(f"lost creates that had made a job (recover=False, True): {figures}")
