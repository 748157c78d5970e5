"""Batch deletes, and the page walk that is safe to delete from.

The deletes run with bounded concurrency and a report that loses no outcome.

This module takes what it needs as callables (a delete, a page fetch); it imports no resource.
Workers pull ids from the input one at a time, so memory holds ``concurrency`` deletes in
flight, never a task per id. Every distinct input item ends with exactly one outcome.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar

import anyio
from typing_extensions import TypeVarTuple, Unpack

from ._constants import BATCH_FIRST_ANSWER_WAIT
from ._ids import validate_id
from ._text import one_line, plural, shown
from .errors import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    JobNotDeletableError,
    JobNotFoundError,
    VideoSDKError,
)
from .models import EncodingJob, Page

__all__ = ["DeleteOutcome", "DeleteReport", "DeleteResult", "ProgressCallback"]


class DeleteOutcome(str, enum.Enum):
    """What happened to one id in a batch delete."""

    DELETED = "deleted"
    NOT_DELETABLE = "not_deletable"  # the job exists but is no longer queued
    NOT_FOUND = "not_found"
    GONE = "gone"  # a retry got 404 after a lost response: most likely deleted by us
    UNKNOWN = "unknown"  # the response was lost and a re-check could not tell: may be deleted
    FAILED = "failed"  # not deleted, for another reason; the typed error is kept
    NOT_ATTEMPTED = "not_attempted"  # the batch stopped first (credentials refused)
    INVALID = "invalid"  # not a job id; nothing was sent for it
    WOULD_DELETE = "would_delete"  # dry run: queued and selected, not deleted

    def __str__(self) -> str:
        return self.value


# Outcomes after which the batch's job is done for that id.
_SETTLED = frozenset(
    {
        DeleteOutcome.DELETED,
        DeleteOutcome.NOT_DELETABLE,
        DeleteOutcome.NOT_FOUND,
        DeleteOutcome.GONE,
        DeleteOutcome.WOULD_DELETE,
    }
)


@dataclass(frozen=True)
class DeleteResult:
    """The outcome for one job id, with the deleted job, its status, or the error."""

    job_id: str
    outcome: DeleteOutcome
    job: EncodingJob | None = None
    job_status: str | None = None
    error: Exception | None = None  # a VideoSDKError, unless something unexpected happened

    def describe(self) -> str:
        """One line for people: ``<id>: <outcome> (<detail>)``."""
        detail = ""
        if self.outcome is DeleteOutcome.NOT_DELETABLE and self.job_status:
            detail = f" (status {self.job_status})"
        elif self.error is not None and self.outcome not in _SETTLED:
            detail = f" ({one_line(str(self.error))})"
        return f"{self.job_id}: {self.outcome.value.replace('_', ' ')}{detail}"


T = TypeVar("T")
Ts = TypeVarTuple("Ts")

ProgressCallback = Callable[[DeleteResult], Awaitable[None] | None]
"""Called with each result as it arrives; sync or async."""

DeleteCall = Callable[[str], Awaitable[EncodingJob]]
"""Deletes one job: ``client.jobs.delete``."""


class DeleteReport:
    """Outcomes of a batch delete, by id, in the order they arrived.

    Pass one in (``report=``) to keep the outcomes gathered so far even if the batch is
    cancelled; ``in_flight`` then names the ids whose delete was under way and is unknown.
    ``stopped`` says why the batch stopped early (credentials refused, the listing failed),
    else None.
    """

    def __init__(self) -> None:
        self.results: dict[str, DeleteResult] = {}
        self.in_flight: set[str] = set()
        self.complete: bool = False
        self.duplicates: int = 0
        self.stopped: str | None = None

    def _claim(self, job_id: str) -> bool:
        if job_id in self.results or job_id in self.in_flight:
            self.duplicates += 1
            return False
        self.in_flight.add(job_id)
        return True

    def _record(self, result: DeleteResult) -> None:
        self.in_flight.discard(result.job_id)
        self.results[result.job_id] = result

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[DeleteResult]:
        return iter(list(self.results.values()))

    def __getitem__(self, job_id: str) -> DeleteResult:
        return self.results[job_id]

    def ids(self, outcome: DeleteOutcome) -> list[str]:
        """The ids that ended with ``outcome``."""
        return [r.job_id for r in self.results.values() if r.outcome is outcome]

    @property
    def counts(self) -> dict[DeleteOutcome, int]:
        """How many ids ended with each outcome (every outcome listed, zeros included)."""
        counts = dict.fromkeys(DeleteOutcome, 0)
        for result in self.results.values():
            counts[result.outcome] += 1
        return counts

    @property
    def deleted(self) -> list[str]:
        """Ids deleted by this batch."""
        return self.ids(DeleteOutcome.DELETED)

    @property
    def failed(self) -> list[str]:
        """Ids whose delete failed for a reason other than not deletable / not found / gone."""
        return self.ids(DeleteOutcome.FAILED)

    @property
    def ok(self) -> bool:
        """True when the batch finished and every id is settled.

        Settled: nothing failed, unknown, invalid or left unattempted.
        """
        return (
            self.complete
            and self.stopped is None
            and not self.in_flight
            and all(r.outcome in _SETTLED for r in self.results.values())
        )

    def summary(self) -> str:
        """One line: ``12 jobs: 10 deleted, 1 not deletable, 1 failed``."""
        parts = [f"{n} {o.value.replace('_', ' ')}" for o, n in self.counts.items() if n] or [
            "nothing to do"
        ]
        tail = ""
        if self.stopped is not None:
            tail = f"; stopped early: {self.stopped}"
        if not self.complete:
            tail += f"; interrupted with {len(self.in_flight)} in flight"
        return f"{plural(len(self.results), 'job')}: {', '.join(parts)}{tail}"

    def __repr__(self) -> str:
        return f"DeleteReport({self.summary()})"


async def _classify(delete: DeleteCall, job_id: str, *, recheck: bool = False) -> DeleteResult:
    """The outcome of one delete.

    ``recheck``: an earlier delete of this id may have applied, so a 404 now means it did.
    """
    try:
        job = await delete(job_id)
    except JobNotFoundError as exc:
        outcome = DeleteOutcome.GONE if recheck else DeleteOutcome.NOT_FOUND
        return DeleteResult(job_id, outcome, error=exc)
    except JobNotDeletableError as exc:
        return DeleteResult(
            job_id, DeleteOutcome.NOT_DELETABLE, job_status=exc.job_status, error=exc
        )
    except APIError as exc:
        # A lost or unreadable answer, a 500/502/504, or a refusal after such an attempt
        # (a 429 on the retry of a delete whose first answer was lost): it may or may not
        # have been applied; the re-check at the end tells. Otherwise it was not.
        outcome = DeleteOutcome.UNKNOWN if exc.may_have_applied else DeleteOutcome.FAILED
        return DeleteResult(job_id, outcome, error=exc)
    except Exception as exc:  # nothing lost: even an unexpected error is this id's outcome
        return DeleteResult(job_id, DeleteOutcome.FAILED, error=exc)
    raw = job.raw_response
    outcome = DeleteOutcome.GONE if raw is not None and raw.gone else DeleteOutcome.DELETED
    return DeleteResult(job_id, outcome, job=job, job_status=str(job.status))


def _as_async(source: Iterable[object] | AsyncIterable[object]) -> AsyncIterator[object]:
    if isinstance(source, AsyncIterable):
        return aiter(source)

    async def from_sync() -> AsyncIterator[object]:
        for item in source:
            yield item

    return from_sync()


def _check_source(source: object) -> None:
    if isinstance(source, str | bytes | bytearray):
        raise InvalidRequestError(
            "job_ids must be an iterable of job ids, not a single string: "
            "wrap one id in a list, e.g. delete_many([job_id])"
        )
    if not isinstance(source, Iterable | AsyncIterable):
        raise InvalidRequestError(
            f"job_ids must be an iterable or async iterable of ids, got {type(source).__name__}"
        )


def _invalid(item: object) -> DeleteResult | None:
    """The INVALID outcome for an input item that is not a job id, else None."""
    try:
        validate_id(item)
    except InvalidRequestError as exc:
        key = item if isinstance(item, str) else f"<{type(item).__name__} {shown(item)}>"
        return DeleteResult(key, DeleteOutcome.INVALID, error=exc)
    return None


async def notify(
    callback: Callable[[Unpack[Ts]], Awaitable[None] | None] | None, *values: Unpack[Ts]
) -> None:
    """Call a user's sync or async callback (progress, updates) with ``values``."""
    if callback is not None:
        outcome = callback(*values)
        if inspect.isawaitable(outcome):
            await outcome


async def run_deletes(
    delete: DeleteCall,
    job_ids: Iterable[str] | AsyncIterable[str],
    *,
    concurrency: int,
    on_progress: ProgressCallback | None,
    report: DeleteReport,
    dry_run: bool = False,
    limit: int | None = None,
) -> DeleteReport:
    """Delete every distinct id from ``job_ids`` with ``concurrency`` workers into ``report``.

    Nothing escapes per item: a bad item is INVALID, a failure is its id's outcome. A delete
    whose outcome is UNKNOWN is tried once more at the end. An authentication failure stops
    the batch (the rest are NOT_ATTEMPTED when the input can be drained without I/O); so does
    a failing input (the listing of ``delete_queued``), recorded in ``report.stopped``.
    An exception from the caller's own code (their iterator, their ``on_progress``) stops
    the batch too: the deletes under way finish, then it is raised as it was raised.
    """
    _check_source(job_ids)
    if not isinstance(report, DeleteReport):
        raise InvalidRequestError(f"report must be a DeleteReport, got {type(report).__name__}")
    if on_progress is not None and not callable(on_progress):
        raise InvalidRequestError(
            f"on_progress must be a callable or None, got {type(on_progress).__name__}"
        )
    source = _as_async(job_ids)
    pull_lock = anyio.Lock()  # an async generator must not be advanced by two tasks at once
    taken = 0
    # The first exception from the caller's code; nothing more is pulled or reported after it.
    theirs: list[Exception] = []

    def stop_for(exc: Exception, where: str) -> None:
        if not theirs:
            theirs.append(exc)
            report.stopped = f"{where} raised {type(exc).__name__}"

    async def next_item() -> tuple[object] | None:
        nonlocal taken
        async with pull_lock:
            if report.stopped is not None or (limit is not None and taken >= limit):
                return None
            try:
                item = await source.__anext__()
            except StopAsyncIteration:
                return None
            except VideoSDKError as exc:
                report.stopped = f"the list of jobs could not be read: {one_line(str(exc))}"
                return None
            except Exception as exc:
                stop_for(exc, "the job_ids iterable")
                return None
            taken += 1
            return (item,)

    async def settle(result: DeleteResult) -> None:
        report._record(result)
        if theirs:
            return
        try:
            await notify(on_progress, result)
        except Exception as exc:
            stop_for(exc, "on_progress")

    # The first delete goes ahead alone: if the credentials are refused, one request tells,
    # not one per worker. The others start once it has an answer, or after a short wait if
    # it is slow to come (a stuck first delete must not hold up the batch).
    first_answered = anyio.Event()

    async def worker(*, first: bool = False) -> None:
        if not first:
            with anyio.move_on_after(BATCH_FIRST_ANSWER_WAIT):
                await first_answered.wait()
        while (pulled := await next_item()) is not None:
            (item,) = pulled
            bad = _invalid(item)
            if bad is not None:
                if bad.job_id not in report.results:
                    await settle(bad)
                continue
            job_id = str(item)
            if not report._claim(job_id):
                continue
            if dry_run:
                await settle(DeleteResult(job_id, DeleteOutcome.WOULD_DELETE))
                continue
            try:
                result = await _classify(delete, job_id)
            finally:
                first_answered.set()
            if isinstance(result.error, AuthenticationError) and report.stopped is None:
                report.stopped = f"the credentials were refused: {one_line(str(result.error))}"
            await settle(result)
        first_answered.set()  # the input ended (or was stopped) before any delete

    async with anyio.create_task_group() as group:
        group.start_soon(partial(worker, first=True))
        for _ in range(concurrency - 1):
            group.start_soon(worker)
    if theirs:
        raise theirs[0]
    if report.stopped is not None and isinstance(job_ids, Iterable):
        await _drain_not_attempted(source, report, settle)
    close = getattr(source, "aclose", None)
    if close is not None:
        await close()  # a listing stopped early (limit, stop) is closed now, not by the GC
    await _recheck_unknown(delete, report, settle, concurrency)
    if theirs:
        raise theirs[0]
    report.complete = True
    return report


async def _drain_not_attempted(
    source: AsyncIterator[object],
    report: DeleteReport,
    settle: Callable[[DeleteResult], Awaitable[None]],
) -> None:
    """Record the ids a stopped batch never sent.

    A sync input only: draining it costs no I/O. An item that is not an id is recorded as
    such, as the workers would.
    """
    async for item in source:
        bad = _invalid(item)
        if bad is not None:
            if bad.job_id not in report.results:
                await settle(bad)
            continue
        if report._claim(str(item)):
            await settle(DeleteResult(str(item), DeleteOutcome.NOT_ATTEMPTED, error=None))


async def _recheck_unknown(
    delete: DeleteCall,
    report: DeleteReport,
    settle: Callable[[DeleteResult], Awaitable[None]],
    concurrency: int,
) -> None:
    """Try each UNKNOWN id once more: a 404 now means the earlier delete was applied."""
    if report.stopped is not None:
        return
    unknown = iter(report.ids(DeleteOutcome.UNKNOWN))

    async def worker() -> None:
        for job_id in unknown:
            result = await _classify(delete, job_id, recheck=True)
            if result.outcome is not DeleteOutcome.FAILED:
                await settle(result)
            # A re-check that failed tells nothing new: the first attempt may still have
            # applied, so the id stays unknown (may be deleted), with its first error.

    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(worker)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=_Identified)


async def walk_pages(page_of: Callable[[int], Awaitable[Page[Item]]]) -> AsyncIterator[Item]:
    """Every item (job, file) of a paged listing once.

    Safe against the caller deleting what it was given. Pages are walked from the last to the
    first: deleting a job only shifts the jobs listed after it, which this walk has already
    seen, so nothing is skipped and each page is fetched once (a listing of one page is read
    once). The API does not document its order: if page 1, fetched again at the end, shows
    jobs this walk has not seen (a newest-first listing that grew, pushing older jobs onto
    visited pages), the walk runs again for the ids it has not seen.
    """
    seen: set[str] = set()
    first = await page_of(1)
    if first.page_info.last_page <= 1:  # one page: nothing can move behind the walk
        for job in first.data:
            yield job
        return
    while True:
        for number in [*range(first.page_info.last_page, 1, -1), 1]:
            page = first if number == 1 else await page_of(number)
            for job in page.data:
                if job.id not in seen:
                    seen.add(job.id)
                    yield job
        first = await page_of(1)
        if all(job.id in seen for job in first.data):
            return
