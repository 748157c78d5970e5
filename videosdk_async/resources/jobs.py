"""``client.jobs``: the encoding-jobs endpoints."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .._constants import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .._ids import validate_id
from ..errors import InvalidRequestError
from ..models import EncodingJob, JobCreate, JobPage, JobStatus, PresetSpec, ThumbnailSpec

if TYPE_CHECKING:
    from ..client import AsyncEncoderClient

__all__ = ["JobsResource"]

_PATH = "/v1/encoder/jobs"


def _invalid(what: str, exc: ValidationError) -> InvalidRequestError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
    )
    return InvalidRequestError(f"invalid {what}: {problems}")


def _check_paging(page: int, per_page: int) -> None:
    for name, value, high in (("page", page, None), ("per_page", per_page, MAX_PER_PAGE)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidRequestError(f"{name} must be an int >= 1, got {value!r}")
        if high is not None and value > high:
            raise InvalidRequestError(f"{name} must be at most {high}, got {value}")


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
            raise _invalid("create request", exc) from None
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


_ = builtins  # `list` is a method name here; builtins.list stays reachable for annotations
