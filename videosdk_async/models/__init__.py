"""Pydantic models of the API's requests and responses."""

from ._base import APIModel, OpenEnum, RawResponse
from .files import UploadTarget
from .jobs import (
    EncodingJob,
    FileMeta,
    FileResolution,
    ImageFormat,
    JobError,
    JobStatus,
    Preset,
    Resolution,
    StoredFile,
    Thumbnail,
    ThumbnailFilter,
    User,
    VideoFormat,
)
from .pages import FilePage, JobPage, Page, PageInfo
from .requests import JobCreate, PresetSpec, ThumbnailSpec

__all__ = [
    "APIModel",
    "EncodingJob",
    "FileMeta",
    "FilePage",
    "FileResolution",
    "ImageFormat",
    "JobCreate",
    "JobError",
    "JobPage",
    "JobStatus",
    "OpenEnum",
    "Page",
    "PageInfo",
    "Preset",
    "PresetSpec",
    "RawResponse",
    "Resolution",
    "StoredFile",
    "Thumbnail",
    "ThumbnailFilter",
    "ThumbnailSpec",
    "UploadTarget",
    "User",
    "VideoFormat",
]
