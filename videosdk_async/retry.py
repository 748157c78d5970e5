"""Retries: what is safe to retry (a pure decision), the budget that bounds them, the layer.

The decision is a small pure function of the failed attempt; the budget is the one stateful
part, shared by a client and all its ``with_options`` copies; the layer runs the loop.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import httpx

from ._constants import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    BUDGET_FLOOR_PER_SECOND,
    BUDGET_MAX_TOKENS,
    BUDGET_RATIO,
    MAX_ATTEMPTS,
    MAY_HAVE_APPLIED_STATUS,
    RETRY_AFTER_CAP,
    RETRYABLE_STATUS,
)
from ._http import NOT_SENT, clone_request, parse_retry_after
from ._responses import deadline_exceeded
from ._text import finite, shown
from .errors import ConfigurationError
from .logs import logger
from .middleware import Call, Next

__all__ = ["RetryBudget", "RetryDecision", "RetryLayer", "RetryPolicy", "RetrySetting"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})

# Failures worth another try (for idempotent requests); anything else is a bug or a config error.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _number(name: str, value: object, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{name} must be a number, got {shown(value)}")
    number = finite(value)
    if number is None or number < low:
        raise ConfigurationError(f"{name} must be finite and >= {low:g}, got {shown(value)}")
    return number


class RetryBudget:
    """A token bucket that keeps retries a bounded fraction of calls.

    Each call deposits ``ratio`` tokens; each retry withdraws one; ``floor_per_second`` tokens
    trickle in with time, so a quiet client can still retry now and then. The bucket starts
    full and holds at most ``max_tokens``, which lets a burst ride out a spell of errors (a
    few hundred calls at a 30 % error rate all get their retries) while a long outage tends to
    ``1 + ratio`` attempts per call. One budget serves a client and all its copies.
    """

    __slots__ = ("_clock", "_last", "_tokens", "floor_per_second", "max_tokens", "ratio")

    def __init__(
        self,
        *,
        ratio: float = BUDGET_RATIO,
        max_tokens: float = BUDGET_MAX_TOKENS,
        floor_per_second: float = BUDGET_FLOOR_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ratio: float = _number("ratio", ratio, 0.0)
        self.max_tokens: float = _number("max_tokens", max_tokens, 1.0)
        self.floor_per_second: float = _number("floor_per_second", floor_per_second, 0.0)
        self._clock = clock
        self._tokens = self.max_tokens
        self._last = clock()

    @property
    def tokens(self) -> float:
        """The current balance."""
        self._refill()
        return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        elapsed = now - self._last
        if elapsed > 0:
            self._last = now
            self._tokens = min(self.max_tokens, self._tokens + elapsed * self.floor_per_second)

    def deposit(self) -> None:
        """A call was made: add ``ratio`` tokens."""
        self._tokens = min(self.max_tokens, self._tokens + self.ratio)

    def try_withdraw(self) -> bool:
        """Take one token for a retry; False when the budget is spent."""
        self._refill()
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def __repr__(self) -> str:
        return (
            f"RetryBudget(ratio={self.ratio}, max_tokens={self.max_tokens}, "
            f"floor_per_second={self.floor_per_second})"
        )


@dataclass(frozen=True)
class RetryDecision:
    """Whether to retry a failed attempt, after how long, and why (for messages and logs)."""

    retry: bool
    delay: float
    reason: str
    deadline: bool = False  # stopped because the wait would pass the call's deadline


class RetryPolicy:
    """Which failed attempts are retried, and when.

    - Idempotent requests (GET, DELETE, ...) are retried on connection errors, timeouts and
      HTTP 408, 429, 500, 502, 503, 504.
    - Other requests (a create, an upload) only when the failure provably happened before the
      request was sent (connect error, connect or pool timeout).
    - Delays: full jitter, ``uniform(0, min(backoff_cap, backoff_base * 2**(retry-1)))``, but
      never sooner than the server's ``Retry-After``/``retry-after-ms``. If the server asks for
      more than ``retry_after_cap`` seconds or than the time left, the call stops at once.
    - No sleep starts that would end past the call's deadline.

    The policy holds no state: `decide` is a pure function of the failed attempt, and
    the budget that bounds retries belongs to the client. ``sleep`` and ``random`` are
    injectable so tests are exact and instant.

    Args:
        max_attempts: Attempts in all, the first included (1 = no retries).
        max_retries: Alternatively, retries after the first attempt (openai's convention).
        backoff_base: The first retry's delay ceiling, in seconds; it doubles with each retry.
        backoff_cap: The most a backoff delay can be, in seconds (a ``Retry-After`` may ask
            for longer).
        retry_after_cap: The longest ``Retry-After`` honoured, in seconds; a server asking for
            more stops the call at once.
        retry_statuses: The HTTP statuses retried (for idempotent requests only).
        sleep: Waits the given seconds between attempts.
        random: A float in [0, 1) for each jitter draw.
    """

    __slots__ = (
        "_random",
        "backoff_base",
        "backoff_cap",
        "max_attempts",
        "retry_after_cap",
        "retry_statuses",
        "sleep",
    )

    def __init__(
        self,
        max_attempts: int | None = None,
        *,
        max_retries: int | None = None,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        retry_after_cap: float = RETRY_AFTER_CAP,
        retry_statuses: frozenset[int] = RETRYABLE_STATUS,
        sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts is not None and max_retries is not None:
            raise ConfigurationError("give max_attempts or max_retries, not both")
        if max_retries is not None:
            max_attempts = _count("max_retries", max_retries, 0) + 1
        self.max_attempts: int = (
            MAX_ATTEMPTS if max_attempts is None else _count("max_attempts", max_attempts, 1)
        )
        self.backoff_base: float = _number("backoff_base", backoff_base, 0.0)
        self.backoff_cap: float = _number("backoff_cap", backoff_cap, 0.0)
        self.retry_after_cap: float = _number("retry_after_cap", retry_after_cap, 0.0)
        self.retry_statuses: frozenset[int] = frozenset(retry_statuses)
        self.sleep: Callable[[float], Awaitable[object]] = sleep
        self._random = random

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self.max_attempts - 1

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that makes exactly one attempt."""
        return cls(max_attempts=1)

    @classmethod
    def coerce(cls, value: RetrySetting) -> RetryPolicy | None:
        """A policy from what users pass as ``retry=``: a policy, a number of retries, or None.

        ``0``, ``False`` and None all mean no retries.
        """
        if value is None or value is False or isinstance(value, RetryPolicy):
            return value or None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigurationError(
                f"retry must be a RetryPolicy, a number of retries or None, got {shown(value)}"
            )
        return cls(max_retries=value) if value else None

    def with_max_retries(self, max_retries: int) -> RetryPolicy:
        """This policy with another number of retries."""
        clone = copy.copy(self)
        clone.max_attempts = _count("max_retries", max_retries, 0) + 1
        return clone

    def backoff(self, retry_number: int) -> float:
        """Full-jitter delay before retry ``retry_number`` (1-based); always in [0, cap]."""
        exponent = min(retry_number - 1, 62)  # keep 2**n finite
        ceiling = min(self.backoff_cap, self.backoff_base * (2.0**exponent))
        return self._random() * ceiling

    def decide(
        self,
        method: str,
        attempt: int,
        failure: httpx.Response | Exception,
        remaining: float | None,
    ) -> RetryDecision:
        """Decide about retrying after ``attempt`` failed with ``failure`` (pure).

        ``failure`` is the answer (a retryable status) or the transport error; ``remaining``
        the seconds left before the call's deadline (None: no deadline).
        """
        idempotent = method in IDEMPOTENT_METHODS
        retry_after: float | None = None
        if isinstance(failure, Exception):
            what = type(failure).__name__
            if not isinstance(failure, TRANSIENT):
                return RetryDecision(False, 0.0, f"{what} is not transient")
            if not idempotent and not isinstance(failure, NOT_SENT):
                return RetryDecision(False, 0.0, f"{what} after the {method} may have been sent")
        else:
            what = f"HTTP {failure.status_code}"
            if failure.status_code not in self.retry_statuses:
                return RetryDecision(False, 0.0, f"{what} is not retryable")
            if not idempotent:
                return RetryDecision(False, 0.0, f"{what} to a {method} is not retried")
            retry_after = parse_retry_after(failure.headers)
        if attempt >= self.max_attempts:
            used = (
                "the only attempt"
                if self.max_attempts == 1
                else f"all {self.max_attempts} attempts"
            )
            return RetryDecision(False, 0.0, f"{what}; {used} used")
        delay = self.backoff(attempt)
        if retry_after is not None:
            if retry_after > self.retry_after_cap:
                return RetryDecision(
                    False, 0.0, f"{what}; server asked to wait {retry_after:g}s, over the cap"
                )
            delay = max(delay, retry_after)
        if remaining is not None and delay >= remaining:
            return RetryDecision(
                False, 0.0, f"{what}; a {delay:.3g}s wait would pass the deadline", deadline=True
            )
        return RetryDecision(True, delay, what)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_attempts={self.max_attempts}, backoff_base={self.backoff_base}, "
            f"backoff_cap={self.backoff_cap}, retry_after_cap={self.retry_after_cap})"
        )


RetrySetting = RetryPolicy | int | None
"""What ``retry=`` accepts: a policy, a number of retries (0 = none), or None (none)."""


def _count(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(f"{name} must be an int >= {low}, got {shown(value)}")
    return value


class RetryLayer:
    """Runs the attempts of a call, retrying per the policy and within the client's budget.

    Each attempt sends a fresh copy of the request. A decision is made only when an attempt
    failed.
    """

    __slots__ = ("budget", "policy")

    def __init__(self, policy: RetryPolicy, budget: RetryBudget | None) -> None:
        self.policy: RetryPolicy = policy
        self.budget: RetryBudget | None = budget

    async def __call__(self, request: httpx.Request, call: Call, call_next: Next) -> httpx.Response:
        """Send ``request``, retrying what is safe to retry."""
        policy, budget = self.policy, self.budget
        if budget is not None:
            budget.deposit()
        attempt = 0
        while True:
            attempt += 1
            failure: httpx.Response | Exception
            try:
                response = await call_next(clone_request(request), call)
            except httpx.TransportError as exc:
                failure = exc  # the attempt itself noted it (client._send)
            else:
                status = response.status_code
                if status not in policy.retry_statuses:
                    return response
                failure = response
                call.note_failure(
                    f"HTTP {status}", may_have_applied=status in MAY_HAVE_APPLIED_STATUS
                )
            decision = policy.decide(request.method, attempt, failure, call.remaining())
            if decision.retry and budget is not None and not budget.try_withdraw():
                call.retry_refused = "the client's retry budget is spent (too many failures lately)"
                decision = RetryDecision(False, 0.0, f"{decision.reason}; retry budget spent")
            if not decision.retry:
                logger.debug("not retrying %s: %s", call.label, decision.reason)
                if isinstance(failure, httpx.Response):
                    return failure
                left = call.remaining()
                if decision.deadline or (left is not None and left <= 0):
                    raise deadline_exceeded(request, call) from failure
                raise failure
            if isinstance(failure, httpx.Response):
                await failure.aclose()
            logger.info(
                "retrying %s in %.3fs (attempt %d of %d): %s",
                call.label,
                decision.delay,
                attempt + 1,
                policy.max_attempts,
                decision.reason,
            )
            await policy.sleep(decision.delay)

    def __repr__(self) -> str:
        return f"Retry({self.policy!r}, budget={self.budget!r})"
