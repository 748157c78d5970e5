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
from functools import cached_property, partial, wraps
from typing import Concatenate, ParamSpec

import anyio
from pydantic import JsonValue, ValidationError

from .._constants import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from .._ids import validate_id
from .._raw import RawResponse
from .._text import describe_problems, finite, plural, shown
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
from ..models import (
    EncodingJob,
    JobCreate,
    JobCreateParams,
    JobPage,
    JobStatus,
    PresetParam,
    PresetSpec,
    StoredFile,
    ThumbnailParam,
    ThumbnailSpec,
)
from ..models.raw import APIResponse, M, with_raw
from ..pagination import AsyncJobPage, AsyncPaginator, link_page
from ..uploads import UploadSource
from ._caller import Caller, Query
from ._recovery import find_created, note, with_marker

__all__ = ["JobsResource", "JobsResourceWithRawResponse"]

P = ParamSpec("P")

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

    def __init__(
        self,
        client: Caller,
        *,
        upload: Callable[[UploadSource], Awaitable[StoredFile]] | None = None,
    ) -> None:
        self._client = client
        self._upload = upload

    @cached_property
    def with_raw_response(self) -> JobsResourceWithRawResponse:
        """The same endpoints, answering an `APIResponse` (openai's shape).

        For example, ``r = await client.jobs.with_raw_response.get(id)``; then ``r.headers``,
        ``r.parse()``.
        """
        return JobsResourceWithRawResponse(self)

    async def create(
        self,
        request: JobCreate | JobCreateParams | None = None,
        *,
        video: UploadSource | None = None,
        video_id: str | None = None,
        video_url: str | None = None,
        presets: Sequence[PresetSpec | PresetParam] | None = None,
        thumbnails: Sequence[ThumbnailSpec | ThumbnailParam] | None = None,
        webhook_url: str | None = None,
        user_data: Mapping[str, JsonValue] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
        recover: bool = False,
    ) -> EncodingJob:
        """Create an encoding job; the body is validated before anything is sent.

        Pass a `JobCreate` (or a `JobCreateParams` dict) as ``request``, or the
        fields as keywords; presets and thumbnails as models or dicts (``PresetParam``,
        ``ThumbnailParam``), enum values as members or strings (``"720"``, ``"hls"``).
        Exactly one of ``video``/``video_id``/``video_url``; at least one preset.

        A create is never retried once its bytes may have reached the server: a second POST
        could make a second job. When its answer is lost (a dropped connection, a timeout
        after sending, 500/502/504, a 2xx that is not a job) the error says the job may
        exist (``may_have_applied``). With ``recover=True`` the body carries a unique marker
        in ``userData["_videosdkCreateId"]`` (yours is kept if you set one); after a lost
        answer the newest pages are listed (at most four calls) and the job carrying the
        marker is returned. If none does, the job was most likely not created, and the
        original error is raised saying so.

        ``video`` (a path, bytes, a binary file object or an async iterable of bytes) is
        uploaded first with ``client.files.upload`` (streamed, default upload timeouts), then
        the job is created from the stored file's id. The rest of the request is checked
        before the upload starts. If the create then fails, the file stays in storage (the
        error's notes name its id, on Python 3.11+). For progress, a filename or other upload
        options, call ``client.files.upload`` and pass ``video_id=``.
        """
        if video is not None:
            return await self._create_from_upload(
                video,
                request,
                video_id=video_id,
                video_url=video_url,
                presets=presets,
                thumbnails=thumbnails,
                webhook_url=webhook_url,
                user_data=user_data,
                extra_headers=extra_headers,
                extra_query=extra_query,
                recover=recover,
            )
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
        if request is None and video_id is None and video_url is None:
            raise InvalidRequestError(
                "invalid create request: give exactly one of video_id or video_url, or video= "
                "(a file to upload first)"
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

    async def _create_from_upload(
        self,
        video: UploadSource,
        request: JobCreate | JobCreateParams | None,
        *,
        video_id: str | None,
        video_url: str | None,
        presets: Sequence[PresetSpec | PresetParam] | None,
        thumbnails: Sequence[ThumbnailSpec | ThumbnailParam] | None,
        webhook_url: str | None,
        user_data: Mapping[str, JsonValue] | None,
        extra_headers: Mapping[str, str] | None,
        extra_query: Query | None,
        recover: bool,
    ) -> EncodingJob:
        """Upload ``video``, then create the job from it (the rest checked first)."""
        if request is not None:
            raise InvalidRequestError("pass video= with the job's fields as keywords, not request")
        if video_id is not None or video_url is not None:
            raise InvalidRequestError("give exactly one of video, video_id or video_url")
        if self._upload is None:
            raise InvalidRequestError("this client cannot upload: create the job from video_id")
        fields: dict[str, object] = {
            "presets": presets,
            "thumbnails": thumbnails,
            "webhook_url": webhook_url,
            "user_data": user_data,
        }
        given = {k: v for k, v in fields.items() if v is not None}
        try:  # the rest of the job, checked before a byte is uploaded
            JobCreate.model_validate({"video_id": "checked-before-upload", **given})
        except (ValidationError, ValueError, TypeError) as exc:
            reason = describe_problems(exc) if isinstance(exc, ValidationError) else str(exc)
            raise InvalidRequestError(f"invalid create request: {reason}") from None
        stored = await self._upload(video)
        try:
            return await self.create(
                video_id=stored.id,
                presets=presets,
                thumbnails=thumbnails,
                webhook_url=webhook_url,
                user_data=user_data,
                extra_headers=extra_headers,
                extra_query=extra_query,
                recover=recover,
            )
        except Exception as exc:
            note(exc, f"the video was uploaded as file {stored.id}: create the job from video_id")
            raise

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

    def list(
        self,
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        *,
        user_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> AsyncPaginator[EncodingJob, AsyncJobPage]:
        """One page of jobs (``page`` from 1, ``per_page`` up to 100).

        The arguments are checked at once, before any I/O.

        ``await`` it for the `AsyncJobPage` (which can fetch the pages after it), or
        ``async for job in client.jobs.list():`` to walk every job from that page on. To
        delete while walking, use `iterate`.
        """
        check_paging(page, per_page)
        user = None if user_id is None else validate_id(user_id, "user id")
        fetch = partial(
            self._page,
            per_page=per_page,
            user_id=user,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return AsyncPaginator(partial(fetch, page))

    async def _page(
        self,
        number: int,
        *,
        per_page: int,
        user_id: str | None,
        extra_headers: Mapping[str, str] | None,
        extra_query: Query | None,
    ) -> AsyncJobPage:
        """Fetch page ``number``, linked to fetch the pages after it the same way."""
        check_int("page", number, 1, MAX_PAGE)
        params: dict[str, str | int] = {"page": number, "perPage": per_page}
        if user_id is not None:
            params["userId"] = user_id
        page = await self._client._call(
            "GET",
            _PATH,
            AsyncJobPage,
            params=params,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        again = partial(
            self._page,
            per_page=per_page,
            user_id=user_id,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return link_page(page, again)

    async def iterate(
        self,
        *,
        per_page: int = MAX_PER_PAGE,
        status: JobStatus | str | None = None,
        user_id: str | None = None,
    ) -> AsyncIterator[EncodingJob]:
        """Every job, fetched lazily page by page; optionally only those with ``status``.

        Safe to delete what it yields while iterating, as in the natural clean-up:

        ```python
        ids = (j.id async for j in client.jobs.iterate(status=JobStatus.QUEUED))
        await client.jobs.delete_many(ids)
        ```

        Pages are walked from the last to the first (deleting a job only shifts the jobs
        listed after it, which the walk has already seen), then page 1 is fetched again and,
        if it shows jobs the walk has not seen (the listing grew in front), the walk goes
        round once more for those.

        Guaranteed: every job that exists for the whole walk is yielded exactly once,
        whatever the caller (or anyone else) deletes meanwhile; no job is yielded twice.
        Jobs come last page first, each page in the API's order.

        Not guaranteed: a job created during the walk may or may not be yielded; a job
        deleted during the walk may have been yielded before it went; ``status`` is the
        status when its page was read (a yielded queued job may have started since: a
        delete then reports it as not deletable). Each job is read once, not as of one
        instant: this is not a snapshot.
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

        Raises `JobNotDeletableError` when the job is no longer queued, and
        `JobNotFoundError` when it does not exist. If an attempt's response was lost
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
        `DeleteOutcome`. Deletes whose outcome is unknown (the response was lost and
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

        Listing and deleting run together, over the same walk as `iterate` (last page
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
        `JobFailedError` (with the job's failure reason) with ``raise_on_failure``. On
        timeout, raises `WaitTimeoutError` carrying the last job seen.
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
                    f"{plural(polls, 'poll')}){because}",
                    job_id=job_id,
                    job=last,
                    polls=polls,
                )
            await sleep(delay)
            interval = min(interval * 1.5, max_poll_interval)


def _raw_endpoint(
    endpoint: Callable[Concatenate[JobsResource, P], Awaitable[M]],
) -> Callable[Concatenate[JobsResourceWithRawResponse, P], Awaitable[APIResponse[M]]]:
    """``endpoint`` of `JobsResource`, answering its `APIResponse` (same parameters)."""

    @wraps(endpoint)
    async def raw(
        self: JobsResourceWithRawResponse, /, *args: P.args, **kwargs: P.kwargs
    ) -> APIResponse[M]:
        return with_raw(await endpoint(self._jobs, *args, **kwargs))

    return raw


# Named here, then aliased in the class: type checkers agree on a plain alias's type (and
# pyright's completeness check accepts it), where a call in a class body would be inferred.
_raw_create = _raw_endpoint(JobsResource.create)
_raw_get = _raw_endpoint(JobsResource.get)
_raw_list = _raw_endpoint(JobsResource.list)
_raw_delete = _raw_endpoint(JobsResource.delete)


class JobsResourceWithRawResponse:
    """``client.jobs.with_raw_response``: each endpoint of `JobsResource`, raw.

    Each takes the same arguments and answers an `APIResponse` (headers, status, request id,
    attempts, elapsed; ``parse()`` gives the model). Errors raise exactly as from
    ``client.jobs``.
    """

    def __init__(self, jobs: JobsResource) -> None:
        self._jobs = jobs

    create = _raw_create
    get = _raw_get
    list = _raw_list
    delete = _raw_delete
