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


def _async_fixture(*, name: str) -> Callable[[F], F]:
    """``pytest_asyncio.fixture`` when available (strict mode needs it), else ``pytest.fixture``."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - pytest-asyncio missing
        return cast("Callable[[F], F]", pytest.fixture(name=name))
    return cast("Callable[[F], F]", pytest_asyncio.fixture(name=name))


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


@pytest.fixture
def videosdk_client(request: pytest.FixtureRequest) -> AsyncEncoderClient:
    """An open ``AsyncEncoderClient`` (API key + secret) talking to ``videosdk_emulator``.

    Opened by whichever plugin runs the test, so it lives on the test's event loop: anyio's
    for a test marked ``anyio`` (asyncio or trio), pytest-asyncio's otherwise.
    """
    runs_on_anyio = "anyio_backend" in request.fixturenames
    opened = request.getfixturevalue(_ANYIO_CLIENT if runs_on_anyio else _ASYNCIO_CLIENT)
    return cast("AsyncEncoderClient", opened)


def _client_for(emulator: Emulator) -> AsyncEncoderClient:
    from videosdk_async import AsyncEncoderClient

    return AsyncEncoderClient(
        api_key=emulator.api_key, secret=emulator.secret, base_url=emulator.base_url
    )


# pytest-asyncio runs a fixture on its own event loop (in strict mode, only one it was told
# about), and some of its versions do so even for a test that anyio's plugin runs: the client
# would then belong to a loop the test never sees. anyio's plugin runs a plain async fixture
# on the test's own loop, so anyio tests get that one. (Two functions: pytest-asyncio marks
# the function object it is given.)
_ASYNCIO_CLIENT = "_videosdk_client_on_pytest_asyncio"
_ANYIO_CLIENT = "_videosdk_client_on_anyio"


@_async_fixture(name=_ASYNCIO_CLIENT)
async def _client_on_pytest_asyncio(
    videosdk_emulator: Emulator,
) -> AsyncIterator[AsyncEncoderClient]:
    async with _client_for(videosdk_emulator) as client:
        yield client


@pytest.fixture(name=_ANYIO_CLIENT)
async def _client_on_anyio(videosdk_emulator: Emulator) -> AsyncIterator[AsyncEncoderClient]:
    async with _client_for(videosdk_emulator) as client:
        yield client
