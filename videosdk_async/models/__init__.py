"""Pydantic models of the API's requests and responses."""

from .._raw import RawResponse
from ._base import APIModel, OpenEnum
from .files import UploadTarget
from .jobs import (
    EncodingJob,
    FileMeta,
    FileResolution,
    ImageFormat,
    ImageFormatName,
    JobError,
    JobStatus,
    Preset,
    Resolution,
    ResolutionName,
    StoredFile,
    Thumbnail,
    ThumbnailFilter,
    ThumbnailFilterName,
    User,
    VideoFormat,
    VideoFormatName,
)
from .pages import FilePage, JobPage, Page, PageInfo
from .params import JobCreateParams, PresetParam, ThumbnailParam
from .raw import APIResponse
from .requests import JobCreate, PresetSpec, ThumbnailSpec

__all__ = [
    "APIModel",
    "APIResponse",
    "EncodingJob",
    "FileMeta",
    "FilePage",
    "FileResolution",
    "ImageFormat",
    "ImageFormatName",
    "JobCreate",
    "JobCreateParams",
    "JobError",
    "JobPage",
    "JobStatus",
    "OpenEnum",
    "Page",
    "PageInfo",
    "Preset",
    "PresetParam",
    "PresetSpec",
    "RawResponse",
    "Resolution",
    "ResolutionName",
    "StoredFile",
    "Thumbnail",
    "ThumbnailFilter",
    "ThumbnailFilterName",
    "ThumbnailParam",
    "ThumbnailSpec",
    "UploadTarget",
    "User",
    "VideoFormat",
    "VideoFormatName",
]
