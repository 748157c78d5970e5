"""Pytest plugin: the VideoSDK emulator as fixtures.

Registered through the ``pytest11`` entry point, so these fixtures are available
in any project that installs ``videosdk-async[emulator]``:

``videosdk_emulator``
    A freshly reset `Emulator` served over a
    real loopback socket (``.base_url``, ``.api_key``, ``.secret``, ``.token``,
    ``.advance()``, ``.set_faults()``, ``.ledger``, ...). One server per test
    session, in a background thread; its state is reset for every test.
``videosdk_client``
    An open ``videosdk_async.AsyncEncoderClient`` pointed at that emulator.
``videosdk_emulator_server``
    The session-wide `ServerThread`.

Mark a test ``@pytest.mark.videosdk_emulator(queued_seconds=..., processing_seconds=...,
fail_ratio=..., faults=[...])`` to configure its emulator.

This module must import cheaply: the emulator (Starlette, uvicorn) is imported
only inside the fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from videosdk_async import AsyncEncoderClient
    from videosdk_async.emulator import Emulator, ServerThread

F = TypeVar("F", bound=Callable[..., Any])


def _async_fixture(fn: F) -> F:
    """``pytest_asyncio.fixture`` when available (strict mode needs it), else ``pytest.fixture``."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - pytest-asyncio missing
        return cast(F, pytest.fixture(fn))
    return cast(F, pytest_asyncio.fixture(fn))


MARKER = "videosdk_emulator"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``videosdk_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): configure the videosdk_emulator fixture "
        "(queued_seconds, processing_seconds, fail_ratio, video_duration, faults)",
    )


@pytest.fixture(scope="session")
def videosdk_emulator_server() -> Iterator[ServerThread]:
    """One emulator served on an ephemeral loopback port for the whole session."""
    from videosdk_async.emulator import Emulator, ServerThread

    emulator = Emulator()
    server = ServerThread(emulator).start()
    try:
        yield server
    finally:
        server.stop()
        emulator.close()


@pytest.fixture
def videosdk_emulator(
    videosdk_emulator_server: ServerThread, request: pytest.FixtureRequest
) -> Iterator[Emulator]:
    """The session's emulator with fresh state (and the test's marker settings)."""
    emulator = videosdk_emulator_server.emulator
    assert emulator is not None
    emulator.reset()
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        settings = dict(marker.kwargs)
        faults = settings.pop("faults", None)
        if settings:
            emulator.configure(**settings)
        if faults is not None:
            emulator.set_faults(faults)
    yield emulator
    emulator.clear_faults()


@_async_fixture
async def videosdk_client(videosdk_emulator: Emulator) -> AsyncIterator[AsyncEncoderClient]:
    """An open ``AsyncEncoderClient`` (API key + secret) talking to ``videosdk_emulator``."""
    from videosdk_async import AsyncEncoderClient

    async with AsyncEncoderClient(
        api_key=videosdk_emulator.api_key,
        secret=videosdk_emulator.secret,
        base_url=videosdk_emulator.base_url,
    ) as client:
        yield client
