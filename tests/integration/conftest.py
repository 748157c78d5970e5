"""Integration fixtures: SDK clients against the emulator served on a loopback socket.

The emulator itself comes from the package's pytest plugin (``videosdk_emulator``: a server
in a background thread, fresh state per test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import instant

from videosdk_async import AsyncEncoderClient, RetryPolicy, TimeoutPolicy
from videosdk_async.emulator import Emulator


@pytest.fixture
def make_client(videosdk_emulator: Emulator) -> Callable[..., AsyncEncoderClient]:
    """Build a client on the emulator; retries sleep instantly unless a policy is given."""

    def build(**kwargs: Any) -> AsyncEncoderClient:
        kwargs.setdefault("api_key", videosdk_emulator.api_key)
        kwargs.setdefault("secret", videosdk_emulator.secret)
        kwargs.setdefault("retry", RetryPolicy(3, sleep=instant))
        kwargs.setdefault("retry_budget", None)
        kwargs.setdefault("timeout", TimeoutPolicy(30))
        if "token" in kwargs:
            kwargs.pop("api_key")
            kwargs.pop("secret")
        return AsyncEncoderClient(base_url=videosdk_emulator.base_url, **kwargs)

    return build
