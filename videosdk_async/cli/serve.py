"""``videosdk-jobs emulator``: serve the local emulator in the foreground."""

from __future__ import annotations

import socket
import sys
from typing import Annotated

import anyio
import typer

from .errors import UsageProblem

DEFAULT_PORT = 8787


def _check_port_free(host: str, port: int) -> None:
    """Fail with one line now, rather than let uvicorn exit the process when it cannot bind."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise UsageProblem(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def emulator_command(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0 = any free).")
    ] = DEFAULT_PORT,
    host: Annotated[str, typer.Option("--host", help="Loopback interface to bind.")] = "127.0.0.1",
    time_scale: Annotated[
        float,
        typer.Option("--time-scale", min=0.0, help="Emulated seconds per real second; 0 = manual."),
    ] = 1.0,
    queued_seconds: Annotated[
        float, typer.Option("--queued-seconds", min=0.0, help="Seconds a job stays queued.")
    ] = 5.0,
    processing_seconds: Annotated[
        float, typer.Option("--processing-seconds", min=0.0, help="Seconds a job processes.")
    ] = 30.0,
    fail_ratio: Annotated[
        float, typer.Option("--fail-ratio", min=0.0, max=1.0, help="Share of jobs that fail.")
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for ids and outcomes.")] = 0,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the local emulator in the foreground (Ctrl-C stops it).

    Prints the base URL and throwaway credentials; the emulator's own `videosdk-emulator`
    command has every knob (faults, webhooks).
    """
    from ..emulator import Emulator, banner, serve
    from ..emulator.loopback import is_loopback_host

    if not is_loopback_host(host):
        # An emulator accepts throwaway credentials: it must not be reachable from outside.
        raise UsageProblem(f"--host {host!r} is not a loopback address")
    _check_port_free(host, port)
    emulator = Emulator(
        seed=seed,
        time_scale=time_scale or None,
        queued_seconds=queued_seconds,
        processing_seconds=processing_seconds,
        fail_ratio=fail_ratio,
    )

    async def main() -> None:
        async with serve(
            emulator, host=host, port=port, log_level=log_level, handle_signals=True
        ) as server:
            sys.stdout.write(banner(emulator, server.base_url) + "\n")
            sys.stdout.flush()
            await server.wait_closed()

    try:
        anyio.run(main)
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the SIGINT it caught once it has shut down: a normal stop
    except (OSError, SystemExit) as exc:  # uvicorn exits the process when it cannot bind
        raise UsageProblem(f"cannot serve on {host}:{port}: {exc}") from None
    finally:
        emulator.close()
    sys.stdout.write("emulator stopped\n")
