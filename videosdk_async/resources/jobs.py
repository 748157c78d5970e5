"""``client.jobs``: the encoding-jobs endpoints."""

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
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import ValidationError

from .._constants import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .._ids import validate_id
from ..batch import DeleteReport, ProgressCallback, notify, queued_job_ids, run_deletes
from ..errors import (
    APIConnectionError,
    InvalidRequestError,
    JobFailedError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
    describe_problems,
)
from ..models import EncodingJob, JobCreate, JobPage, JobStatus, PresetSpec, ThumbnailSpec

if TYPE_CHECKING:
    from ..client import AsyncEncoderClient

__all__ = ["JobsResource"]

_PATH = "/v1/encoder/jobs"


def _check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    """Refuse, before any I/O, an argument that is not an int in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidRequestError(f"{name} must be an int >= {low}, got {value!r}")
    if high is not None and value > high:
        raise InvalidRequestError(f"{name} must be at most {high}, got {value}")


def _check_paging(page: int, per_page: int) -> None:
    _check_int("page", page, 1)
    _check_int("per_page", per_page, 1, MAX_PER_PAGE)


class JobsResource:
    """Create, read, list, iterate and delete encoding jobs."""

    def __init__(self, client: AsyncEncoderClient) -> None:
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
    ) -> EncodingJob:
        """Create an encoding job; the body is validated before anything is sent.

        Pass a :class:`JobCreate` (or a dict of its fields) as ``request``, or the fields as
        keywords. Exactly one of ``video_id``/``video_url``; at least one preset.
        A create is never retried once its bytes may have reached the server.
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
        except ValidationError as exc:
            raise InvalidRequestError(f"invalid create request: {describe_problems(exc)}") from None
        response = await self._client.request("POST", _PATH, json=body.to_json())
        return self._client.parse(response, EncodingJob)

    async def get(self, job_id: str) -> EncodingJob:
        """Fetch one job, with its output ``files`` once encoded."""
        job_id = validate_id(job_id)
        response = await self._client.request("GET", f"{_PATH}/{job_id}", job_id=job_id)
        return self._client.parse(response, EncodingJob, job_id=job_id)

    async def list(
        self, page: int = 1, per_page: int = DEFAULT_PER_PAGE, *, user_id: str | None = None
    ) -> JobPage:
        """Fetch one page of jobs (``page`` from 1, ``per_page`` up to 100)."""
        _check_paging(page, per_page)
        params: dict[str, Any] = {"page": page, "perPage": per_page}
        if user_id is not None:
            params["userId"] = validate_id(user_id, "user id")
        response = await self._client.request("GET", _PATH, params=params)
        return self._client.parse(response, JobPage)

    async def iterate(
        self,
        *,
        per_page: int = MAX_PER_PAGE,
        status: JobStatus | str | None = None,
        user_id: str | None = None,
    ) -> AsyncIterator[EncodingJob]:
        """Every job, page by page, fetched lazily; optionally only those with ``status``.

        Stops after ``lastPage``, on an empty page, or when ``lastPage`` is 0.
        """
        _check_paging(1, per_page)
        wanted = None if status is None else JobStatus(status)
        page_number = 1
        while True:
            page = await self.list(page_number, per_page, user_id=user_id)
            for job in page.data:
                if wanted is None or job.status == wanted:
                    yield job
            if not page.data or page_number >= page.page_info.last_page:
                return
            page_number += 1

    async def delete(self, job_id: str) -> EncodingJob:
        """Delete a queued job and return it as deleted.

        Raises :class:`JobNotDeletableError` when the job is no longer queued,
        :class:`JobNotFoundError` when it does not exist, and :class:`JobGoneError` when a
        retry answered 404 after an earlier attempt's response was lost (it most likely was
        deleted by that attempt).
        """
        job_id = validate_id(job_id)
        response = await self._client.request("DELETE", f"{_PATH}/{job_id}", job_id=job_id)
        return self._client.parse(response, EncodingJob, job_id=job_id)

    # -- batch and workflow helpers --------------------------------------------------------

    def _concurrency(self, concurrency: int | None) -> int:
        limit = self._client.max_concurrency
        if concurrency is None:
            return limit
        _check_int("concurrency", concurrency, 1)
        # More workers than the client's in-flight limit would only queue in the limiter.
        return min(concurrency, limit)

    async def delete_many(
        self,
        job_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int | None = None,
        on_progress: ProgressCallback | None = None,
        report: DeleteReport | None = None,
    ) -> DeleteReport:
        """Delete many jobs with at most ``concurrency`` in flight; never raises per item.

        ``job_ids`` may be any iterable or async iterable; duplicates are attempted once. The
        report has one outcome per distinct id: deleted, not deletable (with the job's status
        when known), not found, gone (a retry got 404 after a lost response), or failed (with
        the typed error). ``on_progress`` (sync or async) sees each result as it arrives.
        Pass ``report=`` to keep what was gathered if the batch is cancelled.
        """
        return await run_deletes(
            self,
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

        Listing and deleting run together, pages walked from last to first so deleting never
        makes the listing skip a queued job. A job that leaves ``queued`` before its delete is
        reported as not deletable. ``dry_run`` reports what would be deleted
        (``WOULD_DELETE``) and deletes nothing.
        """
        _check_paging(1, per_page)
        if limit is not None:
            _check_int("limit", limit, 0)
        candidates = queued_job_ids(
            self, per_page=per_page, created_before=created_before, limit=limit
        )
        return await run_deletes(
            self,
            candidates,
            concurrency=self._concurrency(concurrency),
            on_progress=on_progress,
            report=report if report is not None else DeleteReport(),
            dry_run=dry_run,
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
        :class:`JobFailedError` with ``raise_on_failure``. On timeout, raises
        :class:`WaitTimeoutError` carrying the last job seen.
        """
        job_id = validate_id(job_id)
        if timeout <= 0 or poll_interval <= 0 or max_poll_interval < poll_interval:
            raise InvalidRequestError(
                "wait needs timeout > 0 and 0 < poll_interval <= max_poll_interval"
            )
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
                            raise JobFailedError(f"job {job_id} failed", job=job)
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
