"""The API's routes: encoding jobs, the upload-URL question, and the storage service.

Storage lives under its own path (see `.paths`); a client that assumes the API
host's ``/v1/files`` gets a 404, 405 or 415 (for an upload) that says where it is.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .core import EmulatorCore
from .errors import ApiError
from .httpio import (
    Handler,
    RequestBody,
    is_json_type,
    json_response,
    media_type,
    parse_json,
    read_body,
    read_json_object,
    refuse_if_declared_too_large,
    too_large,
)
from .metrics import RequestRecord
from .paging import parse_paging
from .paths import STORAGE_PATH, UPLOAD_URL_PATH
from .uploads import TooLarge, read_upload

ORIGIN_KEY = "videosdk_emulator.origin"
"""Scope key under which the endpoint leaves the request's log record for the handler."""


def origin_of(request: Request) -> RequestRecord | None:
    """The log record of the API request being handled (``None`` outside an endpoint)."""
    record = request.scope.get(ORIGIN_KEY)
    return record if isinstance(record, RequestRecord) else None


def storage_url(emu: EmulatorCore, request: Request) -> str:
    """Where uploads go: `STORAGE_PATH` on ``public_base_url`` or this server."""
    base = emu.config.public_base_url or str(request.base_url)
    return base.rstrip("/") + STORAGE_PATH


def storage_hint(path: str) -> str | None:
    """For a path under the API's ``/v1/files``: where storage really is."""
    if path == UPLOAD_URL_PATH or path.startswith(UPLOAD_URL_PATH + "/"):
        return (
            f"files are served by the storage service at {STORAGE_PATH}; "
            f"POST {UPLOAD_URL_PATH} answers its URL"
        )
    return None


# -- encoding jobs --


async def create_job(emu: EmulatorCore, request: Request) -> Response:
    """Create a job from the JSON body (validated); answer the job."""
    body = await read_json_object(request, emu.config.max_json_bytes)
    return json_response(200, emu.api_create_job(body, origin=origin_of(request)))


async def list_jobs(emu: EmulatorCore, request: Request) -> Response:
    """One page of jobs, oldest first (``page``, ``perPage``; ``userId`` filters)."""
    page, per_page = parse_paging(request.query_params)
    return json_response(200, emu.api_list_jobs(page, per_page, request.query_params.get("userId")))


async def get_job(emu: EmulatorCore, request: Request) -> Response:
    """The job ``jobId``."""
    return json_response(200, emu.api_get_job(request.path_params["jobId"]))


async def delete_job(emu: EmulatorCore, request: Request) -> Response:
    """Delete the queued job ``jobId``; answer the deleted job."""
    job_id = request.path_params["jobId"]
    return json_response(200, emu.api_delete_job(job_id, origin=origin_of(request)))


# -- where to upload (on the API) --


async def ask_upload_url(emu: EmulatorCore, request: Request) -> Response:
    """Answer the storage URL; the body may be empty or JSON (it is ignored)."""
    content_type = request.headers.get("content-type")
    if media_type(content_type) == "multipart/form-data":
        await RequestBody(request.receive).discard_rest()
        raise ApiError(
            415,
            f"POST {UPLOAD_URL_PATH} only answers where to upload; "
            f"send the file to {storage_url(emu, request)}",
        )
    raw = await read_body(request, emu.config.max_json_bytes)
    if raw.strip():
        if content_type and not is_json_type(content_type):
            raise ApiError(
                415, f"POST {UPLOAD_URL_PATH} takes an empty or JSON body, not {content_type}"
            )
        parse_json(raw)
    return json_response(200, {"url": storage_url(emu, request)})


# -- the storage service --


async def upload_file(emu: EmulatorCore, request: Request) -> Response:
    """Upload: multipart/form-data with a ``file`` part, parsed as it streams in."""
    limit = emu.config.max_upload_bytes
    body = RequestBody(request.receive)
    await refuse_if_declared_too_large(body, request, limit)
    try:
        upload = await read_upload(request.headers.get("content-type"), body.chunks(), limit)
    except TooLarge:
        await body.discard_rest()
        raise too_large(limit) from None
    except ApiError:
        await body.discard_rest()  # let the client finish sending, then read the answer
        raise
    return json_response(200, emu.api_upload_file(upload, origin=origin_of(request)))


async def list_files(emu: EmulatorCore, request: Request) -> Response:
    """One page of stored files, oldest first (``page``, ``perPage``)."""
    page, per_page = parse_paging(request.query_params)
    return json_response(200, emu.api_list_files(page, per_page))


async def get_file(emu: EmulatorCore, request: Request) -> Response:
    """The stored file ``fileId``."""
    return json_response(200, emu.api_get_file(request.path_params["fileId"]))


async def delete_file(emu: EmulatorCore, request: Request) -> Response:
    """Delete the stored file ``fileId``; answer the deleted file."""
    file_id = request.path_params["fileId"]
    return json_response(200, emu.api_delete_file(file_id, origin=origin_of(request)))


API_ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/encoder/jobs", create_job),
    ("GET", "/v1/encoder/jobs", list_jobs),
    ("GET", "/v1/encoder/jobs/{jobId}", get_job),
    ("DELETE", "/v1/encoder/jobs/{jobId}", delete_job),
    ("POST", UPLOAD_URL_PATH, ask_upload_url),
    ("POST", STORAGE_PATH, upload_file),
    ("GET", STORAGE_PATH, list_files),
    ("GET", STORAGE_PATH + "/{fileId}", get_file),
    ("DELETE", STORAGE_PATH + "/{fileId}", delete_file),
]
"""Every authenticated, faultable route: (method, path template, handler)."""
