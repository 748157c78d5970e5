"""Request bodies, validated before any I/O: strict about what we send."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from ._base import OpenEnum, RequestModel
from .jobs import ImageFormat, Resolution, ThumbnailFilter, VideoFormat

_TIMESTAMP = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)$", re.ASCII)  # not Unicode digits


def _known(values: list[Any], enum: type[OpenEnum], what: str) -> list[Any]:
    unknown = [str(v) for v in values if not v.is_known]
    if unknown:
        allowed = ", ".join(m.value for m in enum)
        raise ValueError(f"unknown {what} {', '.join(unknown)}; allowed: {allowed}")
    if len(set(values)) != len(values):
        raise ValueError(f"duplicate {what} in {[str(v) for v in values]}")
    return values


class PresetSpec(RequestModel):
    """One output preset: resolutions and a format."""

    resolutions: list[Resolution] = Field(min_length=1)
    format: VideoFormat

    @field_validator("resolutions")
    @classmethod
    def _resolutions_known(cls, value: list[Resolution]) -> list[Resolution]:
        return _known(value, Resolution, "resolution")

    @field_validator("format")
    @classmethod
    def _format_known(cls, value: VideoFormat) -> VideoFormat:
        _known([value], VideoFormat, "format")
        return value


class ThumbnailSpec(RequestModel):
    """Thumbnails to take at ``timestamp`` (``HH:MM:SS``)."""

    timestamp: str
    resolutions: list[Resolution] = Field(min_length=1)
    formats: list[ImageFormat] = Field(min_length=1)
    filters: list[ThumbnailFilter] | None = None

    @field_validator("timestamp")
    @classmethod
    def _timestamp_shape(cls, value: str) -> str:
        if not _TIMESTAMP.match(value):
            raise ValueError(f"timestamp {value!r} is not HH:MM:SS")
        return value

    @field_validator("resolutions")
    @classmethod
    def _resolutions_known(cls, value: list[Resolution]) -> list[Resolution]:
        return _known(value, Resolution, "resolution")

    @field_validator("formats")
    @classmethod
    def _formats_known(cls, value: list[ImageFormat]) -> list[ImageFormat]:
        return _known(value, ImageFormat, "image format")

    @field_validator("filters")
    @classmethod
    def _filters_known(cls, value: list[ThumbnailFilter] | None) -> list[ThumbnailFilter] | None:
        return None if value is None else _known(value, ThumbnailFilter, "filter")


class JobCreate(RequestModel):
    """The body of ``POST /v1/encoder/jobs``: exactly one of ``video_id`` / ``video_url``."""

    video_id: str | None = Field(default=None, min_length=1)
    video_url: str | None = Field(default=None, min_length=1)
    presets: list[PresetSpec] = Field(min_length=1)
    thumbnails: list[ThumbnailSpec] | None = None
    webhook_url: str | None = None
    user_data: dict[str, Any] | None = None

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

    def to_json(self) -> dict[str, Any]:
        """The wire body: camelCase, with unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)
