"""``client.jobs``: the encoding-jobs endpoints, and the batch and wait helpers built on them."""

from __future__ import annotations

import random
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from datetime import datetime
from typing import Any

import anyio
from pydantic import ValidationError

from .._constants import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from .._ids import validate_id
from .._text import describe_problems, finite, shown
from .._time import as_utc
from ..batch import DeleteReport, ProgressCallback, notify, run_deletes, walk_pages
from ..errors import (
    APIConnectionError,
    APIError,
    InvalidRequestError,
    JobFailedError,
    JobNotFoundError,
    RateLimitError,
    ServerError,
    VideoSDKError,
    WaitTimeoutError,
)
from ..models import EncodingJob, JobCreate, JobPage, JobStatus, PresetSpec, ThumbnailSpec
from ..models._base import RawResponse
from ._caller import Caller, Query
from ._recovery import find_created, note, with_marker

__all__ = ["JobsResource"]

_PATH = "/v1/encoder/jobs"


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """Refuse, before any I/O, an argument that is not an int in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidRequestError(f"{name} must be an int >= {low}, got {shown(value)}")
    if high is not None and value > high:
        raise InvalidRequestError(f"{name} must be at most {high}, got {shown(value)}")
    return value


def check_paging(page: int, per_page: int) -> None:
    """The one paging rule: ``page`` from 1, ``per_page`` from 1 to ``MAX_PER_PAGE``."""
    check_int("page", page, 1, MAX_PAGE)
    check_int("per_page", per_page, 1, MAX_PER_PAGE)


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(f"{name} must be a number of seconds, got {shown(value)}")
    seconds = finite(value)
    if seconds is None or seconds <= 0:
        raise InvalidRequestError(f"{name} must be positive and finite, got {shown(value)}")
    return seconds


class JobsResource:
    """Create, read, list, iterate, delete and wait for encoding jobs.

    Every endpoint takes ``extra_headers`` and ``extra_query`` for what the SDK does not
    model (a tracing header, a query flag the service added).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def create(
        self,
        request: JobCreate | Mapping[str, Any] | None = None,
        *,
        video_id: str | None = None,
        video_url: str | None = None,
        presets: Sequence[PresetSpec | Mapping[str, Any]] | None = None,
        thumbnails: Sequence[ThumbnailSpec | Mapping[str, Any]] | None = None,
        webhook_url: str | None = None,
        user_data: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
        recover: bool = False,
    ) -> EncodingJob:
        """Create an encoding job; the body is validated before anything is sent.

        Pass a :class:`JobCreate` (or a dict of its fields) as ``request``, or the fields as
        keywords. Exactly one of ``video_id``/``video_url``; at least one preset.

        A create is never retried once its bytes may have reached the server: a second POST
        could make a second job. When its answer is lost (a dropped connection, a timeout
        after sending, 500/502/504, a 2xx that is not a job) the error says the job may
        exist (``may_have_applied``). With ``recover=True`` the body carries a unique marker
        in ``userData["_videosdkCreateId"]`` (yours is kept if you set one); after a lost
        answer the newest pages are listed (at most four calls) and the job carrying the
        marker is returned. If none does, the job was most likely not created, and the
        original error is raised saying so.
        """
        fields = {
            "video_id": video_id,
            "video_url": video_url,
            "presets": presets,
            "thumbnails": thumbnails,
            "webhook_url": webhook_url,
            "user_data": user_data,
        }
        given = {k: v for k, v in fields.items() if v is not None}
        if request is not None and given:
            raise InvalidRequestError(
                f"pass the job either as `request` or as keywords, not both ({', '.join(given)})"
            )
        try:
            body = (
                request
                if isinstance(request, JobCreate)
                else JobCreate.model_validate(request if request is not None else given)
            )
            marker = None
            if recover:
                body, marker = with_marker(body)
            content = body.to_json_bytes()
        except (ValidationError, ValueError, TypeError) as exc:
            reason = describe_problems(exc) if isinstance(exc, ValidationError) else str(exc)
            raise InvalidRequestError(f"invalid create request: {reason}") from None
        try:
            return await self._client._call(
                "POST",
                _PATH,
                EncodingJob,
                content=content,
                extra_headers=extra_headers,
                extra_query=extra_query,
            )
        except APIError as exc:
            if not exc.may_have_applied:  # the server said it did not take it on
                raise
            if marker is None:
                note(exc, "the job may exist (jobs.create(..., recover=True) finds it then)")
                raise
            failed = exc
        try:
            job = await find_created(self.list, self.get, marker)
        except VideoSDKError as exc:
            note(failed, f"the job may exist; looking for it failed: {exc}")
            raise failed from failed.__cause__
        if job is None:
            note(
                failed,
                f"no job on the newest pages carries its marker {marker}: most likely not created",
            )
            raise failed
        return job

    async def get(
        self,
        job_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> EncodingJob:
        """Fetch one job, with its output ``files`` once encoded."""
        job_id = validate_id(job_id)
        return await self._client._call(
            "GET",
            f"{_PATH}/{job_id}",
            EncodingJob,
            job_id=job_id,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def list(
        self,
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        *,
        user_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> JobPage:
        """Fetch one page of jobs (``page`` from 1, ``per_page`` up to 100)."""
        check_paging(page, per_page)
        params: dict[str, str | int] = {"page": page, "perPage": per_page}
        if user_id is not None:
            params["userId"] = validate_id(user_id, "user id")
        return await self._client._call(
            "GET",
            _PATH,
            JobPage,
            params=params,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def iterate(
        self,
        *,
        per_page: int = MAX_PER_PAGE,
        status: JobStatus | str | None = None,
        user_id: str | None = None,
    ) -> AsyncIterator[EncodingJob]:
        """Every job, fetched lazily page by page; optionally only those with ``status``.

        Safe to delete what it yields while iterating: pages are walked from the last to the
        first (deleting a job only shifts the jobs listed after it, which the walk has
        already seen), then page 1 is fetched again and, if it shows jobs the walk has not
        seen (the listing grew in front), the walk goes round once more for those. So every
        job that exists for the whole walk is yielded exactly once, whatever the caller
        deletes; a job created during the walk may or may not be. Jobs come last page
        first, each page in the API's order.
        """
        check_paging(1, per_page)
        try:
            wanted = None if status is None else JobStatus(status)
        except ValueError:
            raise InvalidRequestError(
                f"status must be a JobStatus or its value, got {shown(status)}"
            ) from None

        async def page_of(number: int) -> JobPage:
            return await self.list(number, per_page, user_id=user_id)

        async for job in walk_pages(page_of):
            if wanted is None or job.status == wanted:
                yield job

    async def delete(
        self,
        job_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> EncodingJob:
        """Delete a queued job and return it as the server returned it.

        Raises :class:`JobNotDeletableError` when the job is no longer queued, and
        :class:`JobNotFoundError` when it does not exist. If an attempt's response was lost
        (the delete may have been applied) and the retry found the job gone, the delete did
        what was asked: it returns a job with just its ``id`` and status ``queued`` (the
        status every deletable job had), whose ``raw_response.gone`` is True.
        """
        job_id = validate_id(job_id)
        try:
            return await self._client._call(
                "DELETE",
                f"{_PATH}/{job_id}",
                EncodingJob,
                job_id=job_id,
                extra_headers=extra_headers,
                extra_query=extra_query,
            )
        except JobNotFoundError as exc:
            if exc.after_failure is None or exc.response is None:
                raise
            gone = EncodingJob(id=job_id, status=JobStatus.QUEUED)
            gone.__dict__["_raw_response"] = RawResponse(
                exc.response, attempts=exc.attempts, gone=True
            )
            return gone

    # -- batch and workflow helpers --------------------------------------------------------

    def _concurrency(self, concurrency: int | None) -> int:
        limit = self._client.max_concurrency
        if concurrency is None:
            return limit
        # More workers than the client's in-flight limit would only queue in the limiter.
        return min(check_int("concurrency", concurrency, 1), limit)

    async def delete_many(
        self,
        job_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int | None = None,
        on_progress: ProgressCallback | None = None,
        report: DeleteReport | None = None,
    ) -> DeleteReport:
        """Delete many jobs with at most ``concurrency`` in flight; never raises per item.

        ``job_ids`` may be any iterable or async iterable of ids (not a single string);
        duplicates are attempted once. The report has one outcome per distinct item: see
        :class:`DeleteOutcome`. Deletes whose outcome is unknown (the response was lost and
        could not be retried) are tried once more at the end. After an authentication
        failure that a token renewal cannot fix, nothing more is sent: the remaining ids
        are reported as not attempted. ``on_progress`` (sync or async) sees each result as
        it arrives. Pass ``report=`` to keep what was gathered if the batch is cancelled.
        """
        return await run_deletes(
            self.delete,
            job_ids,
            concurrency=self._concurrency(concurrency),
            on_progress=on_progress,
            report=report if report is not None else DeleteReport(),
        )

    async def delete_queued(
        self,
        *,
        concurrency: int | None = None,
        created_before: datetime | None = None,
        limit: int | None = None,
        dry_run: bool = False,
        per_page: int = MAX_PER_PAGE,
        on_progress: ProgressCallback | None = None,
        report: DeleteReport | None = None,
    ) -> DeleteReport:
        """Delete every queued job (created before ``created_before``, at most ``limit``).

        Listing and deleting run together, over the same walk as :meth:`iterate` (last page
        first), so deleting never makes the listing skip a queued job; with ``limit`` the
        first ``limit`` queued jobs of that walk are taken. A job that leaves ``queued``
        before its delete is reported as not deletable. ``dry_run`` reports what would be
        deleted (``WOULD_DELETE``) and deletes nothing.
        """
        check_paging(1, per_page)
        if limit is not None:
            check_int("limit", limit, 0)
        if created_before is not None and not isinstance(created_before, datetime):
            raise InvalidRequestError(
                f"created_before must be a datetime, got {type(created_before).__name__}"
            )
        cutoff = None if created_before is None else as_utc(created_before)
        candidates = (
            job.id
            async for job in self.iterate(per_page=per_page, status=JobStatus.QUEUED)
            if cutoff is None or (job.created_at is not None and job.created_at < cutoff)
        )
        return await run_deletes(
            self.delete,
            candidates,
            concurrency=self._concurrency(concurrency),
            on_progress=on_progress,
            report=report if report is not None else DeleteReport(),
            dry_run=dry_run,
            limit=limit,
        )

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float = 600.0,  # noqa: ASYNC109 - the documented contract: wait(id, timeout=600)
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
        on_update: Callable[[EncodingJob], Awaitable[None] | None] | None = None,
        raise_on_failure: bool = False,
        sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> EncodingJob:
        """Poll until the job is completed or failed; return it.

        Polls back off from ``poll_interval`` to ``max_poll_interval`` with jitter, within one
        ``timeout`` for the whole wait. Transient errors (connection, 5xx, 429) that outlast
        the retry policy are polled through; others raise. ``on_update`` (sync or async) sees
        the job whenever its status changes. A failed job is returned, or raises
        :class:`JobFailedError` (with the job's failure reason) with ``raise_on_failure``. On
        timeout, raises :class:`WaitTimeoutError` carrying the last job seen.
        """
        job_id = validate_id(job_id)
        timeout = _seconds("timeout", timeout)
        poll_interval = _seconds("poll_interval", poll_interval)
        max_poll_interval = _seconds("max_poll_interval", max_poll_interval)
        if max_poll_interval < poll_interval:
            raise InvalidRequestError("wait needs poll_interval <= max_poll_interval")
        deadline = clock() + timeout
        last: EncodingJob | None = None
        last_error: Exception | None = None
        polls = 0
        interval = poll_interval
        while True:
            left = deadline - clock()
            with anyio.move_on_after(max(left, 0.0)):
                try:
                    polls += 1
                    job = await self.get(job_id)
                except (APIConnectionError, ServerError, RateLimitError) as exc:
                    last_error = exc
                else:
                    last_error = None
                    if last is None or job.status != last.status:
                        await notify(on_update, job)
                    last = job
                    if job.is_terminal:
                        if raise_on_failure and job.status is JobStatus.FAILED:
                            reason = self._client._redact(str(job.failure_reason))
                            raise JobFailedError(f"job {job_id} failed: {reason}", job=job)
                        return job
            delay = min(interval, max_poll_interval) * random.uniform(0.8, 1.2)  # noqa: S311
            if clock() + delay >= deadline:
                seen = f"still {last.status}" if last is not None else "never seen"
                because = f"; last error: {last_error}" if last_error is not None else ""
                raise WaitTimeoutError(
                    f"job {job_id} did not finish within {timeout:g}s ({seen} after "
                    f"{polls} polls){because}",
                    job_id=job_id,
                    job=last,
                    polls=polls,
                )
            await sleep(delay)
            interval = min(interval * 1.5, max_poll_interval)
