"""The Starlette application: API routes, storage routes and ``/_emulator`` admin routes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import AuthError
from .clock import iso_ms
from .connection import ConnectionFaultMiddleware, control_of
from .core import EmulatorCore
from .errors import ApiError
from .faults import FaultRule, parse_fault_config, retry_after_header
from .paging import parse_paging
from .validation import ValidationError

Handler = Callable[[EmulatorCore, Request], Awaitable[Response]]
_DRAIN_CAP = 64 * 1024 * 1024  # read (and discard) at most this much of an oversized body


class _TooLarge(Exception):
    pass


__all__ = ["build_app"]  # the route handlers below are internal: build_app wires them


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response."""
    return JSONResponse(body, status_code=status, headers=headers)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# -- request reading --


def _is_json_type(content_type: str) -> bool:
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


async def _drain(receive: Receive, already: int) -> None:
    total = already
    while total < _DRAIN_CAP:
        message = await receive()
        if message["type"] != "http.request":
            return
        total += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"Request body is larger than the limit of {limit} bytes", limit=limit)


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(400, "Invalid Content-Length header") from exc


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 (after draining it, so the client gets to read the answer)."""
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        await _drain(request.receive, 0)
        raise _too_large(limit)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            await _drain(request.receive, len(data))
            raise _too_large(limit)
    return bytes(data)


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ApiError(400, "Invalid JSON body: nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ApiError(400, f"Invalid JSON body: {exc}") from exc


async def read_json_object(request: Request, limit: int) -> dict[str, Any]:
    """A JSON object body: 415 for a non-JSON content type, 413 too big, 400 otherwise bad."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not _is_json_type(content_type):
        raise ApiError(415, f"Content-Type must be application/json, not {content_type}")
    raw = await read_body(request, limit)
    if not raw.strip():
        raise ApiError(400, "Request body must be a JSON object; it is empty")
    body = _parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError(400, f"Request body must be a JSON object, not {type(body).__name__}")
    return body


def _idempotency_key(request: Request) -> str | None:
    return request.headers.get("idempotency-key")


# -- API handlers --


async def create_job(emu: EmulatorCore, request: Request) -> Response:
    body = await read_json_object(request, emu.config.max_json_bytes)
    return json_response(200, emu.api_create_job(body, idempotency_key=_idempotency_key(request)))


async def list_jobs(emu: EmulatorCore, request: Request) -> Response:
    page, per_page = parse_paging(request.query_params)
    return json_response(200, emu.api_list_jobs(page, per_page, request.query_params.get("userId")))


async def get_job(emu: EmulatorCore, request: Request) -> Response:
    return json_response(200, emu.api_get_job(request.path_params["jobId"]))


async def delete_job(emu: EmulatorCore, request: Request) -> Response:
    job_id = request.path_params["jobId"]
    return json_response(200, emu.api_delete_job(job_id, idempotency_key=_idempotency_key(request)))


async def post_files(emu: EmulatorCore, request: Request) -> Response:
    """Ask for the upload URL (JSON or empty body), or upload (multipart with ``file``)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return await _upload(emu, request)
    raw = await read_body(request, emu.config.max_json_bytes)
    if raw.strip():
        if content_type and not _is_json_type(content_type):
            raise ApiError(
                415,
                "POST /v1/files takes multipart/form-data (upload) or JSON (upload URL), "
                f"not {content_type}",
            )
        _parse_json(raw)
    base = emu.config.public_base_url or str(request.base_url)
    return json_response(200, {"url": base.rstrip("/") + "/v1/files"})


async def _upload(emu: EmulatorCore, request: Request) -> Response:
    limit = emu.config.max_upload_bytes
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        await _drain(request.receive, 0)
        raise _too_large(limit)
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
        return message

    limited = Request(request.scope, limited_receive)
    try:
        form = await limited.form(max_files=1, max_fields=20)
    except _TooLarge:
        await _drain(request.receive, received)
        raise _too_large(limit) from None
    except HTTPException as exc:  # malformed multipart
        raise ApiError(exc.status_code, f"Invalid multipart body: {exc.detail}") from exc
    try:
        upload = form.get("file")
        if upload is None:
            raise ApiError(400, "multipart field 'file' is required", field="file")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "multipart field 'file' must be a file", field="file")
        size = upload.size if upload.size is not None else 0
        result = emu.api_upload_file(
            upload.filename,
            size,
            upload.content_type,
            idempotency_key=_idempotency_key(request),
        )
    finally:
        await form.close()
    return json_response(200, result)


async def list_files(emu: EmulatorCore, request: Request) -> Response:
    page, per_page = parse_paging(request.query_params)
    return json_response(200, emu.api_list_files(page, per_page))


async def get_file(emu: EmulatorCore, request: Request) -> Response:
    return json_response(200, emu.api_get_file(request.path_params["fileId"]))


async def delete_file(emu: EmulatorCore, request: Request) -> Response:
    file_id = request.path_params["fileId"]
    return json_response(
        200, emu.api_delete_file(file_id, idempotency_key=_idempotency_key(request))
    )


def fault_response(rule: FaultRule) -> Response:
    """The response an error-kind fault answers with."""
    headers: dict[str, str] = {}
    if rule.kind == "rate_limit":
        status = 429
        headers["Retry-After"] = retry_after_header(
            rule.retry_after if rule.retry_after is not None else 1
        )
    else:
        status = rule.status or 503
        if rule.retry_after is not None:
            headers["Retry-After"] = retry_after_header(rule.retry_after)
    if rule.body is not None:
        media_type = rule.content_type or "text/html; charset=utf-8"
        return Response(rule.body, status_code=status, headers=headers, media_type=media_type)
    message = f"Emulated fault: {status} {_phrase(status)}"
    return json_response(status, {"message": message}, headers)


class ApiEndpoint:
    """An authenticated API path: metrics, faults, auth, then the method's handler."""

    def __init__(self, emulator: EmulatorCore, path: str, handlers: dict[str, Handler]) -> None:
        self.emulator = emulator
        self.template = path
        self.handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        emu = self.emulator
        method = scope["method"]
        # Starlette already answered 405 for other methods; HEAD comes with GET.
        handler = self.handlers.get(method) or self.handlers["GET"]
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        record = emu.metrics.begin(method, path, query, self.template, iso_ms(emu.clock.now_ms()))
        plan = emu.faults.plan(method, self.template, path, query)
        control = control_of(scope)
        if plan.delay > 0:
            record.fault = "latency"
            await anyio.sleep(plan.delay)
        response: Response
        if plan.before is not None:
            record.fault = plan.before.kind
            if plan.before.kind == "drop_before":
                control.mode = "drop"
                return
            response = fault_response(plan.before)
        else:
            response = await self._handle(handler, Request(scope, receive))
            if plan.after is not None:
                record.fault = plan.after.kind
                if plan.after.kind == "drop_after":
                    control.mode = "drop"
                    return
                if plan.after.kind == "truncate":
                    control.mode = "truncate"
                else:
                    response = fault_response(plan.after)
        record.status = response.status_code
        await response(scope, receive, send)

    async def _handle(self, handler: Handler, request: Request) -> Response:
        emu = self.emulator
        try:
            emu.auth.check(request.headers.get("authorization"))
            return await handler(emu, request)
        except AuthError as exc:
            return json_response(401, {"message": exc.message})
        except ValidationError as exc:
            return json_response(400, exc.to_json())
        except ApiError as exc:
            return json_response(exc.status, exc.body, exc.headers or None)


# -- admin handlers (no auth) --


def _admin(emu: EmulatorCore, handlers: dict[str, Handler]) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            handler = handlers.get(request.method) or handlers["GET"]
            return await handler(emu, request)
        except ApiError as exc:
            return json_response(exc.status, exc.body)
        except (ValueError, TypeError) as exc:
            return json_response(400, {"message": str(exc)})

    return endpoint


async def _admin_json(request: Request, emu: EmulatorCore) -> Any:
    raw = await read_body(request, emu.config.max_json_bytes)
    if not raw.strip():
        return {}
    return _parse_json(raw)


async def admin_health(emu: EmulatorCore, request: Request) -> Response:
    with emu._lock:
        counts = {"jobs": len(emu.store.jobs), "files": len(emu.store.files)}
    return json_response(200, {"status": "ok", "now": iso_ms(emu.clock.now_ms()), **counts})


async def admin_get_faults(emu: EmulatorCore, request: Request) -> Response:
    return json_response(200, emu.faults.snapshot())


async def admin_put_faults(emu: EmulatorCore, request: Request) -> Response:
    seed, rules = parse_fault_config(await _admin_json(request, emu))
    emu.set_faults(rules, seed)
    return json_response(200, emu.faults.snapshot())


async def admin_add_fault(emu: EmulatorCore, request: Request) -> Response:
    emu.add_fault(FaultRule.from_dict(await _admin_json(request, emu)))
    return json_response(200, emu.faults.snapshot())


async def admin_clear_faults(emu: EmulatorCore, request: Request) -> Response:
    emu.clear_faults()
    return json_response(200, emu.faults.snapshot())


async def admin_ledger(emu: EmulatorCore, request: Request) -> Response:
    return json_response(200, emu.ledger.to_json())


async def admin_webhooks(emu: EmulatorCore, request: Request) -> Response:
    deliveries = [d.to_json() for d in emu.webhook_deliveries()]
    return json_response(200, {"pending": emu.webhooks.pending, "deliveries": deliveries})


async def admin_clear_webhooks(emu: EmulatorCore, request: Request) -> Response:
    emu.webhooks.clear()
    return json_response(200, {"pending": emu.webhooks.pending, "deliveries": []})


async def admin_requests(emu: EmulatorCore, request: Request) -> Response:
    log = [r.to_json() for r in emu.requests()]
    return json_response(200, {"counts": emu.request_counts(), "log": log})


def _clock_json(emu: EmulatorCore) -> dict[str, Any]:
    return {
        "now": iso_ms(emu.clock.now_ms()),
        "manual": emu.clock.manual,
        "timeScale": emu.clock.time_scale,
    }


async def admin_clock(emu: EmulatorCore, request: Request) -> Response:
    return json_response(200, _clock_json(emu))


async def admin_advance(emu: EmulatorCore, request: Request) -> Response:
    body = await _admin_json(request, emu)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ApiError(400, 'body must be {"seconds": <non-negative number>}', field="seconds")
    emu.advance(float(seconds))
    return json_response(200, _clock_json(emu))


async def admin_force_status(emu: EmulatorCore, request: Request) -> Response:
    body = await _admin_json(request, emu)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise ApiError(400, 'body must be {"status": "queued|processing|completed|failed"}')
    job_id = request.path_params["jobId"]
    try:
        job = emu.force_status(job_id, body["status"], hold=bool(body.get("hold", False)))
    except KeyError:
        raise ApiError(404, f"Job {job_id} not found") from None
    return json_response(200, job)


def _lifecycle_json(emu: EmulatorCore) -> dict[str, Any]:
    lc = emu.lifecycle
    return {
        "queued_seconds": lc.queued_seconds,
        "processing_seconds": lc.processing_seconds,
        "fail_ratio": lc.fail_ratio,
        "video_duration": lc.video_duration,
    }


async def admin_get_lifecycle(emu: EmulatorCore, request: Request) -> Response:
    return json_response(200, _lifecycle_json(emu))


async def admin_patch_lifecycle(emu: EmulatorCore, request: Request) -> Response:
    body = await _admin_json(request, emu)
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    emu.configure(**body)
    return json_response(200, _lifecycle_json(emu))


async def admin_reset(emu: EmulatorCore, request: Request) -> Response:
    emu.reset()
    return json_response(200, {"status": "reset", "now": iso_ms(emu.clock.now_ms())})


# -- errors for unknown routes and methods --


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"Route {request.method} {request.url.path} not found"
    elif exc.status_code == 405:
        message = f"Method {request.method} not allowed for {request.url.path}"
    else:
        message = str(exc.detail)
    return json_response(exc.status_code, {"message": message}, dict(exc.headers or {}))


async def _server_error(request: Request, exc: Exception) -> Response:
    return json_response(500, {"message": f"Internal emulator error: {type(exc).__name__}"})


API_ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/encoder/jobs", create_job),
    ("GET", "/v1/encoder/jobs", list_jobs),
    ("GET", "/v1/encoder/jobs/{jobId}", get_job),
    ("DELETE", "/v1/encoder/jobs/{jobId}", delete_job),
    ("POST", "/v1/files", post_files),
    ("GET", "/v1/files", list_files),
    ("GET", "/v1/files/{fileId}", get_file),
    ("DELETE", "/v1/files/{fileId}", delete_file),
]


ADMIN_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/_emulator/health", admin_health),
    ("GET", "/_emulator/faults", admin_get_faults),
    ("PUT", "/_emulator/faults", admin_put_faults),
    ("POST", "/_emulator/faults", admin_add_fault),
    ("DELETE", "/_emulator/faults", admin_clear_faults),
    ("GET", "/_emulator/ledger", admin_ledger),
    ("GET", "/_emulator/webhooks", admin_webhooks),
    ("DELETE", "/_emulator/webhooks", admin_clear_webhooks),
    ("GET", "/_emulator/requests", admin_requests),
    ("GET", "/_emulator/clock", admin_clock),
    ("POST", "/_emulator/clock/advance", admin_advance),
    ("POST", "/_emulator/jobs/{jobId}/status", admin_force_status),
    ("GET", "/_emulator/lifecycle", admin_get_lifecycle),
    ("PATCH", "/_emulator/lifecycle", admin_patch_lifecycle),
    ("POST", "/_emulator/reset", admin_reset),
]


def _by_path(table: list[tuple[str, str, Handler]]) -> dict[str, dict[str, Handler]]:
    grouped: dict[str, dict[str, Handler]] = {}
    for method, path, handler in table:
        grouped.setdefault(path, {})[method] = handler
    return grouped


def build_app(emu: EmulatorCore) -> ASGIApp:
    """The emulator's ASGI app: Starlette routes wrapped in the connection-fault layer."""
    routes: list[Route] = [
        Route(path, ApiEndpoint(emu, path, handlers), methods=list(handlers))
        for path, handlers in _by_path(API_ROUTES).items()
    ]
    routes += [
        Route(path, _admin(emu, handlers), methods=list(handlers))
        for path, handlers in _by_path(ADMIN_ROUTES).items()
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # With a real-time clock, transitions (and their webhooks) happen even
        # when nobody polls; with a manual clock this loop does nothing.
        async with anyio.create_task_group() as tg:

            async def ticker() -> None:
                while True:
                    await anyio.sleep(0.1)
                    if not emu.clock.manual:
                        emu.tick()

            tg.start_soon(ticker)
            yield
            tg.cancel_scope.cancel()

    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    return ConnectionFaultMiddleware(app)
