"""``python -m videosdk_async.emulator`` / ``videosdk-emulator``: serve the emulator on loopback."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .config import EmulatorConfig
from .emulator import Emulator
from .faults import parse_fault_config
from .loopback import is_loopback_host
from .server import banner, serve

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (flags override ``VIDEOSDK_EMULATOR_*`` variables)."""
    parser = argparse.ArgumentParser(
        prog="videosdk-emulator",
        description="Serve a stateful local emulator of VideoSDK's encoding-jobs API.",
    )
    add = parser.add_argument
    add("--host", default=None, help=f"interface to bind (default {DEFAULT_HOST})")
    add("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT}; 0 = ephemeral)")
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
    add("--log-level", default="info", help="uvicorn log level (default info)")
    return parser


def _load_faults(raw: str) -> Any:
    text = Path(raw[1:]).read_text() if raw.startswith("@") else raw
    return json.loads(text)


def config_from_args(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> EmulatorConfig:
    """The config: environment variables first, then flags given on the command line."""
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
    elif not env.get("VIDEOSDK_EMULATOR_TIME_SCALE"):
        overrides["time_scale"] = 1.0  # a served emulator runs in real time by default
    if args.faults:
        seed, rules = parse_fault_config(_load_faults(args.faults))
        overrides["faults"] = rules
        if seed is not None:
            overrides["fault_seed"] = seed
    return EmulatorConfig.from_env(env, **overrides)


async def _serve_cli(emulator: Emulator, host: str, port: int, log_level: str, out: TextIO) -> None:
    from uvicorn.config import LOGGING_CONFIG

    async with serve(
        emulator,
        host=host,
        port=port,
        log_level=log_level,
        allow_non_loopback=True,  # checked by main()
        handle_signals=True,
        log_config=LOGGING_CONFIG,
    ) as server:
        print(banner(emulator, server.base_url), file=out, flush=True)
        await server.wait_closed()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags, print credentials and serve until interrupted; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    env = os.environ
    host = args.host or env.get("VIDEOSDK_EMULATOR_HOST") or DEFAULT_HOST
    port = (
        args.port if args.port is not None else int(env.get("VIDEOSDK_EMULATOR_PORT", DEFAULT_PORT))
    )
    if not args.allow_non_loopback and not is_loopback_host(host):
        parser.error(f"refusing non-loopback host {host!r} without --allow-non-loopback")
    if not 0 <= port <= 65535:
        parser.error("--port must be between 0 and 65535")
    try:
        config = config_from_args(args, env)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    emulator = Emulator(config)
    try:
        asyncio.run(_serve_cli(emulator, host, port, args.log_level, sys.stdout))
    except KeyboardInterrupt:
        pass
    finally:
        emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
