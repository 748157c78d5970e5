"""Retry amplification under 100% HTTP 503: attempts per call with and without the retry budget.

Run alone: ``python -m benchmarks.retry_amplification --size full --human``.

Both runs go through the real client and middleware chain over an in-process transport that
answers every request with 503, one after the other in one process. Sleeps are skipped
(instant), so the figure is about load multiplication, not time.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from benchmarks._common import Result, module_main, target

SIZES = {"tiny": {"calls": 50, "attempts": 3}, "full": {"calls": 2000, "attempts": 3}}


async def _no_sleep(_: float) -> None:
    return None


async def attempts_per_call(calls: int, attempts: int, *, budget: bool) -> float:
    """Fire ``calls`` GETs at an always-503 server; return attempts sent per call."""
    from videosdk_async import AsyncEncoderClient, RetryBudget, RetryPolicy, ServerError

    sent = 0

    def always_503(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        return httpx.Response(503)

    policy = RetryPolicy(attempts, sleep=_no_sleep)
    http = httpx.AsyncClient(transport=httpx.MockTransport(always_503))
    async with AsyncEncoderClient(
        token="benchmark-token",
        http_client=http,
        retry=policy,
        # The default budget, without its trickle: a fast run would only blur the figure.
        retry_budget=RetryBudget(floor_per_second=0.0) if budget else None,
    ) as client:
        for n in range(calls):
            # Every other call through a per-call copy: one budget serves the whole family.
            caller = client if n % 2 else client.with_options(timeout=30)
            with contextlib.suppress(ServerError):
                await caller.jobs.get("60531471e32e8e4eaea094fe")
    await http.aclose()
    return sent / calls


def run(size: str) -> Result:
    """Count attempts per call at ``size``; see the module docstring."""
    params = SIZES[size]
    without = asyncio.run(attempts_per_call(params["calls"], params["attempts"], budget=False))
    with_budget = asyncio.run(attempts_per_call(params["calls"], params["attempts"], budget=True))
    return {
        "name": "retry_amplification",
        "title": "Retry amplification in an outage",
        "about": (
            "Every answer is HTTP 503. How many requests does one call send, with the retry "
            "policy alone and with the retry budget (no floor)? Sleeps are skipped: this "
            "measures load multiplication, not time."
        ),
        "params": dict(params),
        "figures": {
            "attempts_per_call": {"without budget": without, "with budget": with_budget},
        },
        "targets": (
            [
                target(
                    label="load under total failure, with the budget (half the calls through "
                    "`with_options` copies) ≤ 1.2×",
                    measured=with_budget,
                    limit=1.2,
                    unit="×",
                )
            ]
            if size == "full"
            else []
        ),
        "notes": [
            "The budget starts full (100 retries banked): over a short run that bank is a "
            "large share of the load, so the target is judged at full size only."
        ],
    }


if __name__ == "__main__":
    module_main(run, __doc__.splitlines()[0])
