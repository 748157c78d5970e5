"""Retry amplification under 100% HTTP 503: attempts per call with and without the budget.

Run: python benchmarks/retry_amplification.py [--calls N] [--attempts K]

Both runs go through the real client and middleware chain over an in-process transport that
answers every request with 503, side by side in one process. Sleeps are skipped (instant), so
the figure is about load multiplication, not time.
"""

from __future__ import annotations

import argparse
import contextlib

import anyio
import httpx

from videosdk_async import AsyncEncoderClient, RetryBudget, RetryPolicy, ServerError


async def _no_sleep(_: float) -> None:
    return None


async def attempts_per_call(calls: int, attempts: int, *, budget: bool) -> float:
    """Fire ``calls`` GETs at an always-503 server; return attempts sent per call."""
    sent = 0

    def always_503(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        return httpx.Response(503)

    policy = RetryPolicy(
        attempts,
        sleep=_no_sleep,
        budget=RetryBudget(floor_per_second=0.0) if budget else None,
        use_budget=budget,
    )
    transport = httpx.MockTransport(always_503)
    async with AsyncEncoderClient(
        "benchmark-token",
        http_client=httpx.AsyncClient(transport=transport),
        retry=policy,
    ) as client:
        for _ in range(calls):
            with contextlib.suppress(ServerError):
                await client.jobs.get("60531471e32e8e4eaea094fe")
    return sent / calls


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=3)
    args = parser.parse_args()
    without = await attempts_per_call(args.calls, args.attempts, budget=False)
    with_budget = await attempts_per_call(args.calls, args.attempts, budget=True)
    print(f"calls: {args.calls}, max attempts per call: {args.attempts}, every answer HTTP 503")
    print(f"attempts per call without budget: {without:.3f}")
    print(f"attempts per call with budget:    {with_budget:.3f}")
    print(f"ratio (with / without):           {with_budget / without:.3f}")


if __name__ == "__main__":
    anyio.run(main)
