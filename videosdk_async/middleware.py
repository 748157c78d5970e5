"""The middleware protocol, the per-call state, and how the chain is composed.

A user middleware is an async callable ``(request, call_next) -> response``. The client's own
policies are layers of the same chain that also receive the call's state: ``(request, call,
call_next)``. The chain is composed once, when the client is built; a call then runs through
it with no per-call allocation beyond its `Call` and the request itself.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Protocol

import httpx

__all__ = ["Call", "CallNext", "Layer", "Middleware", "Next", "compose", "validate_middleware"]

CallNext = Callable[[httpx.Request], Awaitable[httpx.Response]]
"""What a user middleware calls to pass the request on: the rest of the chain."""

Middleware = Callable[[httpx.Request, CallNext], Awaitable[httpx.Response]]
"""A user middleware: an async callable ``(request, call_next) -> response``."""


_NO_LIMIT = float("inf")


class Call:
    """The state of one API call, shared by all its attempts.

    The client creates one per call and hands it to every layer explicitly; nothing is looked
    up by key. ``deadline`` is a time on ``clock`` (None: no deadline); ``attempts`` counts the
    requests put on the wire; ``last_failure`` and ``may_have_applied`` say what went wrong
    before, so a final error (or a 404 to a retried delete) can be reported for what it is.
    """

    __slots__ = (
        "attempt_timeout",
        "attempts",
        "clock",
        "deadline",
        "file_id",
        "in_flight",
        "job_id",
        "last_failure",
        "may_have_applied",
        "method",
        "path",
        "retry_refused",
        "started",
        "total",
    )

    def __init__(
        self,
        method: str,
        path: str,
        *,
        job_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        attempt_timeout: dict[str, float | None] | None = None,
        file_id: str | None = None,
    ) -> None:
        self.method: str = method
        self.path: str = path
        self.job_id: str | None = job_id
        self.file_id: str | None = file_id
        self.clock: Callable[[], float] = clock
        self.attempt_timeout: dict[str, float | None] | None = attempt_timeout
        self.deadline: float | None = None
        self.total: float | None = None
        self.attempts: int = 0
        self.last_failure: str | None = None
        # True once an attempt failed after its bytes may have reached the server.
        self.may_have_applied: bool = False
        # True while an attempt is on the wire: a deadline that cuts it off cannot know
        # whether the server took the request on.
        self.in_flight: bool = False
        # Why a failed attempt was not retried although the policy allowed it (the budget).
        self.retry_refused: str | None = None
        self.started: float = time.perf_counter()

    def remaining(self) -> float | None:
        """Seconds left before the deadline; None when the call has no deadline."""
        return None if self.deadline is None else self.deadline - self.clock()

    def note_failure(self, description: str, *, may_have_applied: bool) -> None:
        """Record an attempt's failure, for the final message and the lost-response check."""
        self.last_failure = description
        self.may_have_applied = self.may_have_applied or may_have_applied

    def timeout_for_attempt(self) -> dict[str, float | None] | None:
        """The per-attempt timeouts for httpx, each cut to the time left before the deadline."""
        parts = self.attempt_timeout
        if parts is None or self.deadline is None:
            return parts
        left = max(self.deadline - self.clock(), 0.0)
        longest = max(_NO_LIMIT if v is None else v for v in parts.values())
        if longest <= left:  # the usual first attempt: nothing to cut
            return parts
        return {k: left if v is None or v > left else v for k, v in parts.items()}

    @property
    def label(self) -> str:
        """How messages name the call: ``DELETE /v1/encoder/jobs/abc (job abc)``."""
        subject = (
            f" (job {self.job_id})"
            if self.job_id
            else f" (file {self.file_id})"
            if self.file_id
            else ""
        )
        return f"{self.method} {self.path}{subject}"

    def __repr__(self) -> str:
        return f"Call({self.label}, attempts={self.attempts})"


Next = Callable[[httpx.Request, Call], Awaitable[httpx.Response]]
"""The rest of the chain as the client's layers see it."""


class Layer(Protocol):
    """One step of the chain: sees the request and the call's state, calls ``call_next``."""

    async def __call__(self, request: httpx.Request, call: Call, call_next: Next) -> httpx.Response:
        """Do this step for one attempt; ``call_next(request, call)`` runs the rest."""
        ...


class UserMiddleware:
    """A user's ``(request, call_next)`` middleware as a layer of the chain."""

    __slots__ = ("middleware",)

    def __init__(self, middleware: Middleware) -> None:
        self.middleware: Middleware = validate_middleware(middleware)

    async def __call__(self, request: httpx.Request, call: Call, call_next: Next) -> httpx.Response:
        """Run the user's middleware with the rest of the chain bound to this call."""

        async def rest(request: httpx.Request) -> httpx.Response:
            return await call_next(request, call)

        return await self.middleware(request, rest)

    def __repr__(self) -> str:
        return _name(self.middleware)


def _name(middleware: object) -> str:
    return getattr(middleware, "__qualname__", None) or type(middleware).__qualname__


def validate_middleware(middleware: object) -> Middleware:
    """Check that ``middleware`` is an async callable taking ``(request, call_next)``.

    Raises TypeError when the client is built rather than at the first call.
    """
    if not callable(middleware):
        raise TypeError(f"middleware {middleware!r} is not callable")
    target: object = middleware
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


def compose(layers: Sequence[Layer], terminal: Next) -> Next:
    """Fold ``layers`` (outermost first) around ``terminal`` into one callable, once.

    Each link is a ``functools.partial`` (C, no extra Python frame per layer and call).
    """
    handler = terminal
    for layer in reversed(layers):
        handler = partial(layer, call_next=handler)
    return handler
