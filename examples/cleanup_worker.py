"""A worker that runs for days: every minute, delete the queued jobs older than N minutes.

    export VIDEOSDK_BASE_URL=… VIDEOSDK_API_KEY=… VIDEOSDK_SECRET_KEY=…
    python examples/cleanup_worker.py --older-than 30          # minutes; one round a minute

- An outage (the API down, a burst of 5xx) costs one log line per round and nothing else:
  the loop never ends on an error, and what a round could not delete is still queued for
  the next one.
- SIGTERM or SIGINT stops it cleanly: between rounds at once; during a round, once the round
  has finished (``--grace`` seconds at most, then the round is cancelled). A second signal
  stops it now. On the way out it prints the last round's report, so nothing is lost: every
  job the round looked at is reported deleted, or failed, or in flight (its delete may or
  may not have happened; a job still queued is picked up by the next run).

Plain anyio: runs on asyncio (the default) or trio. The clock and the pause between rounds
are injectable, so a test drives it minute by minute without waiting.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import anyio

from videosdk_async import (
    AsyncEncoderClient,
    DeleteOutcome,
    DeleteReport,
    DeleteResult,
    VideoSDKError,
)

logger = logging.getLogger("cleanup_worker")

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[object]]
RoundHook = Callable[[int, DeleteReport], None]

# Outcomes after which a job needs no further attention from this worker.
_DONE = {DeleteOutcome.DELETED, DeleteOutcome.GONE, DeleteOutcome.NOT_FOUND}


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(timezone.utc)


@dataclass
class Totals:
    """What the worker did since it started."""

    rounds: int = 0
    deleted: int = 0
    troubled_rounds: int = 0  # rounds that stopped early or left failures behind

    def __str__(self) -> str:
        return (
            f"{self.rounds} round{'s' * (self.rounds != 1)}, {self.deleted} deleted, "
            f"{self.troubled_rounds} with trouble"
        )


class CleanupWorker:
    """Deletes the queued jobs older than ``older_than``, one round every ``every`` seconds.

    Args:
        client: An open client; the worker does not close it.
        older_than: Age from which a queued job is deleted.
        every: Seconds between the end of a round and the start of the next.
        grace: Seconds a round in flight may take to finish once :meth:`stop` is called.
        concurrency: Deletes in flight at once (default: the client's limit).
        clock: Now, as an aware datetime (the cut-off is ``clock() - older_than``).
        sleep: The pause between rounds (``anyio.sleep``; a test advances a fake clock).
        on_round: Called with each round's number and report, e.g. to export metrics.
    """

    def __init__(
        self,
        client: AsyncEncoderClient,
        *,
        older_than: timedelta,
        every: float = 60.0,
        grace: float = 20.0,
        concurrency: int | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = anyio.sleep,
        on_round: RoundHook | None = None,
    ) -> None:
        self.client = client
        self.older_than = older_than
        self.every = every
        self.grace = grace
        self.concurrency = concurrency
        self.clock = clock
        self.sleep = sleep
        self.on_round = on_round
        self.totals = Totals()
        self.last: DeleteReport | None = None  # the round in flight, or the last one
        self._stopping = anyio.Event()
        self._round: anyio.CancelScope | None = None

    # --8<-- [start:round]
    async def run(self) -> Totals:
        """Run rounds until :meth:`stop`; never raises for a failed round."""
        while not self._stopping.is_set():
            await self.run_round()
            if not self._stopping.is_set():
                await self._pause()
        return self.totals

    def stop(self, grace: float | None = None) -> None:
        """Stop: now if between rounds, else once the round in flight ends (it is
        cancelled after ``grace`` seconds; default: the worker's ``grace``)."""
        self._stopping.set()
        if self._round is not None:
            wait = self.grace if grace is None else grace
            self._round.deadline = min(self._round.deadline, anyio.current_time() + wait)

    async def run_round(self) -> DeleteReport:
        """One round: delete the queued jobs created before now minus ``older_than``."""
        self.totals.rounds += 1
        number = self.totals.rounds
        cutoff = self.clock() - self.older_than
        report = self.last = DeleteReport()  # outcomes land here as they come, even if cut short
        with anyio.CancelScope() as self._round:
            try:
                await self.client.jobs.delete_queued(
                    created_before=cutoff,
                    concurrency=self.concurrency,
                    on_progress=_log_result,
                    report=report,
                )
            except Exception as exc:  # a bug or a surprise: one line, and the next round
                report.stopped = _one_line(exc)
        self._round = None
        self.totals.deleted += len(report.deleted)
        troubled = report.stopped is not None or not report.complete or bool(_trouble(report))
        if troubled:
            self.totals.troubled_rounds += 1
            logger.warning("round %d: %s%s", number, report.summary(), _first_trouble(report))
        else:
            logger.info("round %d: %s", number, report.summary())
        if self.on_round is not None:
            self.on_round(number, report)
        return report

    # --8<-- [end:round]

    async def _pause(self) -> None:
        """Sleep ``every`` seconds, or until :meth:`stop`."""
        async with anyio.create_task_group() as group:

            async def wake_on_stop() -> None:
                await self._stopping.wait()
                group.cancel_scope.cancel()

            group.start_soon(wake_on_stop)
            await self.sleep(self.every)
            group.cancel_scope.cancel()


def _one_line(exc: BaseException) -> str:
    """``Type: message`` of the error, looking inside a task group's group of one."""
    inner: Sequence[BaseException] = getattr(exc, "exceptions", ())
    while len(inner) == 1:
        exc = inner[0]
        inner = getattr(exc, "exceptions", ())
    return f"{type(exc).__name__}: {exc}"


def _log_result(result: DeleteResult) -> None:
    logger.debug("%s", result.describe())


def _trouble(report: DeleteReport) -> list[DeleteResult]:
    # Not deletable is not trouble: the job started processing, which is not ours to fix.
    return [
        r for r in report if r.outcome not in _DONE and r.outcome is not DeleteOutcome.NOT_DELETABLE
    ]


def _first_trouble(report: DeleteReport) -> str:
    trouble = _trouble(report)
    return f" (first: {trouble[0].describe()})" if trouble else ""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--older-than", type=float, required=True, metavar="MINUTES")
    parser.add_argument("--every", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--grace", type=float, default=20.0, metavar="SECONDS")
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every job's outcome")
    args = parser.parse_args(argv)
    for name in ("older_than", "every", "grace"):
        value = getattr(args, name)
        if not (math.isfinite(value) and value >= 0):
            parser.error(f"--{name.replace('_', '-')} must be a number >= 0, got {value}")
    return args


# --8<-- [start:main]
async def main(argv: Sequence[str] | None = None) -> int:
    """Run the worker until SIGTERM or SIGINT; print what the last round did; exit 0."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Our own lines suffice: the SDK's and httpx's would add one per request.
    for chatty in ("videosdk_async", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        client = AsyncEncoderClient()  # VIDEOSDK_BASE_URL, _API_KEY, _SECRET_KEY (or _TOKEN)
    except VideoSDKError as exc:
        print(f"cleanup_worker: {exc}", file=sys.stderr)
        return 2
    async with client:
        worker = CleanupWorker(
            client,
            older_than=timedelta(minutes=args.older_than),
            every=args.every,
            grace=args.grace,
            concurrency=args.concurrency,
        )
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async with anyio.create_task_group() as group:

                async def stop_on_signals() -> None:
                    grace: float | None = None  # the first signal: the worker's grace
                    async for signum in signals:
                        logger.info("%s: stopping", signal.Signals(signum).name)
                        worker.stop(grace)
                        grace = 0  # a second signal: now

                group.start_soon(stop_on_signals)
                totals = await worker.run()
                group.cancel_scope.cancel()
    print(f"stopped after {totals}")
    if worker.last is not None:
        print(f"last round: {worker.last.summary()}")
        for job_id in sorted(worker.last.in_flight):
            print(f"in flight when stopped (may or may not be deleted): {job_id}")
        for result in _trouble(worker.last):
            print(f"not deleted: {result.describe()}")
    return 0


# --8<-- [end:main]


if __name__ == "__main__":
    sys.exit(anyio.run(main))
