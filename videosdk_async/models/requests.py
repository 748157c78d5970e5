"""Request bodies, validated before any I/O: strict about what we send."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, JsonValue, field_validator, model_validator

from ._base import OpenEnum, RequestModel
from .jobs import (
    ImageFormat,
    ImageFormatName,
    Resolution,
    ResolutionName,
    ThumbnailFilter,
    ThumbnailFilterName,
    VideoFormat,
    VideoFormatName,
)

_TIMESTAMP = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)$", re.ASCII)  # not Unicode digits


E = TypeVar("E", bound=OpenEnum)


def _only_known(enum: type[E], what: str) -> AfterValidator:
    """A validator refusing values of ``enum`` this SDK does not know, and duplicates."""

    def check(values: Sequence[E | str]) -> list[E]:
        members = [enum(v) for v in values]  # already members: the union is read enum first
        unknown = [str(v) for v in members if not v.is_known]
        if unknown:
            allowed = ", ".join(m.value for m in enum)
            raise ValueError(f"unknown {what} {', '.join(unknown)}; allowed: {allowed}")
        if len(set(members)) != len(members):
            raise ValueError(f"duplicate {what} in {[str(v) for v in members]}")
        return members

    return AfterValidator(check)


# Each field takes the enum or its string (for type checkers: ``Literal`` names); the union is
# read left to right, so the validated value is always the enum member.
_EnumFirst = Field(union_mode="left_to_right")


def _timestamp(value: str) -> str:
    if not _TIMESTAMP.match(value):
        raise ValueError(f"timestamp {value!r} is not HH:MM:SS")
    return value


# The response models read these enums leniently; a request accepts only known values.
# Sequence, not list: a caller's list[ResolutionName] is accepted as it is (list is invariant).
# What is stored is always a list of enum members.
Resolutions = Annotated[
    Sequence[Annotated[Resolution | ResolutionName, _EnumFirst]],
    Field(min_length=1),
    _only_known(Resolution, "resolution"),
]
ImageFormats = Annotated[
    Sequence[Annotated[ImageFormat | ImageFormatName, _EnumFirst]],
    Field(min_length=1),
    _only_known(ImageFormat, "image format"),
]
Filters = Annotated[
    Sequence[Annotated[ThumbnailFilter | ThumbnailFilterName, _EnumFirst]],
    _only_known(ThumbnailFilter, "filter"),
]


# JSON numbers every reader takes exactly (RFC 8259 interoperability: IEEE 754 doubles).
_SAFE_INT = 2**53 - 1


def _finite_json(value: dict[str, JsonValue] | None) -> dict[str, JsonValue] | None:
    """Refuse numbers JSON readers cannot take: NaN, infinities, and huge integers.

    Pydantic would send NaN and infinities as null, silently; an integer past 2**53 - 1 loses
    digits in most readers (and past 4,300 digits Python's own reader refuses it).
    """
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{item} is not a JSON number (it would be sent as null)")
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > _SAFE_INT:
            raise ValueError(
                "an integer past 2**53 - 1 cannot be read exactly by most JSON readers; "
                "send it as a string"
            )
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


class PresetSpec(RequestModel):
    """One output preset: resolutions and a format."""

    resolutions: Resolutions
    format: Annotated[VideoFormat | VideoFormatName, _EnumFirst]

    @field_validator("format")
    @classmethod
    def _format_known(cls, value: VideoFormat | str) -> VideoFormat:
        value = VideoFormat(value)
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
    presets: Sequence[PresetSpec] = Field(min_length=1)
    thumbnails: Sequence[ThumbnailSpec] | None = None
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

    def to_json_bytes(self) -> bytes:
        """The wire body, serialized: what ``jobs.create`` sends.

        It has the API's keys, with None fields left out.
        """
        return self.model_dump_json(by_alias=True, exclude_none=True).encode()
