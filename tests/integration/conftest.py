"""Integration fixtures: SDK clients against the emulator served on a loopback socket.

The emulator itself comes from the package's pytest plugin (``videosdk_emulator``: a server
in a background thread, fresh state per test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from videosdk_async import AsyncEncoderClient, RetryPolicy, TimeoutPolicy
from videosdk_async.emulator import Emulator

PRESET = {"resolutions": ["360", "720"], "format": "hls"}


async def instant(_: float) -> None:
    """A retry sleep that does not wait: retries are exercised, time is not."""
    return


@pytest.fixture
def make_client(videosdk_emulator: Emulator) -> Callable[..., AsyncEncoderClient]:
    """Build a client on the emulator; retries sleep instantly unless a policy is given."""

    def build(**kwargs: Any) -> AsyncEncoderClient:
        kwargs.setdefault("api_key", videosdk_emulator.api_key)
        kwargs.setdefault("secret", videosdk_emulator.secret)
        kwargs.setdefault("retry", RetryPolicy(3, sleep=instant, use_budget=False))
        kwargs.setdefault("timeout", TimeoutPolicy(30))
        if "token" in kwargs:
            kwargs.pop("api_key")
            kwargs.pop("secret")
        return AsyncEncoderClient(base_url=videosdk_emulator.base_url, **kwargs)

    return build


def seed_jobs(emulator: Emulator, count: int, **fields: Any) -> list[str]:
    """Create ``count`` jobs straight in the emulator's state (fast, no HTTP)."""
    body = {"videoUrl": "https://example.com/source.mp4", "presets": [PRESET], **fields}
    return [emulator.create_job(body)["id"] for _ in range(count)]
