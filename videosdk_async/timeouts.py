"""TimeoutPolicy: per-attempt timeouts and one deadline for the whole call."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
import httpx

from ._constants import CALL_DEADLINE, CONNECT_TIMEOUT, POOL_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT
from .errors import ConfigurationError
from .middleware import CallContext, CallNext

__all__ = ["TimeoutPolicy"]


class TimeoutPolicy:
    """The outermost middleware: one deadline covering every attempt, sleep and body read.

    ``deadline`` bounds the whole call (pool wait, all attempts, backoff sleeps, the body).
    ``connect``/``read``/``write``/``pool`` bound each attempt; every attempt gets
    ``min(configured, time left)``, applied where the request is sent. When the deadline passes
    the call raises :class:`~videosdk_async.DeadlineExceededError` naming the deadline, the
    attempts made and the last failure.

    ``queue`` bounds the wait for one of the client's ``max_concurrency`` slots, which comes
    before the deadline starts. None (the default) waits for a slot however long the backlog
    is, so a gather of thousands of calls completes; set it where a caller must answer in time
    (a web handler): ``TimeoutPolicy(deadline=10, queue=2)`` raises
    :class:`~videosdk_async.QueueTimeoutError` after 2 s in the queue.

    ``clock`` (monotonic seconds) is injectable so tests can drive time; the deadline is also
    enforced on the event loop's own clock, so nothing can outlast it.
    """

    def __init__(
        self,
        deadline: float | None = CALL_DEADLINE,
        *,
        connect: float = CONNECT_TIMEOUT,
        read: float = READ_TIMEOUT,
        write: float = WRITE_TIMEOUT,
        pool: float = POOL_TIMEOUT,
        queue: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("connect", connect), ("read", read), ("write", write), ("pool", pool)):
            if value <= 0:
                raise ConfigurationError(f"{name} timeout must be positive, got {value}")
        if deadline is not None and deadline <= 0:
            raise ConfigurationError(f"deadline must be positive, got {deadline}")
        if queue is not None and queue <= 0:
            raise ConfigurationError(f"queue timeout must be positive, got {queue}")
        self.queue = queue
        self.deadline = deadline
        self.attempt = httpx.Timeout(connect=connect, read=read, write=write, pool=pool)
        self._attempt_parts = self.attempt.as_dict()  # built once, not per call
        self.clock = clock

    @classmethod
    def coerce(cls, value: TimeoutPolicy | float | None) -> TimeoutPolicy | None:
        """Accept a policy, a number of seconds (the call deadline), or None (no policy)."""
        if value is None or isinstance(value, TimeoutPolicy):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(f"timeout must be a TimeoutPolicy or seconds, got {value!r}")
        return cls(float(value))

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        """Run the rest of the chain under this call's deadline."""
        ctx = CallContext.of(request)
        ctx.clock = self.clock
        ctx.attempt_timeout = self._attempt_parts
        if self.deadline is None:
            return await call_next(request)
        ctx.total = self.deadline
        ctx.deadline = self.clock() + self.deadline
        with anyio.move_on_after(self.deadline):
            return await call_next(request)
        raise ctx.deadline_exceeded(request)

    def __repr__(self) -> str:
        t = self.attempt
        return (
            f"TimeoutPolicy(deadline={self.deadline}, connect={t.connect}, read={t.read}, "
            f"write={t.write}, pool={t.pool}, queue={self.queue})"
        )
