"""Models of the encoding-job responses."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, JsonValue

from ._base import APIModel, OpenEnum, UtcDatetime


class JobStatus(OpenEnum):
    """Where a job is in its lifecycle. Unknown statuses are kept (``is_known`` False)."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        """True once the job will not change any more (completed or failed)."""
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


class Resolution(OpenEnum):
    """An output resolution. ``4K`` is read as ``4k``."""

    R240 = "240"
    R360 = "360"
    R480 = "480"
    R720 = "720"
    R1080 = "1080"
    R4K = "4k"


ResolutionName = Literal["240", "360", "480", "720", "1080", "4k", "4K"]
"""A `Resolution` as a string, for request fields (the API's docs write ``4k`` and
``4K``; both are read as ``4k``)."""


class VideoFormat(OpenEnum):
    """A preset's output format."""

    HLS = "hls"
    MP4 = "mp4"


VideoFormatName = Literal["hls", "mp4"]
"""A `VideoFormat` as a string, for request fields."""


class ImageFormat(OpenEnum):
    """A thumbnail's image format."""

    JPG = "jpg"
    WEBP = "webp"


ImageFormatName = Literal["jpg", "webp"]
"""An `ImageFormat` as a string, for request fields."""


class ThumbnailFilter(OpenEnum):
    """A thumbnail filter (the docs' one "blue" is a typo of ``blur``)."""

    NONE = "none"
    BLUR = "blur"


ThumbnailFilterName = Literal["none", "blur"]
"""A `ThumbnailFilter` as a string, for request fields."""


class Preset(APIModel):
    """An encoding preset as the server stored it."""

    id: str | None = None
    resolutions: list[Resolution] = Field(default_factory=list)
    format: VideoFormat | None = None


class Thumbnail(APIModel):
    """A thumbnail request as the server stored it."""

    id: str | None = None
    timestamp: str | None = None
    resolutions: list[Resolution] = Field(default_factory=list)
    formats: list[ImageFormat] = Field(default_factory=list)
    filters: list[ThumbnailFilter] = Field(default_factory=list)


class User(APIModel):
    """The account that owns a job."""

    id: str | None = None
    name: str | None = None
    email: str | None = None


class FileResolution(APIModel):
    """Pixel size of a video file."""

    width: int | None = None
    height: int | None = None


class FileMeta(APIModel):
    """Metadata of a video file."""

    resolution: FileResolution | None = None
    format: str | None = None
    duration: float | None = None


class StoredFile(APIModel):
    """A file: an uploaded source, or an encoding output in ``job.files``."""

    id: str
    job_id: str | None = None
    file_path: str | None = None
    file_url: str | None = None
    size: int | None = None
    type: str | None = None
    meta: FileMeta | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


def _error_shape(value: object) -> object:
    """Any failure shape the service may send becomes a JobError: text is its message."""
    if value is None or isinstance(value, dict | JobError):
        return value
    return {"message": value if isinstance(value, str) else str(value)}


class JobError(APIModel):
    """Why a job failed, as the service says it: a ``code`` and a ``message``.

    Both are optional; anything else it sends is kept.
    """

    code: str | None = None
    message: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the service said nothing at all about why."""
        return not (self.code or self.message or self.model_extra)

    def __str__(self) -> str:
        """``CODE: message``; whatever else was sent, as JSON; or ``no reason given``."""
        parts = [p for p in (self.code, self.message) if p]
        if parts:
            return ": ".join(parts)
        if self.model_extra:
            return json.dumps(self.model_extra, ensure_ascii=False, default=str)
        return "no reason given"


class EncodingJob(APIModel):
    """An encoding job as the API returns it."""

    id: str
    status: JobStatus
    video_id: str | None = None
    video_url: str | None = None
    presets: list[Preset] = Field(default_factory=list)
    thumbnails: list[Thumbnail] = Field(default_factory=list)
    webhook_url: str | None = None
    user_data: dict[str, JsonValue] | None = None
    user: User | None = None
    error: Annotated[JobError | None, BeforeValidator(_error_shape)] = None
    files: list[StoredFile] = Field(default_factory=list)
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None

    @property
    def is_terminal(self) -> bool:
        """True when the job is completed or failed."""
        return self.status.is_terminal

    @property
    def failure_reason(self) -> str | None:
        """Why the job failed (``CODE: message``), or None unless it failed.

        A failed job with no reason from the service reads ``no reason given``.
        """
        if self.status is not JobStatus.FAILED:
            return None
        return "no reason given" if self.error is None else str(self.error)

    @property
    def is_deletable(self) -> bool:
        """True when the API would accept deleting it: only queued jobs can be deleted."""
        return self.status is JobStatus.QUEUED
