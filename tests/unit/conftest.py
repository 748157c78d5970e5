"""Shared fixtures for the core SDK unit tests: a clean environment and a respx-mocked API.

Constants and helpers live in the test modules themselves (importing ``conftest`` by name is
fragile when several test folders have one).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

ENV_VARS = (
    "VIDEOSDK_TOKEN",
    "VIDEOSDK_API_KEY",
    "VIDEOSDK_SECRET_KEY",
    "VIDEOSDK_BASE_URL",
    "VIDEOSDK_LOG",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No VIDEOSDK_* variable from the host leaks into the test; returns monkeypatch."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def api(clean_env: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """``https://api.videosdk.live`` mocked with respx: nothing leaves the process."""
    with respx.mock(base_url="https://api.videosdk.live", assert_all_called=False) as router:
        yield router
