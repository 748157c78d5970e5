"""Cancel a request's handler when its client goes away.

Starlette and FastAPI keep running a handler after the client has disconnected: the work
finishes and its answer is thrown away. For a handler that awaits the VideoSDK API that
means a call that holds one of the client's in-flight slots for nothing, for up to its whole
deadline. This pure ASGI middleware listens for ``http.disconnect`` while the handler runs
and cancels it: the SDK call is cancelled where it waits, its slot is released, its
connection is closed, and nothing more is sent.
"""

from __future__ import annotations

import logging
import math

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("jobs_api")


class CancelOnDisconnect:
    """ASGI middleware: cancel the handler of an HTTP request whose client disconnected.

    The request's messages are read by a background task and handed to the app through a
    buffer (FastAPI reads a JSON body whole anyway). A disconnect after the response was
    sent (background tasks may still run then) cancels nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responded = False
        client_gone = False

        async def send_noting_the_end(message: Message) -> None:
            nonlocal responded
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                responded = True

        inbox, app_receive = anyio.create_memory_object_stream[Message](math.inf)
        with inbox, app_receive:
            async with anyio.create_task_group() as group:

                async def relay() -> None:
                    nonlocal client_gone
                    while True:
                        message = await receive()
                        inbox.send_nowait(message)
                        if message["type"] == "http.disconnect":
                            if not responded:
                                client_gone = True
                                group.cancel_scope.cancel()
                            return

                group.start_soon(relay)
                await self.app(scope, app_receive.receive, send_noting_the_end)
                group.cancel_scope.cancel()  # the answer is out: stop listening
        if client_gone:
            logger.info("client went away: cancelled %s %s", scope["method"], scope.get("path", ""))
