"""Batch deletes with bounded concurrency, and a report that loses no outcome.

Workers pull ids from the input one at a time, so memory holds ``concurrency`` deletes in
flight, never a task per id. Every distinct input id ends with exactly one outcome.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import anyio

from ._time import as_utc
from .errors import (
    JobGoneError,
    JobNotDeletableError,
    JobNotFoundError,
    ResponseValidationError,
)
from .models import EncodingJob, JobStatus

if TYPE_CHECKING:
    from .resources.jobs import JobsResource

__all__ = ["DeleteOutcome", "DeleteReport", "DeleteResult", "ProgressCallback"]


class DeleteOutcome(str, enum.Enum):
    """What happened to one id in a batch delete."""

    DELETED = "deleted"
    NOT_DELETABLE = "not_deletable"  # the job exists but is no longer queued
    NOT_FOUND = "not_found"
    GONE = "gone"  # a retry got 404 after a lost response: most likely deleted by us
    FAILED = "failed"  # anything else; the typed error is kept
    WOULD_DELETE = "would_delete"  # dry run: queued and selected, not deleted

    def __str__(self) -> str:
        return self.value


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
        elif self.error is not None and self.outcome is DeleteOutcome.FAILED:
            detail = f" ({self.error})"
        return f"{self.job_id}: {self.outcome.value.replace('_', ' ')}{detail}"


T = TypeVar("T")

ProgressCallback = Callable[[DeleteResult], Awaitable[None] | None]
"""Called with each result as it arrives; sync or async."""


class DeleteReport:
    """Outcomes of a batch delete, by id, in the order they arrived.

    Pass one in (``report=``) to keep the outcomes gathered so far even if the batch is
    cancelled; ``in_flight`` then names the ids whose delete was under way and is unknown.
    """

    def __init__(self) -> None:
        self.results: dict[str, DeleteResult] = {}
        self.in_flight: set[str] = set()
        self.complete = False
        self.duplicates = 0

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
        """True when the batch finished and nothing failed."""
        return self.complete and not self.failed and not self.in_flight

    def summary(self) -> str:
        """One line: ``12 jobs: 10 deleted, 1 not deletable, 1 failed``."""
        parts = [f"{n} {o.value.replace('_', ' ')}" for o, n in self.counts.items() if n] or [
            "nothing to do"
        ]
        tail = "" if self.complete else f"; interrupted with {len(self.in_flight)} in flight"
        return f"{len(self.results)} jobs: {', '.join(parts)}{tail}"

    def __repr__(self) -> str:
        return f"DeleteReport({self.summary()})"


async def _classify(jobs: JobsResource, job_id: str) -> DeleteResult:
    try:
        job = await jobs.delete(job_id)
    except ResponseValidationError as exc:
        if 200 <= exc.status_code < 300:
            # The server said the delete succeeded, in a body we cannot read as a job (a 204,
            # a {"message": "deleted"}): the outcome is what matters here.
            return DeleteResult(job_id, DeleteOutcome.DELETED)
        return DeleteResult(job_id, DeleteOutcome.FAILED, error=exc)
    except JobGoneError as exc:
        return DeleteResult(job_id, DeleteOutcome.GONE, error=exc)
    except JobNotFoundError as exc:
        return DeleteResult(job_id, DeleteOutcome.NOT_FOUND, error=exc)
    except JobNotDeletableError as exc:
        return DeleteResult(
            job_id, DeleteOutcome.NOT_DELETABLE, job_status=exc.job_status, error=exc
        )
    except Exception as exc:  # nothing lost: even an unexpected error is this id's outcome
        return DeleteResult(job_id, DeleteOutcome.FAILED, error=exc)
    return DeleteResult(job_id, DeleteOutcome.DELETED, job=job, job_status=str(job.status))


async def _as_async(source: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    if isinstance(source, AsyncIterable):
        async for item in source:
            yield item
    else:
        for item in source:
            yield item


async def notify(callback: Callable[[T], Awaitable[None] | None] | None, value: T) -> None:
    """Call a user's sync or async callback (progress, updates) with ``value``."""
    if callback is not None:
        outcome = callback(value)
        if inspect.isawaitable(outcome):
            await outcome


async def run_deletes(
    jobs: JobsResource,
    job_ids: Iterable[str] | AsyncIterable[str],
    *,
    concurrency: int,
    on_progress: ProgressCallback | None,
    report: DeleteReport,
    dry_run: bool = False,
) -> DeleteReport:
    """Delete every distinct id from ``job_ids`` with ``concurrency`` workers into ``report``."""
    source = _as_async(job_ids)
    pull_lock = anyio.Lock()  # an async generator must not be advanced by two tasks at once

    async def next_id() -> str | None:
        async with pull_lock:
            try:
                return await source.__anext__()
            except StopAsyncIteration:
                return None

    async def worker() -> None:
        while (job_id := await next_id()) is not None:
            if not report._claim(job_id):
                continue
            if dry_run:
                result = DeleteResult(job_id, DeleteOutcome.WOULD_DELETE)
            else:
                result = await _classify(jobs, job_id)
            report._record(result)
            await notify(on_progress, result)

    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(worker)
    report.complete = True
    return report


async def queued_job_ids(
    jobs: JobsResource,
    *,
    per_page: int,
    created_before: datetime | None,
    limit: int | None,
) -> AsyncIterator[str]:
    """Ids of queued jobs, safe to delete while listing.

    Pages are walked from the last to the first: deleting a job only shifts the jobs listed
    after it, which this walk has already seen, so no queued job is skipped and each page is
    fetched once. The API does not document its order: if page 1 shows jobs this walk has
    not seen (a newest-first listing that grew while we walked, which pushes older jobs onto
    pages already visited), the walk runs again for the ids it has not seen. The usual cost
    is one extra fetch of page 1.
    """
    cutoff = as_utc(created_before) if created_before is not None else None
    seen: set[str] = set()
    emitted = 0

    def selected(job: EncodingJob) -> bool:
        if job.status is not JobStatus.QUEUED:
            return False
        return cutoff is None or (job.created_at is not None and job.created_at < cutoff)

    first = await jobs.list(1, per_page)
    while True:
        for number in [*range(first.page_info.last_page, 1, -1), 1]:
            page = first if number == 1 else await jobs.list(number, per_page)
            for job in page.data:
                if job.id in seen:
                    continue
                seen.add(job.id)
                if selected(job):
                    if limit is not None and emitted >= limit:
                        return
                    emitted += 1
                    yield job.id
        first = await jobs.list(1, per_page)
        if all(job.id in seen for job in first.data):
            return
