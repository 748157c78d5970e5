"""``videosdk-jobs emulator``: serve the local emulator in the foreground."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import anyio
import typer
from rich.console import Console
from rich.table import Table

from .._constants import ENV_API_KEY, ENV_BASE_URL, ENV_SECRET
from .errors import UsageProblem

if TYPE_CHECKING:
    from ..emulator import Emulator

DEFAULT_PORT = 8787


def banner(emulator: Emulator, base_url: str) -> Table:
    """Where the emulator listens and its throwaway credentials, ready to export."""
    cfg = emulator.config
    clock = "manual" if emulator.clock.manual else f"x{emulator.clock.time_scale:g} real time"
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("base url", base_url)
    table.add_row("clock", clock)
    table.add_row("api key", cfg.api_key)
    table.add_row("secret", cfg.secret)
    table.add_row("token", f"{cfg.token}  (fixed; minted JWTs work too)")
    table.add_row("", "")
    table.add_row("export", f"{ENV_BASE_URL}={base_url}")
    table.add_row("", f"{ENV_API_KEY}={cfg.api_key}")
    table.add_row("", f"{ENV_SECRET}={cfg.secret}")
    return table


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
    from ..emulator import Emulator, serve
    from ..emulator.server import is_loopback_host

    if not is_loopback_host(host):
        # An emulator accepts throwaway credentials: it must not be reachable from outside.
        raise UsageProblem(f"--host {host!r} is not a loopback address")
    emulator = Emulator(
        seed=seed,
        time_scale=time_scale or None,
        queued_seconds=queued_seconds,
        processing_seconds=processing_seconds,
        fail_ratio=fail_ratio,
    )
    console = Console(highlight=False)

    async def main() -> None:
        async with serve(
            emulator, host=host, port=port, log_level=log_level, handle_signals=True
        ) as server:
            console.print(f"VideoSDK emulator listening on {server.base_url}")
            console.print(banner(emulator, server.base_url))
            console.print("[dim]Ctrl-C to stop[/dim]")
            await server.wait_closed()

    try:
        anyio.run(main)
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the SIGINT it caught once it has shut down: a normal stop
    except OSError as exc:  # e.g. the port is taken
        raise UsageProblem(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        emulator.close()
    console.print("emulator stopped")
