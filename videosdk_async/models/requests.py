"""Request bodies, validated before any I/O: strict about what we send."""

from __future__ import annotations

import math
import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, JsonValue, field_validator, model_validator

from ._base import OpenEnum, RequestModel
from .jobs import ImageFormat, Resolution, ThumbnailFilter, VideoFormat

_TIMESTAMP = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)$", re.ASCII)  # not Unicode digits


E = TypeVar("E", bound=OpenEnum)


def _only_known(enum: type[E], what: str) -> AfterValidator:
    """A validator refusing values of ``enum`` this SDK does not know, and duplicates."""

    def check(values: list[E]) -> list[E]:
        unknown = [str(v) for v in values if not v.is_known]
        if unknown:
            allowed = ", ".join(m.value for m in enum)
            raise ValueError(f"unknown {what} {', '.join(unknown)}; allowed: {allowed}")
        if len(set(values)) != len(values):
            raise ValueError(f"duplicate {what} in {[str(v) for v in values]}")
        return values

    return AfterValidator(check)


def _timestamp(value: str) -> str:
    if not _TIMESTAMP.match(value):
        raise ValueError(f"timestamp {value!r} is not HH:MM:SS")
    return value


# The response models read these enums leniently; a request accepts only known values.
Resolutions = Annotated[
    list[Resolution], Field(min_length=1), _only_known(Resolution, "resolution")
]
ImageFormats = Annotated[
    list[ImageFormat], Field(min_length=1), _only_known(ImageFormat, "image format")
]
Filters = Annotated[list[ThumbnailFilter], _only_known(ThumbnailFilter, "filter")]


def _finite_json(value: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
    """Refuse NaN and infinities anywhere inside: JSON has no such numbers (pydantic would
    send them as null, silently)."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{item} is not a JSON number (it would be sent as null)")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


class PresetSpec(RequestModel):
    """One output preset: resolutions and a format."""

    resolutions: Resolutions
    format: VideoFormat

    @field_validator("format")
    @classmethod
    def _format_known(cls, value: VideoFormat) -> VideoFormat:
        if not value.is_known:
            allowed = ", ".join(m.value for m in VideoFormat)
            raise ValueError(f"unknown format {value}; allowed: {allowed}")
        return value


class ThumbnailSpec(RequestModel):
    """Thumbnails to take at ``timestamp`` (``HH:MM:SS``)."""

    timestamp: Annotated[str, AfterValidator(_timestamp)]
    resolutions: Resolutions
    formats: ImageFormats
    filters: Filters | None = None


class JobCreate(RequestModel):
    """The body of ``POST /v1/encoder/jobs``: exactly one of ``video_id`` / ``video_url``."""

    video_id: str | None = Field(default=None, min_length=1)
    video_url: str | None = Field(default=None, min_length=1)
    presets: list[PresetSpec] = Field(min_length=1)
    thumbnails: list[ThumbnailSpec] | None = None
    webhook_url: str | None = None
    user_data: Annotated[dict[str, JsonValue] | None, AfterValidator(_finite_json)] = None

    @model_validator(mode="after")
    def _one_source(self) -> JobCreate:
        if (self.video_id is None) == (self.video_url is None):
            raise ValueError("give exactly one of video_id or video_url")
        return self

    @field_validator("video_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    def to_json(self) -> dict[str, JsonValue]:
        """The wire body as a dict: camelCase, with unset optional fields left out."""
        body: dict[str, JsonValue] = self.model_dump(mode="json", exclude_none=True)
        return body

    def to_json_bytes(self) -> bytes:
        """The wire body, serialized: what ``jobs.create`` sends."""
        return self.model_dump_json(exclude_none=True).encode()
