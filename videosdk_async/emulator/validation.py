"""Checks on a create-job body, answering like a strict real server would."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RESOLUTIONS = ("240", "360", "480", "720", "1080", "4k")
PRESET_FORMATS = ("hls", "mp4")
THUMBNAIL_FORMATS = ("jpg", "webp")
THUMBNAIL_FILTERS = ("none", "blur")
_TIMESTAMP = re.compile(r"^\d{2}:[0-5]\d:[0-5]\d$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


class ValidationError(ValueError):
    """A create body is wrong: ``message`` says what, ``field`` where (a JSON path)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, Any]:
        """The 400 response body."""
        body: dict[str, Any] = {"message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


@dataclass
class JobSpec:
    """A validated create request, normalised (ids are added by the store)."""

    video_id: str | None
    video_url: str | None
    presets: list[dict[str, Any]]
    thumbnails: list[dict[str, Any]]
    webhook_url: str | None
    user_data: dict[str, Any] | None


def _string_list(
    value: Any, path: str, allowed: tuple[str, ...], *, fold_case: bool = False
) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValidationError(f"{path} must be a non-empty array", path)
    result: list[str] = []
    for i, item in enumerate(value):
        here = f"{path}[{i}]"
        if not isinstance(item, str):
            raise ValidationError(f"{here} must be a string, one of {', '.join(allowed)}", here)
        norm = item.lower() if fold_case else item
        if norm not in allowed:
            raise ValidationError(f"{here} is {item!r}; expected one of {', '.join(allowed)}", here)
        if norm in result:
            raise ValidationError(f"{here} repeats {item!r}", here)
        result.append(norm)
    return result


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"{path} must be an object", path)
    return value


def validate_create(body: Any, video_known: Callable[[str], bool]) -> JobSpec:
    """Validate a create-job body; ``video_known`` tells whether a ``videoId`` may be used."""
    if not isinstance(body, dict):
        raise ValidationError("request body must be a JSON object")
    video_id = body.get("videoId")
    video_url = body.get("videoUrl")
    if video_id is None and video_url is None:
        raise ValidationError("one of videoId or videoUrl is required", "videoId")
    if video_id is not None and video_url is not None:
        raise ValidationError("give only one of videoId and videoUrl", "videoUrl")
    if video_id is not None:
        if not isinstance(video_id, str) or not video_id:
            raise ValidationError("videoId must be a non-empty string", "videoId")
        if not video_known(video_id):
            raise ValidationError(
                f"videoId {video_id} was never uploaded: upload it to the storage URL first",
                "videoId",
            )
    if video_url is not None and (not isinstance(video_url, str) or not _URL.match(video_url)):
        raise ValidationError("videoUrl must be an http(s) URL", "videoUrl")

    presets_raw = body.get("presets")
    if presets_raw is None:
        raise ValidationError("presets is required", "presets")
    if not isinstance(presets_raw, list) or not presets_raw:
        raise ValidationError("presets must be a non-empty array", "presets")
    presets: list[dict[str, Any]] = []
    for i, raw in enumerate(presets_raw):
        path = f"presets[{i}]"
        preset = _object(raw, path)
        resolutions = _string_list(
            preset.get("resolutions"), f"{path}.resolutions", RESOLUTIONS, fold_case=True
        )
        fmt = preset.get("format")
        if fmt not in PRESET_FORMATS:
            raise ValidationError(
                f"{path}.format must be one of {', '.join(PRESET_FORMATS)}", f"{path}.format"
            )
        presets.append({"resolutions": resolutions, "format": fmt})

    thumbnails: list[dict[str, Any]] = []
    thumbs_raw = body.get("thumbnails")
    if thumbs_raw is not None:
        if not isinstance(thumbs_raw, list):
            raise ValidationError("thumbnails must be an array", "thumbnails")
        for i, raw in enumerate(thumbs_raw):
            path = f"thumbnails[{i}]"
            thumb = _object(raw, path)
            timestamp = thumb.get("timestamp")
            if not isinstance(timestamp, str) or not _TIMESTAMP.match(timestamp):
                raise ValidationError(
                    f"{path}.timestamp must be a string HH:MM:SS", f"{path}.timestamp"
                )
            resolutions = _string_list(
                thumb.get("resolutions"), f"{path}.resolutions", RESOLUTIONS, fold_case=True
            )
            formats = _string_list(thumb.get("formats"), f"{path}.formats", THUMBNAIL_FORMATS)
            filters_raw = thumb.get("filters")
            filters = (
                ["none"]
                if filters_raw is None
                else _string_list(filters_raw, f"{path}.filters", THUMBNAIL_FILTERS)
            )
            thumbnails.append(
                {
                    "timestamp": timestamp,
                    "resolutions": resolutions,
                    "formats": formats,
                    "filters": filters,
                }
            )

    webhook_url = body.get("webhookUrl")
    if webhook_url is not None and (
        not isinstance(webhook_url, str) or not _URL.match(webhook_url)
    ):
        raise ValidationError("webhookUrl must be an http(s) URL", "webhookUrl")
    user_data = body.get("userData")
    if user_data is not None and not isinstance(user_data, dict):
        raise ValidationError("userData must be an object", "userData")

    return JobSpec(
        video_id=video_id,
        video_url=video_url,
        presets=presets,
        thumbnails=thumbnails,
        webhook_url=webhook_url,
        user_data=user_data,
    )
