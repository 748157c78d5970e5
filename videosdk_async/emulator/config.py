"""Emulator settings, from Python, environment variables or the command line."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .faults import FaultRule, parse_fault_config

ENV_PREFIX = "VIDEOSDK_EMULATOR_"
MIB = 1024 * 1024


def _new_api_key() -> str:
    return str(uuid.uuid4())


def _new_secret() -> str:
    return secrets.token_hex(32)


def _new_token() -> str:
    return "emu-token-" + secrets.token_urlsafe(24)


@dataclass
class EmulatorConfig:
    """Everything that shapes an emulator; every field has a usable default.

    Credentials not given are generated. ``time_scale`` ``None`` (or 0) makes
    the clock manual. ``queued_seconds`` / ``processing_seconds`` ``None``
    means jobs never leave that status by themselves (only when forced).
    """

    api_key: str = field(default_factory=_new_api_key)
    secret: str = field(default_factory=_new_secret)
    token: str = field(default_factory=_new_token)
    seed: int = 0
    time_scale: float | None = None
    start_time: datetime | None = None
    queued_seconds: float | None = 5.0
    processing_seconds: float | None = 30.0
    fail_ratio: float = 0.0
    video_duration: float = 20.04
    faults: list[FaultRule] = field(default_factory=list)
    fault_seed: int | None = None
    allow_remote_webhooks: bool = False
    webhook_timeout: float = 5.0
    max_json_bytes: int = 1 * MIB
    max_upload_bytes: int = 100 * MIB
    request_log_size: int = 10_000
    user_id: str = "5f7b1c2d3e4f5a6b7c8d9e0f"
    user_name: str = "Emulator User"
    user_email: str = "emulator@example.com"
    cdn_base_url: str = "https://cdn.videosdk.live"
    public_base_url: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.fail_ratio <= 1.0:
            raise ValueError("fail_ratio must be between 0 and 1")
        if self.time_scale is not None and self.time_scale < 0:
            raise ValueError("time_scale must not be negative")
        for name in ("queued_seconds", "processing_seconds"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        if self.max_json_bytes <= 0 or self.max_upload_bytes <= 0:
            raise ValueError("body limits must be positive")
        if self.request_log_size <= 0:
            raise ValueError("request_log_size must be positive")

    def with_changes(self, **changes: Any) -> EmulatorConfig:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> EmulatorConfig:
        """Build a config from ``VIDEOSDK_EMULATOR_*`` variables, then ``overrides``.

        Recognised: ``API_KEY``, ``SECRET``, ``TOKEN``, ``SEED``, ``TIME_SCALE``,
        ``QUEUED_SECONDS``, ``PROCESSING_SECONDS``, ``FAIL_RATIO``, ``FAULTS``
        (JSON: a list of rules or ``{"seed": n, "rules": [...]}``),
        ``ALLOW_REMOTE_WEBHOOKS``, ``WEBHOOK_TIMEOUT``, ``MAX_JSON_BYTES``,
        ``MAX_UPLOAD_BYTES``, ``CDN_BASE_URL``, ``PUBLIC_BASE_URL``.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        simple: dict[str, Callable[[str], Any]] = {
            "api_key": str,
            "secret": str,
            "token": str,
            "seed": int,
            "time_scale": float,
            "queued_seconds": _optional_float,
            "processing_seconds": _optional_float,
            "fail_ratio": float,
            "webhook_timeout": float,
            "max_json_bytes": int,
            "max_upload_bytes": int,
            "cdn_base_url": str,
            "public_base_url": str,
            "allow_remote_webhooks": _bool,
        }
        for name, convert in simple.items():
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                try:
                    values[name] = convert(raw)
                except ValueError as exc:
                    raise ValueError(f"{ENV_PREFIX}{name.upper()}: {exc}") from exc
        raw_faults = env.get(ENV_PREFIX + "FAULTS")
        if raw_faults:
            try:
                seed, rules = parse_fault_config(json.loads(raw_faults))
            except ValueError as exc:
                raise ValueError(f"{ENV_PREFIX}FAULTS: {exc}") from exc
            values["faults"] = rules
            if seed is not None:
                values["fault_seed"] = seed
        values.update(overrides)
        return cls(**values)


def _optional_float(raw: str) -> float | None:
    if raw.strip().lower() in ("none", "never", "null"):
        return None
    return float(raw)


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {raw!r}")
