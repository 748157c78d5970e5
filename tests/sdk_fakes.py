"""Test doubles shared by the unit tests: a fake clock whose sleep advances it instantly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from videosdk_async import (
    AsyncEncoderClient,
    RetryBudget,
    RetryPolicy,
    TimeoutPolicy,
)

BASE = "https://api.videosdk.live"
JOBS = f"{BASE}/v1/encoder/jobs"
TOKEN = "fixed-token-value-for-tests"


class FakeClock:
    """Monotonic time that only moves when told to; ``sleep`` records and advances."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Always:
    """A MockTransport handler that answers every request the same way and counts them."""

    def __init__(self, status: int, **response: object) -> None:
        self.status = status
        self.response = response
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(self.status, **self.response)  # type: ignore[arg-type]


def job_json(job_id: str = "60531471e32e8e4eaea094fe", status: str = "queued") -> dict[str, object]:
    """A minimal job body as the API returns it."""
    return {
        "id": job_id,
        "status": status,
        "videoId": "6053115ebba24b4d700c8c49",
        "presets": [{"id": "p1", "resolutions": ["360"], "format": "hls"}],
        "createdAt": "2021-03-18T08:50:57.438Z",
        "updatedAt": "2021-03-18T08:50:57.438Z",
    }


def make_client(
    handler: Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response],
    clock: FakeClock,
    *,
    deadline: float | None = 30.0,
    attempts: int = 3,
    budget: bool = False,
    token: str | None = TOKEN,
    **kwargs: object,
) -> AsyncEncoderClient:
    """A client over ``httpx.MockTransport(handler)`` with clock-driven, instant policies."""
    retry = RetryPolicy(
        attempts,
        sleep=clock.sleep,
        random=lambda: 0.5,
        budget=RetryBudget(clock=clock) if budget else None,
        use_budget=budget,
    )
    return AsyncEncoderClient(
        token,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),  # type: ignore[arg-type]
        timeout=TimeoutPolicy(deadline, clock=clock),
        retry=retry,
        **kwargs,  # type: ignore[arg-type]
    )
