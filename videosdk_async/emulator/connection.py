"""Connection-level faults: drop a connection, or cut a response body short.

This is the outermost ASGI layer. Route handlers ask for a drop or a
truncation by setting `ConnectionControl.mode` in the scope instead of
sending a response; this layer then acts on the raw connection.

Under uvicorn, the ``send`` callable is a bound method of its per-request
``RequestResponseCycle`` whose ``transport`` is the asyncio transport:
``abort()`` drops the connection with nothing sent, and ``close()`` after a
partial body flushes what was written and closes. Without such a transport
(in process through ``httpx.ASGITransport``, or another server) the layer
sends the response headers and raises ``httpx.RemoteProtocolError``: the
in-process transport re-raises it to the client, which then sees the same
exception a real dropped connection gives, and a real server closes the
connection mid-response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import anyio
import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONNECTION_KEY = "videosdk_emulator.connection"
DROP_MESSAGE = "Server disconnected without sending a response."
TRUNCATE_MESSAGE = "peer closed connection without sending complete message body"


@dataclass
class ConnectionControl:
    """Per-request switch a handler sets instead of answering."""

    mode: Literal["drop", "truncate"] | None = None


def control_of(scope: Scope) -> ConnectionControl:
    """The request's control (a fresh, unused one if the middleware is absent)."""
    control = scope.get(CONNECTION_KEY)
    return control if isinstance(control, ConnectionControl) else ConnectionControl()


def _transport_of(send: Send) -> Any:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "abort") or not hasattr(transport, "close"):
        return None
    return transport


class ConnectionFaultMiddleware:
    """Outermost ASGI layer carrying out drops and truncations (see module docs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; for HTTP, drop or cut short its answer when a fault asked for that."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        control = ConnectionControl()
        scope[CONNECTION_KEY] = control
        held: list[Message] = []

        async def guarded_send(message: Message) -> None:
            if control.mode is None:
                await send(message)
            elif control.mode == "truncate":
                held.append(message)
            # "drop": whatever the app still sends is discarded

        await self.app(scope, receive, guarded_send)
        if control.mode == "drop":
            await _cut(receive, send, None)
        elif control.mode == "truncate" and held:
            body = b"".join(m.get("body", b"") for m in held[1:])
            await _cut(receive, send, (held[0], body[: len(body) // 2]))


async def _cut(receive: Receive, send: Send, partial: tuple[Message, bytes] | None) -> None:
    transport = _transport_of(send)
    if partial is not None:
        start, chunk = partial
        await send(start)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    elif transport is None:
        # No socket to drop: start a response advertising a body that never comes.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
            }
        )
    if transport is None:
        raise httpx.RemoteProtocolError(TRUNCATE_MESSAGE if partial else DROP_MESSAGE)
    if partial is not None:
        transport.close()  # flushes the partial body, then closes
    else:
        transport.abort()  # nothing written: just go away
    # Wait for the server to notice, so it does not complain that the app
    # returned without completing its response.
    with anyio.move_on_after(2.0):
        while (await receive())["type"] != "http.disconnect":
            pass
