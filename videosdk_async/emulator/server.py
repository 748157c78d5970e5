"""Serving the emulator over real loopback sockets with uvicorn.

`serve` runs uvicorn as a task in the caller's asyncio event loop;
`ServerThread` runs it in a background thread with its own loop, for
synchronous code and for fixtures that outlive one test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .core import EmulatorCore
from .emulator import Emulator
from .loopback import is_loopback_host
from .paths import STORAGE_PATH

if TYPE_CHECKING:
    from starlette.types import ASGIApp

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 5.0
BACKLOG = 4096


def _check_host(host: str, allow_non_loopback: bool) -> None:
    if not allow_non_loopback and not is_loopback_host(host):
        raise ValueError(
            f"refusing to serve the emulator on non-loopback host {host!r} "
            "(pass allow_non_loopback=True to insist)"
        )


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (``0``: a free port), ready for uvicorn.

    Binding here, not in uvicorn, turns a busy port into a plain `OSError`
    (``errno.EADDRINUSE``) instead of uvicorn logging and exiting the process.
    """
    infos = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _make_server(app: Any, host: str, port: int, log_level: str, log_config: Any) -> Any:
    import uvicorn

    class _Server(uvicorn.Server):
        # An embedded server never takes over the process's signal handlers (the emulator
        # command sets its own, to stop it).
        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        log_config=log_config,
        access_log=False,
        lifespan="on",
        # Keep-alive connections must not hold up shutdown.
        timeout_graceful_shutdown=1,
        timeout_keep_alive=5,
        backlog=BACKLOG,
    )
    return _Server(config)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class RunningServer:
    """A served emulator: where it listens."""

    emulator: Emulator | None
    host: str
    port: int
    _server: Any
    _task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` (no trailing slash)."""
        return f"http://{_url_host(self.host)}:{self.port}"

    def request_shutdown(self) -> None:
        """Ask the server to stop (returns at once)."""
        self._server.should_exit = True

    async def wait_closed(self) -> None:
        """Wait until the server has stopped (after a signal or `request_shutdown`)."""
        if self._task is not None:
            await asyncio.shield(self._task)


def _app_of(target: Emulator | ASGIApp) -> tuple[Emulator | None, ASGIApp]:
    if isinstance(target, Emulator):
        return target, target.app
    return None, target


@asynccontextmanager
async def serve(
    target: Emulator | ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    allow_non_loopback: bool = False,
    log_config: Any = None,
) -> AsyncIterator[RunningServer]:
    """Serve an `Emulator` (or any ASGI app) in the current asyncio loop.

    asyncio only (uvicorn's loop); under trio, `ServerThread` serves from a thread instead.

    ``port=0`` picks a free ephemeral port; the yielded server knows the real
    one. On exit the server shuts down and waits for it (briefly). Raises
    `OSError` when ``host:port`` cannot be bound (a busy port).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio, or no event loop: uvicorn needs asyncio's
        raise RuntimeError(
            "serve() runs on an asyncio event loop; under trio (or from sync code) start the "
            "emulator in a thread of its own: ServerThread(emulator).start()"
        ) from None
    _check_host(host, allow_non_loopback)
    emulator, app = _app_of(target)
    sock = bind_socket(host, port)
    server = _make_server(app, host, port, log_level, log_config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="videosdk-emulator-uvicorn")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT
    try:
        while not server.started:
            if task.done():
                exc = task.exception()
                raise RuntimeError(f"emulator server failed to start on {host}:{port}") from exc
            if loop.time() > deadline:
                server.should_exit = True
                raise RuntimeError("emulator server did not start in time")
            await asyncio.sleep(0.005)
    except BaseException:
        sock.close()
        raise
    running = RunningServer(emulator, host, int(sock.getsockname()[1]), server, task)
    if emulator is not None:
        emulator.base_url = running.base_url
    try:
        yield running
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), SHUTDOWN_TIMEOUT)
        except asyncio.TimeoutError:
            server.force_exit = True
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


class ServerThread:
    """Serve an `Emulator` (or ASGI app) from a background thread.

    Usable from synchronous code:

    ```python
    with ServerThread(Emulator()) as server:
        httpx.get(server.base_url + "/_emulator/health")
    ```
    """

    def __init__(
        self,
        target: Emulator | ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        allow_non_loopback: bool = False,
    ) -> None:
        _check_host(host, allow_non_loopback)
        self.emulator: Emulator | None
        self.emulator, self._app = _app_of(target)
        self.host = host
        self._port = port
        self._log_level = log_level
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._running: RunningServer | None = None

    @property
    def port(self) -> int:
        """The port actually bound (after `start`)."""
        if self._running is None:
            raise RuntimeError("server not started")
        return self._running.port

    @property
    def base_url(self) -> str:
        """``http://host:port`` (after `start`)."""
        if self._running is None:
            raise RuntimeError("server not started")
        return self._running.base_url

    def start(self) -> ServerThread:
        """Start serving; returns once the socket is listening."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._thread = threading.Thread(
            target=self._run, name="videosdk-emulator-server", daemon=True
        )
        self._thread.start()
        if not self._started.wait(STARTUP_TIMEOUT + 1):
            raise RuntimeError("emulator server thread did not start in time")
        if self._error is not None:
            raise RuntimeError("emulator server failed to start") from self._error
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # loop already gone
                loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join(SHUTDOWN_TIMEOUT + 2)
        self._thread = None

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start()
            self._error = exc
        finally:
            self._started.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        target = self.emulator if self.emulator is not None else self._app
        async with serve(
            target,
            host=self.host,
            port=self._port,
            log_level=self._log_level,
            allow_non_loopback=True,
        ) as running:
            self._running = running
            self._started.set()
            await self._stop.wait()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def banner(emulator: EmulatorCore, base_url: str) -> str:
    """What the command prints once listening: where, and throwaway credentials."""
    cfg = emulator.config
    clock = "manual" if emulator.clock.manual else f"x{emulator.clock.time_scale:g} real time"
    return "\n".join(
        [
            f"VideoSDK emulator listening on {base_url}  (clock: {clock})",
            f"  API key : {cfg.api_key}",
            f"  secret  : {cfg.secret}",
            f"  token   : {cfg.token}   (fixed; a JWT works too)",
            f"  JWT     : {emulator.mint_token(expires_in=24 * 3600)}   (valid 24 h)",
            f"  storage : {base_url}{STORAGE_PATH}   (POST /v1/files answers this URL)",
            "  admin   : GET /_emulator/health, /_emulator/faults, /_emulator/ledger, ...",
            "",
            "Point the SDK at it:",
            f"  export VIDEOSDK_BASE_URL={base_url}",
            f"  export VIDEOSDK_API_KEY={cfg.api_key}",
            f"  export VIDEOSDK_SECRET_KEY={cfg.secret}",
            "",
            "Ctrl-C to stop.",
        ]
    )
