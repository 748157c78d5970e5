"""RetryPolicy: safe retries with full-jitter backoff, Retry-After, a deadline and a budget."""

from __future__ import annotations

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
    RETRY_AFTER_CAP,
    RETRYABLE_STATUS,
)
from ._http import clone_request, parse_retry_after
from .errors import ConfigurationError
from .logs import logger
from .middleware import CallContext, CallNext

__all__ = ["RetryBudget", "RetryDecision", "RetryPolicy"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})

# Failures that provably happened before any byte of the request reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures worth another try (for idempotent requests); anything else is a bug or a config error.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class RetryBudget:
    """A token bucket that keeps retries a small fraction of first attempts.

    Each call deposits ``ratio`` tokens; each retry withdraws one. ``floor_per_second`` tokens
    trickle in with time, so a quiet client can still retry now and then. The balance stays in
    ``[0, max_tokens]``. While everything fails, attempts per call tend to ``1 + ratio`` instead
    of the policy's maximum.
    """

    def __init__(
        self,
        *,
        ratio: float = BUDGET_RATIO,
        max_tokens: float = BUDGET_MAX_TOKENS,
        floor_per_second: float = BUDGET_FLOOR_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ratio < 0 or max_tokens < 1 or floor_per_second < 0:
            raise ConfigurationError(
                "RetryBudget needs ratio >= 0, max_tokens >= 1 and floor_per_second >= 0"
            )
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.floor_per_second = floor_per_second
        self._clock = clock
        self._tokens = max_tokens
        self._last = clock()

    @property
    def tokens(self) -> float:
        """The current balance."""
        self._refill()
        return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(self.max_tokens, self._tokens + elapsed * self.floor_per_second)

    def deposit(self) -> None:
        """A first attempt was made."""
        self._refill()
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
    """Whether to retry, after how long, and why (for logs and tests)."""

    retry: bool
    delay: float
    reason: str
    deadline: bool = False  # stopped because the wait would pass the call's deadline


class RetryPolicy:
    """Retries what is safe to retry, within the call's deadline and the client's budget.

    - Idempotent requests (GET, DELETE, ...) are retried on connection errors, timeouts and
      HTTP 408, 429, 500, 502, 503, 504.
    - Other requests (a create) only when the failure provably happened before the request
      was sent (connect error, connect or pool timeout).
    - Delays: full jitter, ``uniform(0, min(backoff_cap, backoff_base * 2**(retry-1)))``, but
      never sooner than the server's ``Retry-After``/``retry-after-ms``. If the server asks for
      more than ``retry_after_cap`` seconds or than the time left, the call stops at once.
    - No sleep starts that would end past the call's deadline.

    ``sleep``, ``clock`` and ``random`` are injectable so tests are exact and instant.
    """

    def __init__(
        self,
        max_attempts: int = MAX_ATTEMPTS,
        *,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        retry_after_cap: float = RETRY_AFTER_CAP,
        retry_statuses: frozenset[int] = RETRYABLE_STATUS,
        budget: RetryBudget | None = None,
        use_budget: bool = True,
        sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be an int >= 1, got {max_attempts!r}")
        if backoff_base < 0 or backoff_cap < 0 or retry_after_cap < 0:
            raise ConfigurationError("backoff_base, backoff_cap and retry_after_cap must be >= 0")
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.retry_statuses = retry_statuses
        self.budget = (budget or RetryBudget()) if use_budget else None
        self._sleep = sleep
        self._random = random

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that makes exactly one attempt."""
        return cls(max_attempts=1, use_budget=False)

    @classmethod
    def coerce(cls, value: RetryPolicy | int | None) -> RetryPolicy | None:
        """Accept a policy, a number of attempts, or None (no retries at all)."""
        if value is None or isinstance(value, RetryPolicy):
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigurationError(f"retry must be a RetryPolicy or attempts, got {value!r}")
        return cls(max_attempts=value)

    def backoff(self, retry_number: int) -> float:
        """Full-jitter delay before retry ``retry_number`` (1-based); always in [0, cap]."""
        exponent = min(retry_number - 1, 62)  # keep 2**n finite
        ceiling = min(self.backoff_cap, self.backoff_base * (2.0**exponent))
        return self._random() * ceiling

    def decide(
        self,
        request: httpx.Request,
        attempt: int,
        response: httpx.Response | None,
        error: Exception | None,
        remaining: float | None,
    ) -> RetryDecision:
        """Decide about retrying after ``attempt`` ended with ``response`` or ``error``."""
        idempotent = request.method in IDEMPOTENT_METHODS
        retry_after: float | None = None
        if error is not None:
            what = type(error).__name__
            if not isinstance(error, _TRANSIENT):
                return RetryDecision(False, 0.0, f"{what} is not transient")
            if not idempotent and not isinstance(error, _NOT_SENT):
                return RetryDecision(
                    False, 0.0, f"{what} after the {request.method} may have been sent"
                )
        else:
            assert response is not None
            what = f"HTTP {response.status_code}"
            if response.status_code not in self.retry_statuses:
                return RetryDecision(False, 0.0, f"{what} is not retryable")
            if not idempotent:
                return RetryDecision(False, 0.0, f"{what} to a {request.method} is not retried")
            retry_after = parse_retry_after(response.headers)
        if attempt >= self.max_attempts:
            return RetryDecision(False, 0.0, f"{what}; all {self.max_attempts} attempts used")
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
        if self.budget is not None and not self.budget.try_withdraw():
            return RetryDecision(False, 0.0, f"{what}; retry budget exhausted")
        return RetryDecision(True, delay, what)

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        """Send ``request``, retrying per this policy; each attempt gets a fresh copy."""
        ctx = CallContext.of(request)
        if self.budget is not None:
            self.budget.deposit()
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            error: Exception | None = None
            try:
                response = await call_next(clone_request(request))
            except httpx.TransportError as exc:
                error = exc
                ctx.record_failure(
                    type(exc).__name__, may_have_applied=not isinstance(exc, _NOT_SENT)
                )
            else:
                if response.status_code in self.retry_statuses:
                    ctx.record_failure(
                        f"HTTP {response.status_code}",
                        may_have_applied=response.status_code >= 500,
                    )
            decision = self.decide(request, attempt, response, error, ctx.remaining())
            if not decision.retry:
                if error is not None or (response is not None and response.status_code >= 400):
                    logger.debug(
                        "not retrying %s %s: %s", request.method, request.url.path, decision.reason
                    )
                if error is not None:
                    left = ctx.remaining()
                    if decision.deadline or (left is not None and left <= 0):
                        raise ctx.deadline_exceeded(request) from error
                    raise error
                assert response is not None
                return response
            if response is not None:
                await response.aclose()
            logger.info(
                "retrying %s %s in %.3fs (attempt %d of %d): %s",
                request.method,
                request.url.path,
                decision.delay,
                attempt + 1,
                self.max_attempts,
                decision.reason,
            )
            await self._sleep(decision.delay)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_attempts={self.max_attempts}, backoff_base={self.backoff_base}, "
            f"backoff_cap={self.backoff_cap}, retry_after_cap={self.retry_after_cap}, "
            f"budget={self.budget!r})"
        )
