"""The middleware protocol, the per-call context, and chain composition.

A middleware is an async callable ``(request, call_next) -> response``: a class with an async
``__call__`` or a plain ``async def``. The chain is composed once, when the client is built;
each call then runs through it with no per-call allocation beyond the request itself.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from ._http import attempts_text, call_label
from .errors import DeadlineExceededError

__all__ = ["CallContext", "CallNext", "Middleware", "compose", "validate_middleware"]

CallNext = Callable[[httpx.Request], Awaitable[httpx.Response]]
"""The rest of the chain: send this request, get a response."""

Middleware = Callable[[httpx.Request, CallNext], Awaitable[httpx.Response]]
"""An async callable ``(request, call_next) -> response``."""

_CONTEXT_KEY = "videosdk_async.call"


class CallContext:
    """State of one API call shared by every attempt: deadline, attempts, last failure.

    It rides in ``request.extensions``; clones of the request share it on purpose, so the
    deadline and the attempt count span the whole call.
    """

    __slots__ = (
        "attempt_timeout",
        "attempts",
        "clock",
        "deadline",
        "job_id",
        "last_failure",
        "may_have_applied",
        "total",
    )

    def __init__(self, *, job_id: str | None = None) -> None:
        self.clock: Callable[[], float] = time.monotonic
        self.deadline: float | None = None
        self.total: float | None = None
        self.attempt_timeout: dict[str, float | None] | None = None
        self.attempts = 0
        self.last_failure: str | None = None
        # True once an attempt failed after its bytes may have reached the server.
        self.may_have_applied = False
        self.job_id = job_id

    @classmethod
    def of(cls, request: httpx.Request) -> CallContext:
        """The context riding on ``request``, created on first use."""
        ctx = request.extensions.get(_CONTEXT_KEY)
        if not isinstance(ctx, CallContext):
            ctx = cls()
            request.extensions[_CONTEXT_KEY] = ctx
        return ctx

    def attach(self, request: httpx.Request) -> None:
        """Make this the context of ``request``."""
        request.extensions[_CONTEXT_KEY] = self

    def remaining(self) -> float | None:
        """Seconds left before the deadline; None when the call has no deadline."""
        return None if self.deadline is None else self.deadline - self.clock()

    def record_failure(self, description: str, *, may_have_applied: bool) -> None:
        """Note an attempt's failure, for the final error message and the lost-response check."""
        self.last_failure = description
        self.may_have_applied = self.may_have_applied or may_have_applied

    def timeout_for_attempt(self) -> dict[str, float | None] | None:
        """httpx's per-attempt timeouts, each cut to the time left before the deadline."""
        parts = self.attempt_timeout
        left = self.remaining()
        if parts is None or left is None:
            return parts
        left = max(left, 0.0)
        return {k: left if v is None else min(v, left) for k, v in parts.items()}

    def deadline_exceeded(self, request: httpx.Request) -> DeadlineExceededError:
        """The error for a call whose deadline has passed."""
        total = self.total if self.total is not None else 0.0
        last = f"; last failure: {self.last_failure}" if self.last_failure else ""
        return DeadlineExceededError(
            f"{call_label(request, self.job_id)}: deadline of {total:g}s exceeded "
            f"after {attempts_text(self.attempts)}{last}",
            method=request.method,
            url=str(request.url),
            deadline=total,
            last_failure=self.last_failure,
            job_id=self.job_id,
            attempts=self.attempts,
        )


def _name(middleware: object) -> str:
    return getattr(middleware, "__qualname__", None) or type(middleware).__qualname__


def validate_middleware(middleware: object) -> Middleware:
    """Check that ``middleware`` is an async callable taking ``(request, call_next)``.

    Raises TypeError at construction rather than at the first call.
    """
    if not callable(middleware):
        raise TypeError(f"middleware {middleware!r} is not callable")
    target: Any = middleware
    if not (inspect.isfunction(middleware) or inspect.ismethod(middleware)):
        target = getattr(middleware, "__call__", middleware)  # noqa: B004
    if not inspect.iscoroutinefunction(target):
        raise TypeError(
            f"middleware {_name(middleware)} must be an async callable "
            "`async def (request, call_next) -> response`"
        )
    try:
        inspect.signature(middleware).bind(None, None)
    except TypeError:
        raise TypeError(
            f"middleware {_name(middleware)} must accept two positional arguments "
            "(request, call_next)"
        ) from None
    except ValueError:  # no signature to inspect (a builtin); trust it
        pass
    return middleware


def compose(middlewares: Sequence[Middleware], terminal: CallNext) -> CallNext:
    """Fold ``middlewares`` (outermost first) around ``terminal`` into one callable."""
    handler = terminal
    for middleware in reversed(middlewares):
        handler = _link(middleware, handler)
    return handler


def _link(middleware: Middleware, call_next: CallNext) -> CallNext:
    async def step(request: httpx.Request) -> httpx.Response:
        return await middleware(request, call_next)

    return step
