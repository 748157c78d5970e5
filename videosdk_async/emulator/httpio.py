"""HTTP plumbing shared by every route: reading request bodies, answering JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive

from .core import EmulatorCore
from .errors import ApiError

Handler = Callable[[EmulatorCore, Request], Awaitable[Response]]
"""A route handler: the emulator and the request in, a response out (or `ApiError`)."""

DRAIN_CAP = 64 * 1024 * 1024
"""Read (and discard) at most this much of a refused body, so the client gets to read the answer."""


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response."""
    return JSONResponse(body, status_code=status, headers=headers)


def phrase(status: int) -> str:
    """The reason phrase of an HTTP status (``"Error"`` for unknown ones)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def media_type(content_type: str | None) -> str:
    """The ``type/subtype`` of a Content-Type header, lower case (``""`` when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_type(content_type: str) -> bool:
    """Whether a Content-Type names JSON (``application/json`` or ``application/*+json``)."""
    main = media_type(content_type)
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


class RequestBody:
    """A request body read chunk by chunk, remembering whether all of it has come in.

    Knowing that matters when refusing a body half-way: the rest must be read (so the
    client gets to read the answer), but asking a server for more once the body has
    ended would wait for the client to hang up.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.complete: bool = False
        self.received: int = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive (ends early if the client hangs up)."""
        while not self.complete:
            message = await self._receive()
            if message["type"] != "http.request":  # http.disconnect
                self.complete = True
                return
            chunk = message.get("body", b"")
            self.received += len(chunk)
            self.complete = not message.get("more_body", False)
            if chunk:
                yield chunk

    async def discard_rest(self) -> None:
        """Read and drop what is left (up to `DRAIN_CAP` in all)."""
        async for _ in self.chunks():
            if self.received >= DRAIN_CAP:
                return


def too_large(limit: int) -> ApiError:
    """413 for a body over ``limit`` bytes."""
    return ApiError(413, f"Request body is larger than the limit of {limit} bytes", limit=limit)


def declared_length(request: Request) -> int | None:
    """The Content-Length header as a number (``None`` when absent); 400 when not a number."""
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(400, "Invalid Content-Length header") from exc


async def refuse_if_declared_too_large(body: RequestBody, request: Request, limit: int) -> None:
    """413 at once (after draining) when the declared length is over ``limit``."""
    declared = declared_length(request)
    if declared is not None and declared > limit:
        await body.discard_rest()
        raise too_large(limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 (after draining it, so the client gets to read the answer)."""
    body = RequestBody(request.receive)
    await refuse_if_declared_too_large(body, request, limit)
    data = bytearray()
    async for chunk in body.chunks():
        data += chunk
        if len(data) > limit:
            await body.discard_rest()
            raise too_large(limit)
    return bytes(data)


def parse_json(raw: bytes) -> Any:
    """Decode JSON, or a 400 `ApiError` saying why not."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ApiError(400, "Invalid JSON body: nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ApiError(400, f"Invalid JSON body: {exc}") from exc


async def read_json_object(request: Request, limit: int) -> dict[str, Any]:
    """A JSON object body: 415 for a non-JSON content type, 413 too big, 400 otherwise bad."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not is_json_type(content_type):
        raise ApiError(415, f"Content-Type must be application/json, not {content_type}")
    raw = await read_body(request, limit)
    if not raw.strip():
        raise ApiError(400, "Request body must be a JSON object; it is empty")
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError(400, f"Request body must be a JSON object, not {type(body).__name__}")
    return body
