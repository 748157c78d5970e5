"""The emulator command: one implementation behind both doors.

``videosdk-emulator`` (also ``python -m videosdk_async.emulator``) and
``videosdk-jobs emulator`` both call `main`: the same flags, the same
``VIDEOSDK_EMULATOR_*`` variables (a flag wins over its variable), the same
defaults, banner and exit codes. Every problem is one ``error: ...`` line on
stderr and exit code 2; a stop by Ctrl-C exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .config import ENV_PREFIX, EmulatorConfig
from .emulator import Emulator
from .faults import parse_fault_config
from .loopback import is_loopback_host
from .server import banner, serve

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
DEFAULT_LOG_LEVEL = "warning"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
EXIT_OK = 0
EXIT_USAGE = 2
PROG = "videosdk-emulator"


class CommandError(Exception):
    """A problem with the command's input or environment: one line, exit 2."""


class _HelpShown(Exception):  # not an error: argparse printed its help
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that reports instead of exiting, so both doors share one exit path."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._print_message(message, sys.stderr)
        raise _HelpShown(status)


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The command-line parser (flags override ``VIDEOSDK_EMULATOR_*`` variables)."""
    parser = _Parser(
        prog=prog,
        description="Serve a stateful local emulator of VideoSDK's encoding-jobs API on "
        "loopback; prints its URL and throwaway credentials.",
        epilog=f"Each flag overrides its {ENV_PREFIX}* variable (e.g. {ENV_PREFIX}PORT).",
    )
    add = parser.add_argument
    add("--host", default=None, help=f"interface to bind (default {DEFAULT_HOST})")
    add("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}; 0 = any free)")
    add("--allow-non-loopback", action="store_true", help="allow binding a non-loopback host")
    add("--api-key", help="API key JWTs must carry (generated if absent)")
    add("--secret", help="HS256 secret JWTs are signed with (generated if absent)")
    add("--token", help="a fixed opaque token also accepted (generated if absent)")
    add("--seed", type=int, help="seed for ids, lifecycle and faults (default 0)")
    add(
        "--time-scale",
        type=float,
        help="emulated seconds per real second; 0 = manual clock (default 1)",
    )
    add("--queued-seconds", type=float, help="seconds a job stays queued (default 5)")
    add("--processing-seconds", type=float, help="seconds a job processes (default 30)")
    add("--fail-ratio", type=float, help="share of jobs that fail, 0..1 (default 0)")
    add(
        "--faults",
        help="fault rules as JSON (a rule, a list, or {seed, rules}); @FILE reads a file",
    )
    add(
        "--allow-remote-webhooks",
        action="store_true",
        default=None,
        help="also deliver webhooks to non-loopback URLs",
    )
    add(
        "--log-level",
        type=str.lower,
        choices=LOG_LEVELS,
        default=None,
        help=f"uvicorn log level (default {DEFAULT_LOG_LEVEL})",
    )
    return parser


def _load_faults(raw: str) -> Any:
    try:
        text = Path(raw[1:]).read_text() if raw.startswith("@") else raw
        return json.loads(text)
    except OSError as exc:
        raise ValueError(f"--faults: cannot read {raw[1:]}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ValueError(f"--faults: not JSON: {exc}") from exc


def config_from_args(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> EmulatorConfig:
    """The config: environment variables first, then flags given on the command line.

    Raises ``ValueError`` naming the bad variable or flag.
    """
    overrides: dict[str, Any] = {}
    direct = {
        "api_key": args.api_key,
        "secret": args.secret,
        "token": args.token,
        "seed": args.seed,
        "queued_seconds": args.queued_seconds,
        "processing_seconds": args.processing_seconds,
        "fail_ratio": args.fail_ratio,
        "allow_remote_webhooks": args.allow_remote_webhooks,
    }
    overrides.update({k: v for k, v in direct.items() if v is not None})
    env = os.environ if environ is None else environ
    if args.time_scale is not None:
        overrides["time_scale"] = args.time_scale
    elif not env.get(ENV_PREFIX + "TIME_SCALE"):
        overrides["time_scale"] = 1.0  # a served emulator runs in real time by default
    if args.faults:
        seed, rules = parse_fault_config(_load_faults(args.faults))
        overrides["faults"] = rules
        if seed is not None:
            overrides["fault_seed"] = seed
    return EmulatorConfig.from_env(env, **overrides)


@dataclass(frozen=True)
class ServePlan:
    """Where and how to serve, resolved from flags and environment."""

    host: str
    port: int
    log_level: str
    config: EmulatorConfig


def _port_from_env(env: Mapping[str, str]) -> int:
    raw = env.get(ENV_PREFIX + "PORT")
    if not raw:
        return DEFAULT_PORT
    try:
        return int(raw)
    except ValueError:
        raise CommandError(f"{ENV_PREFIX}PORT: not a port number: {raw!r}") from None


def _log_level_from_env(env: Mapping[str, str]) -> str:
    raw = (env.get(ENV_PREFIX + "LOG_LEVEL") or DEFAULT_LOG_LEVEL).lower()
    if raw not in LOG_LEVELS:
        raise CommandError(f"{ENV_PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return raw


def plan_from_args(
    argv: Sequence[str] | None, environ: Mapping[str, str], prog: str = PROG
) -> ServePlan:
    """Parse and check everything before serving; raises `CommandError`."""
    args = build_parser(prog).parse_args(argv)
    host = args.host or environ.get(ENV_PREFIX + "HOST") or DEFAULT_HOST
    port = args.port if args.port is not None else _port_from_env(environ)
    log_level = args.log_level or _log_level_from_env(environ)
    if not args.allow_non_loopback and not is_loopback_host(host):
        # The emulator accepts throwaway credentials: it must not be reachable from outside.
        raise CommandError(
            f"refusing non-loopback host {host!r} (pass --allow-non-loopback to insist)"
        )
    if not 0 <= port <= 65535:
        raise CommandError(f"--port must be between 0 and 65535, not {port}")
    try:
        config = config_from_args(args, environ)
    except (ValueError, TypeError) as exc:
        raise CommandError(str(exc)) from None
    return ServePlan(host, port, log_level, config)


async def serve_until_stopped(
    emulator: Emulator, host: str, port: int, log_level: str, out: TextIO
) -> None:
    """Serve ``emulator``, print the banner once listening, and wait for a signal."""
    from uvicorn.config import LOGGING_CONFIG

    async with serve(
        emulator,
        host=host,
        port=port,
        log_level=log_level,
        allow_non_loopback=True,  # checked by plan_from_args()
        log_config=LOGGING_CONFIG,
    ) as server:
        # Ctrl-C and SIGTERM stop the server here, as a normal end. (uvicorn's own handling
        # raises the signal again once it has stopped, which Python 3.10 shows as a traceback.)
        loop = asyncio.get_running_loop()
        stops = (signal.SIGINT, signal.SIGTERM)
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C is a KeyboardInterrupt
            for signum in stops:
                loop.add_signal_handler(signum, server.request_shutdown)
        try:
            print(banner(emulator, server.base_url), file=out, flush=True)
            await server.wait_closed()
        finally:
            for signum in stops:
                with contextlib.suppress(NotImplementedError):
                    loop.remove_signal_handler(signum)


def _report(stream: TextIO, message: str) -> None:
    stream.write(f"error: {' '.join(message.split())}\n")
    stream.flush()


def main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = PROG,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Parse flags, print where and how to connect, serve until interrupted.

    Returns the exit code: 0 after a stop (Ctrl-C), 2 for bad input or an
    address that cannot be served (a busy port), each said in one line.
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    env = os.environ if environ is None else environ
    try:
        plan = plan_from_args(argv, env, prog)
    except _HelpShown as shown:
        return shown.status
    except CommandError as exc:
        _report(err, f"{exc} (try '{prog} --help')")
        return EXIT_USAGE
    emulator = Emulator(plan.config)
    try:
        asyncio.run(serve_until_stopped(emulator, plan.host, plan.port, plan.log_level, out))
    except KeyboardInterrupt:
        pass  # where signal handlers cannot be set (Windows), Ctrl-C arrives as this
    except OSError as exc:
        _report(err, f"cannot serve on {plan.host}:{plan.port}: {exc.strerror or exc}")
        return EXIT_USAGE
    finally:
        emulator.close()
    out.write("emulator stopped\n")
    out.flush()
    return EXIT_OK
