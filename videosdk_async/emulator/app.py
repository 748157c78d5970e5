"""The Starlette application: API and storage routes, ``/_emulator`` admin routes, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from .admin import ADMIN_ROUTES, admin_endpoint
from .connection import ConnectionFaultMiddleware
from .core import EmulatorCore
from .endpoint import ApiEndpoint
from .httpio import Handler, json_response
from .routes import API_ROUTES, storage_hint

__all__ = ["build_app"]

TICK_SECONDS = 0.1
"""How often a served emulator with a running clock applies due transitions."""


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 404:
        message = f"Route {request.method} {path} not found"
    elif exc.status_code == 405:
        message = f"Method {request.method} not allowed for {path}"
    else:
        message = str(exc.detail)
    hint = storage_hint(path) if exc.status_code in (404, 405) else None
    if hint:
        message += f"; {hint}"
    return json_response(exc.status_code, {"message": message}, dict(exc.headers or {}))


async def _server_error(request: Request, exc: Exception) -> Response:
    return json_response(500, {"message": f"Internal emulator error: {type(exc).__name__}"})


def _by_path(table: list[tuple[str, str, Handler]]) -> dict[str, dict[str, Handler]]:
    grouped: dict[str, dict[str, Handler]] = {}
    for method, path, handler in table:
        grouped.setdefault(path, {})[method] = handler
    return grouped


def build_app(emu: EmulatorCore) -> ASGIApp:
    """The ASGI app serving ``emu``: Starlette routes wrapped in the connection-fault layer."""
    routes: list[Route] = [
        Route(path, ApiEndpoint(emu, path, handlers), methods=list(handlers))
        for path, handlers in _by_path(API_ROUTES).items()
    ]
    routes += [
        Route(path, admin_endpoint(emu, handlers), methods=list(handlers))
        for path, handlers in _by_path(ADMIN_ROUTES).items()
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # With a real-time clock, transitions (and their webhooks) happen even
        # when nobody polls; with a manual clock this loop does nothing.
        async with anyio.create_task_group() as tg:

            async def ticker() -> None:
                while True:
                    await anyio.sleep(TICK_SECONDS)
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
