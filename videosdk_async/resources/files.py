"""``client.files``: the storage service (upload, list, iterate, get, delete stored files).

Storage has its own address. The API answers ``POST /v1/files`` with the storage service's
URL; files are uploaded to that URL and listed, read and deleted at ``<url>`` and
``<url>/{fileId}``. The answer is asked for once per client family and API base URL, and
remembered; ``storage_url=`` (or ``VIDEOSDK_STORAGE_URL``) skips the question. A URL the
server names passes the same checks as a configured one before any token is sent to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import anyio

from .._constants import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    UPLOAD_CONNECT_TIMEOUT,
    UPLOAD_POOL_TIMEOUT,
    UPLOAD_READ_TIMEOUT,
    UPLOAD_WRITE_TIMEOUT,
)
from .._ids import validate_id
from .._raw import RawResponse
from .._storage import UPLOAD_URL_PATH, StorageLocation
from ..batch import walk_pages
from ..errors import APIError, StoredFileNotFoundError
from ..models import FilePage, StoredFile, UploadTarget
from ..timeouts import TimeoutPolicy, TimeoutSetting
from ..uploads import MultipartUpload, UploadProgress, UploadSource
from ._caller import Caller, Query
from .jobs import check_paging

__all__ = ["UPLOAD_TIMEOUT", "FilesResource", "StorageLocation"]

"""On the API: answers where the storage service is."""

UPLOAD_TIMEOUT = TimeoutPolicy(
    None,
    connect=UPLOAD_CONNECT_TIMEOUT,
    read=UPLOAD_READ_TIMEOUT,
    write=UPLOAD_WRITE_TIMEOUT,
    pool=UPLOAD_POOL_TIMEOUT,
)
"""An upload's default timeouts: no call deadline (a 5 GB file takes what it takes), but no
chunk may take more than 60 s to hand to the connection, nor the answer more than 120 s to
come once the body is sent."""


def _with_progress(exc: APIError, body: MultipartUpload) -> None:
    """Make ``exc`` say how much of the file was sent (attribute and message)."""
    exc.bytes_sent = body.sent
    exc.message = f"{exc.message} (upload of {body.filename!r}: {body.progress()} sent)"
    exc.args = (exc.message, *exc.args[1:])


class FilesResource:
    """Upload, list, iterate, get and delete stored files (video sources for jobs).

    A stored file's ``id`` is what ``jobs.create(video_id=...)`` takes. Every endpoint takes
    ``extra_headers`` and ``extra_query`` for what the SDK does not model.
    """

    def __init__(self, client: Caller, location: StorageLocation, api_base: str) -> None:
        self._client = client
        self._location = location
        self._api_base = api_base

    async def storage_url(self) -> str:
        """Where the storage service is: configured, remembered, or asked of the API once.

        The API is asked with ``POST /v1/files``.
        """
        return await self._location.resolve(self._api_base, self._ask)

    async def _ask(self) -> str:
        target = await self._client._call("POST", UPLOAD_URL_PATH, UploadTarget, content=b"{}")
        return target.url

    async def upload(
        self,
        source: UploadSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        size: int | None = None,
        on_progress: UploadProgress | None = None,
        timeout: TimeoutSetting = UPLOAD_TIMEOUT,  # noqa: ASYNC109 - per-attempt timeouts, not a scope
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> StoredFile:
        """Upload a file to storage, streamed; return the stored file.

        The stored file's ``id`` is a ``video_id`` for `JobsResource.create`.

        A missing, unreadable or empty path (or an argument of the wrong kind) raises
        `InvalidRequestError` before any request. An upload is a POST: it is retried
        only when it provably never left (a connect failure), and then sends the file from the
        start; a one-shot source (an async iterable, a file that cannot seek) is never retried.
        Any failure says how much of the file was sent (``bytes_sent``).

        Args:
            source: A path (``str`` or ``PathLike``), ``bytes``, a binary file object, or an
                async iterable of bytes. It is sent as ``multipart/form-data`` (field
                ``file``) in chunks of 256 KiB, never held in memory whole.
            filename: The name the storage keeps (default: the path's or file's name, else
                ``upload``).
            content_type: The file's media type (default: guessed from the name, else
                ``application/octet-stream``).
            size: For a stream whose size you know (an async iterable, a pipe): sent as
                ``Content-Length`` rather than chunked, and checked against what it yields.
            on_progress: ``on_progress(sent_bytes, total_bytes_or_None)``, sync or async,
                called with 0 when an attempt starts and after each chunk is handed to the
                connection. Keep it quick: the upload waits for it.
            timeout: `UPLOAD_TIMEOUT` by default (no deadline; 60 s per chunk written,
                120 s for the answer). Seconds give a deadline for the whole upload; a
                `TimeoutPolicy` sets everything.
            extra_headers: Headers added to the upload request, for what the SDK does not
                model.
            extra_query: Query parameters added to the upload's URL, for what the SDK does
                not model.
        """
        body = MultipartUpload.open(
            source,
            filename=filename,
            content_type=content_type,
            size=size,
            on_progress=on_progress,
        )
        policy = TimeoutPolicy.coerce(timeout)
        url = await self.storage_url()
        caller = (
            self._client.with_options(timeout=policy)
            if body.repeatable
            else self._client.with_options(timeout=policy, retry=None)
        )
        try:
            stored = await caller._call(
                "POST",
                "",
                StoredFile,
                base_url=url,
                stream=body,
                extra_headers={**body.headers, **(extra_headers or {})},
                extra_query=extra_query,
            )
        except APIError as exc:
            _with_progress(exc, body)
            raise
        finally:
            with anyio.CancelScope(shield=True):  # close the file even when cancelled
                await body.aclose()
        body.release()
        return stored

    async def list(
        self,
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> FilePage:
        """Fetch one page of stored files (``page`` from 1, ``per_page`` up to 100)."""
        check_paging(page, per_page)
        url = await self.storage_url()
        return await self._client._call(
            "GET",
            "",
            FilePage,
            base_url=url,
            params={"page": page, "perPage": per_page},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def iterate(self, *, per_page: int = MAX_PER_PAGE) -> AsyncIterator[StoredFile]:
        """Every stored file, fetched lazily page by page; safe to delete what it yields.

        The same walk as `JobsResource.iterate`: last page first, then page 1 again;
        every file that exists for the whole walk is yielded exactly once, whatever the
        caller deletes; a file uploaded during the walk may or may not be.
        """
        check_paging(1, per_page)

        async def page_of(number: int) -> FilePage:
            return await self.list(number, per_page)

        async for stored in walk_pages(page_of):
            yield stored

    async def get(
        self,
        file_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> StoredFile:
        """Fetch one stored file; `StoredFileNotFoundError` when there is none."""
        file_id = validate_id(file_id, "file id")
        url = await self.storage_url()
        return await self._client._call(
            "GET",
            f"/{file_id}",
            StoredFile,
            file_id=file_id,
            base_url=url,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def delete(
        self,
        file_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> StoredFile:
        """Delete a stored file and return it as the server returned it.

        Raises `StoredFileNotFoundError` when it does not exist. As with jobs, if an
        attempt's response was lost and the retry found the file gone, the delete did what
        was asked: it returns a file with just its ``id``, whose ``raw_response.gone`` is True.
        """
        file_id = validate_id(file_id, "file id")
        url = await self.storage_url()
        try:
            return await self._client._call(
                "DELETE",
                f"/{file_id}",
                StoredFile,
                file_id=file_id,
                base_url=url,
                extra_headers=extra_headers,
                extra_query=extra_query,
            )
        except StoredFileNotFoundError as exc:
            if exc.after_failure is None or exc.response is None:
                raise
            gone = StoredFile(id=file_id)
            gone.__dict__["_raw_response"] = RawResponse(
                exc.response, attempts=exc.attempts, gone=True
            )
            return gone
