"""Parsing of the CLI's compact flag syntaxes into SDK request models.

Each parser raises `ValueError` with a message naming the flag and the bad input, as
the user typed them; the commands turn that into a usage error (exit 2) before any request is
sent.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .._text import describe_problems
from .._time import as_utc
from ..models import JobCreate, PresetSpec, ThumbnailSpec

# The create request's fields, as the flags that set them.
CREATE_FLAGS = {
    "video_id": "--video-id",
    "video_url": "--video-url",
    "presets": "--preset",
    "thumbnails": "--thumbnail",
    "webhook_url": "--webhook-url",
    "user_data": "--user-data",
}


def _split_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_preset(raw: str) -> PresetSpec:
    """Parse ``RESOLUTIONS:FORMAT``, e.g. ``360,720:hls`` or ``1080:mp4``."""
    resolutions, sep, fmt = raw.strip().rpartition(":")
    if not sep or not resolutions or not fmt:
        raise ValueError(f"--preset {raw!r} is not RESOLUTIONS:FORMAT (e.g. 360,720:hls)")
    try:
        return PresetSpec(resolutions=_split_list(resolutions), format=fmt.strip().lower())
    except ValidationError as exc:
        raise ValueError(f"--preset {raw!r}: {describe_problems(exc, where=False)}") from None


def parse_thumbnail(raw: str) -> ThumbnailSpec:
    """Parse ``HH:MM:SS@RESOLUTIONS:FORMATS[:FILTERS]``, e.g. ``00:00:03@360:jpg,webp:blur``."""
    timestamp, sep, rest = raw.strip().partition("@")
    parts = rest.split(":")
    if not sep or not timestamp or len(parts) not in (2, 3) or not all(parts):
        raise ValueError(
            f"--thumbnail {raw!r} is not HH:MM:SS@RESOLUTIONS:FORMATS[:FILTERS] "
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
        raise ValueError(f"--thumbnail {raw!r}: {describe_problems(exc, where=False)}") from None


def parse_user_data(raw: str) -> dict[str, Any]:
    """Parse ``--user-data``: a JSON object."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"--user-data is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"--user-data must be a JSON object, got {type(value).__name__}")
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
            f"--created-before {raw!r} is not an ISO-8601 datetime (e.g. 2024-05-01T12:00:00Z)"
        ) from None
    return as_utc(moment)


def flag_problems(exc: ValidationError, flags: dict[str, str]) -> str:
    """A request model's problems as one line naming the flags that set the fields.

    ``video_url: 'x' is not an http(s) URL`` reads ``--video-url: 'x' is not an http(s) URL``.
    """
    parts = []
    for problem in exc.errors():
        loc = list(problem.get("loc", ()))
        reason = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        if not loc:  # a whole-request rule ("exactly one of video_id or video_url")
            for field, flag in flags.items():
                reason = re.sub(rf"\b{field}\b", flag, reason)
            parts.append(reason)
            continue
        where = flags.get(str(loc[0]), str(loc[0]))
        if len(loc) > 1 and isinstance(loc[1], int):
            where += f" #{loc[1] + 1}"  # the n-th time the flag was given
            loc = loc[1:]
        rest = ".".join(str(part) for part in loc[1:])
        parts.append(f"{where}: {rest + ': ' if rest else ''}{reason}")
    return "; ".join(parts)


def create_request(fields: dict[str, Any]) -> JobCreate:
    """The create request for the flags given (None = not given), checked as the SDK will.

    Raises ``ValueError`` naming the flags, not the SDK's field names.
    """
    try:
        return JobCreate.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        raise ValueError(flag_problems(exc, CREATE_FLAGS)) from None
