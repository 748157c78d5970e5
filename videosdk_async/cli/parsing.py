"""Parsing of the CLI's compact flag syntaxes into SDK request models.

Each parser raises :class:`ValueError` with a message naming the bad input; the commands turn
that into a usage error (exit 2) before any request is sent.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .._text import describe_problems
from .._time import as_utc
from ..models import PresetSpec, ThumbnailSpec


def _split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_preset(raw: str) -> PresetSpec:
    """Parse ``RESOLUTIONS:FORMAT``, e.g. ``360,720:hls`` or ``1080:mp4``."""
    resolutions, sep, fmt = raw.strip().rpartition(":")
    if not sep or not resolutions or not fmt:
        raise ValueError(f"preset {raw!r} is not RESOLUTIONS:FORMAT (e.g. 360,720:hls)")
    try:
        return PresetSpec(resolutions=_split_list(resolutions), format=fmt.strip().lower())
    except ValidationError as exc:
        raise ValueError(f"preset {raw!r}: {describe_problems(exc, where=False)}") from None


def parse_thumbnail(raw: str) -> ThumbnailSpec:
    """Parse ``HH:MM:SS@RESOLUTIONS:FORMATS[:FILTERS]``, e.g. ``00:00:03@360:jpg,webp:blur``."""
    timestamp, sep, rest = raw.strip().partition("@")
    parts = rest.split(":")
    if not sep or not timestamp or len(parts) not in (2, 3) or not all(parts):
        raise ValueError(
            f"thumbnail {raw!r} is not HH:MM:SS@RESOLUTIONS:FORMATS[:FILTERS] "
            "(e.g. 00:00:03@360:jpg,webp:blur)"
        )
    fields: dict[str, Any] = {
        "timestamp": timestamp.strip(),
        "resolutions": _split_list(parts[0]),
        "formats": [f.lower() for f in _split_list(parts[1])],
    }
    if len(parts) == 3:
        fields["filters"] = [f.lower() for f in _split_list(parts[2])]
    try:
        return ThumbnailSpec.model_validate(fields)
    except ValidationError as exc:
        raise ValueError(f"thumbnail {raw!r}: {describe_problems(exc, where=False)}") from None


def parse_user_data(raw: str) -> dict[str, Any]:
    """Parse ``--user-data``: a JSON object."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"user data is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"user data must be a JSON object, got {type(value).__name__}")
    return value


def parse_timestamp(raw: str) -> datetime:
    """Parse an ISO-8601 date or datetime; ``Z`` is accepted and a naive value means UTC."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read "Z"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{raw!r} is not an ISO-8601 datetime (e.g. 2024-05-01T12:00:00Z)"
        ) from None
    return as_utc(moment)
