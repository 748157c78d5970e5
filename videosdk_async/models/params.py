"""The dict shapes request parameters accept, as ``TypedDict``s.

A typo in a key (``{"fromat": "hls"}``) or a value (``"72O"``) is a type error under pyright
and mypy, with no plugin. At run time the same dicts are validated by the request models
(``PresetSpec``, ``ThumbnailSpec``, ``JobCreate``) before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import JsonValue
from typing_extensions import Required, TypedDict

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
from .requests import PresetSpec, ThumbnailSpec

__all__ = ["JobCreateParams", "PresetParam", "ThumbnailParam"]


class PresetParam(TypedDict):
    """One output preset as a dict: ``{"resolutions": ["720"], "format": "hls"}``."""

    resolutions: Sequence[Resolution | ResolutionName]
    format: VideoFormat | VideoFormatName


class ThumbnailParam(TypedDict, total=False):
    """Thumbnails as a dict, ``filters`` optional.

    For example, ``{"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg"]}``.
    """

    timestamp: Required[str]
    resolutions: Required[Sequence[Resolution | ResolutionName]]
    formats: Required[Sequence[ImageFormat | ImageFormatName]]
    filters: Sequence[ThumbnailFilter | ThumbnailFilterName]


class JobCreateParams(TypedDict, total=False):
    """A create request as a dict, keyed like the keyword arguments of ``jobs.create``.

    ``presets`` is required; exactly one of ``video_id`` / ``video_url`` is checked when the
    request is validated, before anything is sent. (A dict with the API's camelCase keys is
    accepted at run time too; to type one, validate it: ``JobCreate.model_validate(data)``.)
    """

    video_id: str
    video_url: str
    presets: Required[Sequence[PresetSpec | PresetParam]]
    thumbnails: Sequence[ThumbnailSpec | ThumbnailParam]
    webhook_url: str
    user_data: Mapping[str, JsonValue]
