"""Redacted logging: one line per attempt through the stdlib logger ``videosdk_async``.

Only method, path, status, elapsed time and attempt number are logged: never headers, bodies,
query strings or tokens. ``VIDEOSDK_LOG=debug|info`` turns it on without touching code.
"""

from __future__ import annotations

import logging
import os
import time

import httpx

from ._constants import ENV_LOG
from .middleware import Call, Next

__all__ = ["LoggingLayer", "configure_from_env", "logger"]

logger: logging.Logger = logging.getLogger("videosdk_async")


def configure_from_env() -> None:
    """Honour ``VIDEOSDK_LOG`` (``debug`` or ``info``): set the level, add a stderr handler once."""
    level = os.environ.get(ENV_LOG, "").strip().upper()
    if level not in ("DEBUG", "INFO"):
        return
    logger.setLevel(level)
    if not any(getattr(h, "_videosdk", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler._videosdk = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


class LoggingLayer:
    """Logs each attempt: method, path, status (or error type), elapsed, attempt number."""

    __slots__ = ()

    async def __call__(self, request: httpx.Request, call: Call, call_next: Next) -> httpx.Response:
        """Log around one attempt; costs one level check when INFO is off."""
        if not logger.isEnabledFor(logging.INFO):
            return await call_next(request, call)
        started = time.perf_counter()
        outcome = "cancelled"  # what the log says if neither branch below runs
        try:
            response = await call_next(request, call)
            outcome = str(response.status_code)
            return response
        except Exception as exc:
            outcome = type(exc).__name__
            raise
        finally:
            logger.info(
                "%s %s -> %s in %.1fms (attempt %d)",
                request.method,
                request.url.path,
                outcome,
                (time.perf_counter() - started) * 1000,
                call.attempts,
            )

    def __repr__(self) -> str:
        return "Logging()"
