"""TimeoutPolicy (per-attempt timeouts, the call deadline, the queue bound) and its layer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx
from sniffio import current_async_library

from ._constants import CALL_DEADLINE, CONNECT_TIMEOUT, POOL_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT
from ._responses import deadline_exceeded
from ._text import finite, shown
from .errors import ConfigurationError
from .middleware import Call, Next

__all__ = ["DeadlineLayer", "TimeoutPolicy", "TimeoutSetting"]

# asyncio.timeout (Python 3.11+); on 3.10, and on trio, anyio's cancel scope does the job.
# Looked up on first use: importing asyncio up front would double this module's import time.
_asyncio_timeout: Callable[[float], Any] | None = None


def _seconds(name: str, value: object, *, allow_none: bool) -> float | None:
    """``value`` as positive, finite seconds, or a ConfigurationError naming ``name``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{name} must be a number of seconds, got {shown(value)}")
    seconds = finite(value)
    if seconds is None or seconds <= 0:
        raise ConfigurationError(f"{name} must be positive and finite, got {shown(value)}")
    return seconds


class TimeoutPolicy:
    """How long a call may take: one deadline for the whole call, and per-attempt timeouts.

    Args:
        deadline: Seconds the whole call may take: every attempt, backoff sleep and body read.
            When it passes the call raises `DeadlineExceededError`
            naming the deadline, the attempts made and the last failure. None: no deadline.
        connect: Per-attempt connect timeout (httpx's phases; each cut to the time left).
        read: Per-attempt timeout between bytes read.
        write: Per-attempt timeout between bytes written.
        pool: Per-attempt wait for a connection from the pool.
        queue: Bound on the wait for one of the client's ``max_concurrency`` in-flight slots,
            which comes before the deadline starts. None (the default) waits however long the
            backlog is, so a gather of thousands of calls completes; set it where a caller
            must answer in time (a web handler): ``TimeoutPolicy(deadline=10, queue=2)``
            raises `QueueTimeoutError` after 2 s in the queue.
        clock: Monotonic seconds, injectable so tests can drive time. The deadline is also
            enforced on the event loop's own clock, so nothing can outlast it.
    """

    __slots__ = ("attempt", "attempt_parts", "clock", "deadline", "queue")

    def __init__(
        self,
        deadline: float | None = CALL_DEADLINE,
        *,
        connect: float | None = CONNECT_TIMEOUT,
        read: float | None = READ_TIMEOUT,
        write: float | None = WRITE_TIMEOUT,
        pool: float | None = POOL_TIMEOUT,
        queue: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deadline: float | None = _seconds("deadline", deadline, allow_none=True)
        self.queue: float | None = _seconds("queue timeout", queue, allow_none=True)
        phases = {
            name: _seconds(f"{name} timeout", value, allow_none=True)
            for name, value in (
                ("connect", connect),
                ("read", read),
                ("write", write),
                ("pool", pool),
            )
        }
        self.attempt: httpx.Timeout = httpx.Timeout(**phases)
        self.attempt_parts: dict[str, float | None] = self.attempt.as_dict()  # built once
        self.clock: Callable[[], float] = clock

    @classmethod
    def coerce(cls, value: TimeoutSetting) -> TimeoutPolicy | None:
        """A policy from what users pass as ``timeout=``.

        A policy as is; seconds as the call deadline; an ``httpx.Timeout`` as the per-attempt
        timeouts (under the default deadline); None for no policy at all.
        """
        if value is None or isinstance(value, TimeoutPolicy):
            return value
        if isinstance(value, httpx.Timeout):
            return cls(connect=value.connect, read=value.read, write=value.write, pool=value.pool)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(
                "timeout must be seconds, an httpx.Timeout, a TimeoutPolicy or None, "
                f"got {type(value).__name__}"
            )
        return cls(value)

    def __repr__(self) -> str:
        t = self.attempt
        return (
            f"TimeoutPolicy(deadline={self.deadline}, connect={t.connect}, read={t.read}, "
            f"write={t.write}, pool={t.pool}, queue={self.queue})"
        )


TimeoutSetting = TimeoutPolicy | float | httpx.Timeout | None
"""What ``timeout=`` accepts: a policy, seconds (the call deadline), an httpx.Timeout, or None."""


def _load_asyncio_timeout() -> Callable[[float], Any] | None:
    global _asyncio_timeout
    import asyncio

    _asyncio_timeout = getattr(asyncio, "timeout", None)
    return _asyncio_timeout


class DeadlineLayer:
    """The outermost layer: the rest of the chain runs under the call's deadline."""

    __slots__ = ("clock", "seconds")

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds: float = seconds
        self.clock: Callable[[], float] = clock

    async def __call__(self, request: httpx.Request, call: Call, call_next: Next) -> httpx.Response:
        """Stamp the deadline on the call and cancel whatever is under way when it passes."""
        call.total = self.seconds
        call.deadline = self.clock() + self.seconds
        if current_async_library() == "asyncio" and (_asyncio_timeout or _load_asyncio_timeout()):
            # asyncio's own timeout does on asyncio what anyio's scope does, at half the cost
            # per call; it cancels only this task and tells its own expiry from an inner error.
            scope = _asyncio_timeout(self.seconds)  # type: ignore[misc]
            try:
                async with scope:
                    return await call_next(request, call)
            except TimeoutError:
                if not scope.expired():
                    raise
            raise deadline_exceeded(request, call)
        with anyio.move_on_after(self.seconds):
            return await call_next(request, call)
        raise deadline_exceeded(request, call)

    def __repr__(self) -> str:
        return f"Deadline({self.seconds:g}s)"
