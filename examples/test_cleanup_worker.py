"""The long-running clean-up worker, tested against the emulator.

In process, the emulator's manual clock stands in for days of wall time: the worker's
clock is the emulator's and its pause between rounds advances that clock by a minute, so
an hour of rounds takes a few milliseconds. Two more tests run the worker as a real
process and stop it with a real SIGTERM or SIGINT.

Needs: pytest, pytest-asyncio, ``videosdk-async[emulator]``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import anyio
import httpx
import pytest
import pytest_asyncio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream
from cleanup_worker import CleanupWorker, main

from videosdk_async import AsyncEncoderClient, CallNext, DeleteReport, RetryPolicy
from videosdk_async.emulator import Emulator

WORKER = Path(__file__).with_name("cleanup_worker.py")
JOB = {
    "videoUrl": "https://example.com/talk.mp4",
    "presets": [{"resolutions": ["360"], "format": "hls"}],
}


async def skip_backoff(seconds: float) -> None:
    """Retries happen at once here: the retry policy's sleep is injectable."""


@pytest_asyncio.fixture
async def client(videosdk_emulator: Emulator) -> AsyncIterator[AsyncEncoderClient]:
    async with AsyncEncoderClient(
        api_key=videosdk_emulator.api_key,
        secret=videosdk_emulator.secret,
        base_url=videosdk_emulator.base_url,
        retry=RetryPolicy(sleep=skip_backoff),
    ) as client:
        yield client


# --8<-- [start:minutes]
class Minutes:
    """The worker's pause: each call moves the emulator's clock on by the pause's length and
    then runs what the test planned for that minute."""

    def __init__(self, emulator: Emulator, plan: dict[int, Callable[[], object]]) -> None:
        self.emulator = emulator
        self.plan = plan
        self.minute = 0

    async def sleep(self, seconds: float) -> None:
        self.emulator.advance(seconds)
        self.minute += round(seconds / 60)
        action = self.plan.get(self.minute)
        if action is not None:
            action()


# --8<-- [end:minutes]


# --8<-- [start:outages]
@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)  # jobs stay queued until deleted
async def test_deletes_old_queued_jobs_every_minute_through_outages(
    client: AsyncEncoderClient, videosdk_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = videosdk_emulator
    jobs: dict[str, str] = {}

    def create(name: str) -> Callable[[], None]:
        return lambda: jobs.__setitem__(name, emulator.create_job(JOB)["id"])

    def outage(**fault: object) -> Callable[[], None]:
        return lambda: emulator.set_faults([fault])

    rounds: dict[int, DeleteReport] = {}
    worker: CleanupWorker
    plan: dict[int, Callable[[], object]] = {
        2: create("late"),  # due at minute 13 (a round deletes jobs created before now - 10)
        12: outage(kind="status", status=503),  # round 13: a burst of 503s on every request
        13: outage(kind="drop_before"),  # round 14: the API is down, connections cut
        14: emulator.clear_faults,
        20: lambda: worker.stop(),
    }
    minutes = Minutes(emulator, plan)
    worker = CleanupWorker(
        client,
        older_than=timedelta(minutes=10),
        every=60,
        clock=emulator.now,
        sleep=minutes.sleep,
        on_round=lambda number, report: rounds.__setitem__(number - 1, report),  # by minute
    )
    create("early")()  # minute 0

    with caplog.at_level(logging.INFO, logger="cleanup_worker"), anyio.fail_after(10):
        totals = await worker.run()

    # One round a minute, minutes 0 to 19 (round n at minute n - 1); no real waiting.
    assert sorted(rounds) == list(range(20))
    deleted_at = {m: report.deleted for m, report in rounds.items() if report.deleted}
    # "early" (minute 0) is due at minute 11; "late" (minute 2) was due at minute 13, when
    # the API was down, and went at the next round.
    assert deleted_at == {11: [jobs["early"]], 14: [jobs["late"]]}
    assert [emulator.ledger.deletes(job_id) for job_id in jobs.values()] == [1, 1]
    assert emulator.jobs() == []

    # Each outage round cost exactly one log line, a warning that says why.
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("round 13: 0 jobs: nothing to do; stopped early: the list")
    assert "HTTP 503" in warnings[0]
    assert warnings[1].startswith("round 14: 0 jobs: nothing to do; stopped early: the list")
    assert str(totals) == "20 rounds, 2 deleted, 2 with trouble"


# --8<-- [end:outages]


@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)
async def test_a_round_that_raises_is_logged_and_the_next_round_runs(
    videosdk_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    async def broken_once(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug somewhere")
        return await call_next(request)

    job_id = videosdk_emulator.create_job(JOB)["id"]
    async with AsyncEncoderClient(
        api_key=videosdk_emulator.api_key,
        secret=videosdk_emulator.secret,
        base_url=videosdk_emulator.base_url,
        middleware=[broken_once],
    ) as client:
        worker = CleanupWorker(
            client, older_than=timedelta(0), clock=a_second_later(videosdk_emulator)
        )
        with caplog.at_level(logging.INFO, logger="cleanup_worker"):
            first = await worker.run_round()
            second = await worker.run_round()

    assert first.stopped == "RuntimeError: a bug somewhere"
    assert second.deleted == [job_id]
    worker_records = [r for r in caplog.records if r.name == "cleanup_worker"]
    assert [r.levelname for r in worker_records] == ["WARNING", "INFO"]


@pytest.mark.videosdk_emulator(queued_seconds=None)
def test_the_worker_runs_on_trio_too(videosdk_emulator: Emulator) -> None:
    ids = [videosdk_emulator.create_job(JOB)["id"] for _ in range(3)]

    async def two_rounds() -> list[DeleteReport]:
        async with AsyncEncoderClient(
            api_key=videosdk_emulator.api_key,
            secret=videosdk_emulator.secret,
            base_url=videosdk_emulator.base_url,
        ) as client:
            worker = CleanupWorker(
                client, older_than=timedelta(0), clock=a_second_later(videosdk_emulator)
            )
            return [await worker.run_round(), await worker.run_round()]

    first, second = anyio.run(two_rounds, backend="trio")
    assert sorted(first.deleted) == sorted(ids)
    assert second.summary() == "0 jobs: nothing to do"


def test_bad_options_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        anyio.run(main, ["--older-than", "-1"])
    assert stopped.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("error: --older-than must be a number >= 0, got -1.0")
    )


def a_second_later(emulator: Emulator) -> Callable[[], datetime]:
    """A clock one second ahead of the emulator's: every job it holds is old enough."""
    return lambda: emulator.now() + timedelta(seconds=1)


@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)
@pytest.mark.parametrize(("grace", "finished"), [(60.0, True), (0.0, False)])
async def test_stop_lets_the_round_in_flight_finish_within_its_grace(
    videosdk_emulator: Emulator, grace: float, finished: bool
) -> None:
    ids = [videosdk_emulator.create_job(JOB)["id"] for _ in range(3)]
    held, release = anyio.Event(), anyio.Event()
    holding = 0

    async def hold_deletes(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        nonlocal holding
        if request.method == "DELETE":
            holding += 1
            held.set()  # a batch's first delete goes alone: the others wait for its answer
            await release.wait()
        return await call_next(request)

    async with AsyncEncoderClient(
        api_key=videosdk_emulator.api_key,
        secret=videosdk_emulator.secret,
        base_url=videosdk_emulator.base_url,
        middleware=[hold_deletes],
    ) as client:
        worker = CleanupWorker(
            client, older_than=timedelta(0), clock=a_second_later(videosdk_emulator)
        )
        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                group.start_soon(worker.run)
                await held.wait()  # the round's first delete is in flight
                worker.stop(grace=grace)  # a zero grace cancels the round now
                release.set()

    report = worker.last
    assert report is not None
    assert worker.totals.rounds == 1
    if finished:
        assert report.complete
        assert sorted(report.deleted) == sorted(ids)
        assert [videosdk_emulator.ledger.deletes(i) for i in ids] == [1, 1, 1]
    else:  # cut short: the delete under way is reported in flight; nothing was applied
        assert not report.complete
        assert len(report.in_flight) == 1 and report.in_flight <= set(ids)
        assert report.summary() == "0 jobs: nothing to do; interrupted with 1 in flight"
        assert [videosdk_emulator.ledger.deletes(i) for i in ids] == [0, 0, 0]
        assert len(videosdk_emulator.jobs()) == 3  # still queued, for the next run


@asynccontextmanager
async def worker_process(emulator: Emulator, *args: str) -> AsyncIterator[Process]:
    """The worker as its own process, configured through the environment as in production
    (killed if a test fails before it has exited)."""
    env = {
        **os.environ,
        "VIDEOSDK_BASE_URL": str(emulator.base_url),
        "VIDEOSDK_API_KEY": emulator.api_key,
        "VIDEOSDK_SECRET_KEY": emulator.secret,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("VIDEOSDK_TOKEN", None)
    process = await anyio.open_process([sys.executable, str(WORKER), *args], env=env)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.aclose()


async def read_log_until(process: Process, wanted: Callable[[list[str]], bool]) -> list[str]:
    """The worker's log lines (its stderr), read until ``wanted(lines)``."""
    assert process.stderr is not None
    stream = BufferedByteReceiveStream(process.stderr)
    lines: list[str] = []
    while not wanted(lines):
        lines.append((await stream.receive_until(b"\n", 65536)).decode())
    return lines


async def stdout_of(process: Process) -> str:
    """Everything the process printed, once it has exited."""
    assert process.stdout is not None
    return b"".join([chunk async for chunk in process.stdout]).decode()


# --8<-- [start:sigterm]
@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)
async def test_sigterm_mid_round_reports_the_batch_in_flight(videosdk_emulator: Emulator) -> None:
    ids = [videosdk_emulator.create_job(JOB)["id"] for _ in range(5)]
    stuck = ids[-1]  # its delete never gets an answer
    videosdk_emulator.add_fault(kind="hang", route=f"DELETE /v1/encoder/jobs/{stuck}", delay=60)

    args = ["--older-than", "0", "--every", "3600", "--grace", "0.2", "-v"]
    async with worker_process(videosdk_emulator, *args) as process:
        with anyio.fail_after(20):
            await read_log_until(process, lambda lines: sum(": deleted" in x for x in lines) == 4)
            process.send_signal(signal.SIGTERM)  # mid-round: one delete is still in flight
            code = await process.wait()
            printed = await stdout_of(process)

    assert code == 0
    assert printed.splitlines() == [
        "stopped after 1 round, 4 deleted, 1 with trouble",
        "last round: 4 jobs: 4 deleted; interrupted with 1 in flight",
        f"in flight when stopped (may or may not be deleted): {stuck}",
    ]
    assert [videosdk_emulator.ledger.deletes(i) for i in ids] == [1, 1, 1, 1, 0]
    assert [job["id"] for job in videosdk_emulator.jobs()] == [stuck]  # for the next run


# --8<-- [end:sigterm]


@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)
async def test_sigint_between_rounds_stops_at_once(videosdk_emulator: Emulator) -> None:
    ids = [videosdk_emulator.create_job(JOB)["id"] for _ in range(3)]

    args = ["--older-than", "0", "--every", "3600"]
    async with worker_process(videosdk_emulator, *args) as process:
        with anyio.fail_after(20):
            log = await read_log_until(process, lambda lines: any("round 1:" in x for x in lines))
            process.send_signal(signal.SIGINT)  # during the hour-long pause
            code = await process.wait()
            printed = await stdout_of(process)

    assert code == 0
    assert all(" cleanup_worker: " in line for line in log), log  # not a line per request
    assert printed.splitlines() == [
        "stopped after 1 round, 3 deleted, 0 with trouble",
        "last round: 3 jobs: 3 deleted",
    ]
    assert [videosdk_emulator.ledger.deletes(i) for i in ids] == [1, 1, 1]
