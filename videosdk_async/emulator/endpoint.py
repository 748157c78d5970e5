"""An API endpoint: log the request, draw its faults, check auth, run the handler, show the fault.

Faults that answer (``status``, ``rate_limit``, ``garbage``) build a response here;
faults that break the connection (``drop_*``, ``truncate``, a ``hang`` once it ends)
ask `.connection` to act on the socket; a ``slow_body`` trickles the real
response out here. Whether the operation ran is decided by the rule's phase, and the
ledger entry of an applied mutation names the fault its response met.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .auth import AuthError
from .clock import iso_ms
from .connection import control_of
from .core import EmulatorCore
from .errors import ApiError
from .faults import DEFAULT_CHUNKS, FaultPlan, FaultRule, retry_after_header
from .httpio import Handler, json_response, phrase
from .metrics import RequestRecord
from .routes import ORIGIN_KEY
from .validation import ValidationError

PROXY_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n"
    "<body><h1>It works!</h1><p>This page is served by a proxy, not by the API.</p>"
    "</body></html>\n"
)
WRONG_SHAPE_JSON = '{"ok": true, "result": "accepted"}'


def fault_response(rule: FaultRule) -> Response:
    """The response an error-kind fault (``status``, ``rate_limit``) answers with."""
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
    message = f"Emulated fault: {status} {phrase(status)}"
    return json_response(status, {"message": message}, headers)


def garbage_response(rule: FaultRule, noise: bytes) -> Response:
    """A success status with a body that is not what the API answers."""
    content: str | bytes
    if rule.body is not None:
        content, media_type = rule.body, "text/html; charset=utf-8"
    elif rule.body_format == "bytes":
        content, media_type = noise, "application/json"  # noise that claims to be JSON
    elif rule.body_format == "json":
        content, media_type = WRONG_SHAPE_JSON, "application/json"
    elif rule.body_format == "empty":
        content, media_type = b"", "application/json"
    else:
        content, media_type = PROXY_PAGE, "text/html; charset=utf-8"
    return Response(
        content, status_code=rule.status or 200, media_type=rule.content_type or media_type
    )


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass  # request body chunks: dropped


async def hold(seconds: float, receive: Receive) -> None:
    """Answer nothing for ``seconds``, or until the client hangs up."""
    with anyio.move_on_after(seconds):
        await _until_disconnect(receive)


def _pieces(body: bytes, count: int) -> list[bytes]:
    size = max(1, -(-len(body) // count))  # ceil: at most ``count`` pieces
    return [body[i : i + size] for i in range(0, len(body), size)]


async def trickle(
    response: Response, seconds: float, chunks: int, scope: Scope, receive: Receive, send: Send
) -> None:
    """Send ``response``'s headers at once and its body in pieces over ``seconds``.

    Stops early when the client hangs up.
    """
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    pieces = [] if scope["method"] == "HEAD" else _pieces(bytes(response.body), chunks)
    gap = seconds / max(1, len(pieces))
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            await _until_disconnect(receive)
            group.cancel_scope.cancel()

        group.start_soon(watch)
        for piece in pieces:
            await anyio.sleep(gap)
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        group.cancel_scope.cancel()


class ApiEndpoint:
    """An authenticated API path: metrics, faults, auth, then the method's handler."""

    def __init__(self, emulator: EmulatorCore, path: str, handlers: dict[str, Handler]) -> None:
        self.emulator = emulator
        self.template = path
        self.handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request: log it, plan its faults, check auth, run the method's handler."""
        emu = self.emulator
        method = scope["method"]
        # Starlette already answered 405 for other methods; HEAD comes with GET.
        handler = self.handlers.get(method) or self.handlers["GET"]
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        idempotency_key = Request(scope).headers.get("idempotency-key")
        at = iso_ms(emu.clock.now_ms())
        record = emu.metrics.begin(method, path, query, self.template, at, idempotency_key)
        plan = emu.faults.plan(method, self.template, path, query)
        record.fault = plan.kind
        if plan.delay > 0:
            await anyio.sleep(plan.delay)
        if plan.before is not None:
            await self._show(plan.before, plan, None, record, scope, receive, send)
            return
        scope[ORIGIN_KEY] = record  # mutations are recorded against this request
        response = await self._handle(handler, Request(scope, receive))
        if plan.after is not None:
            await self._show(plan.after, plan, response, record, scope, receive, send)
            return
        record.status = response.status_code
        await response(scope, receive, send)

    async def _show(
        self,
        rule: FaultRule,
        plan: FaultPlan,
        response: Response | None,
        record: RequestRecord,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Show a fault; ``response`` is the real answer when the operation ran first."""
        control = control_of(scope)
        kind = rule.kind
        if kind == "hang":
            await hold(plan.duration, receive)
            control.mode = "drop"
            return
        if kind in ("drop_before", "drop_after"):
            control.mode = "drop"
            return
        if kind == "garbage":
            response = garbage_response(rule, plan.noise)
        elif kind in ("status", "rate_limit"):
            response = fault_response(rule)
        assert response is not None  # truncate and slow_body run after the operation
        record.status = response.status_code
        if kind == "slow_body":
            await trickle(
                response, plan.duration, rule.chunks or DEFAULT_CHUNKS, scope, receive, send
            )
            return
        if kind == "truncate":
            control.mode = "truncate"
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
