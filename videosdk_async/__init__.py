"""Async SDK for VideoSDK's video-on-demand encoding-jobs API.

Usage::

    async with AsyncEncoderClient(api_key=..., secret=...) as client:
        preset = {"resolutions": ["720"], "format": "hls"}
        job = await client.jobs.create(video_id=vid, presets=[preset])
        deleted = await client.jobs.delete(job.id)
"""

from ._version import __version__
from .auth import APIKeyAuth, Credentials, StaticToken
from .batch import DeleteOutcome, DeleteReport, DeleteResult
from .client import AsyncEncoderClient
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    ConflictError,
    DeadlineExceededError,
    InvalidRequestError,
    JobFailedError,
    JobNotDeletableError,
    JobNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    QueueTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    UnprocessableEntityError,
    VideoSDKError,
    WaitTimeoutError,
)
from .middleware import CallNext, Middleware
from .models import (
    EncodingJob,
    FileMeta,
    ImageFormat,
    JobCreate,
    JobError,
    JobPage,
    JobStatus,
    Page,
    PageInfo,
    Preset,
    PresetSpec,
    RawResponse,
    Resolution,
    StoredFile,
    Thumbnail,
    ThumbnailFilter,
    ThumbnailSpec,
    User,
    VideoFormat,
)
from .retry import RetryBudget, RetryDecision, RetryPolicy
from .timeouts import TimeoutPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIKeyAuth",
    "APIStatusError",
    "APITimeoutError",
    "AsyncEncoderClient",
    "AuthenticationError",
    "BadRequestError",
    "CallNext",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "Credentials",
    "DeadlineExceededError",
    "DeleteOutcome",
    "DeleteReport",
    "DeleteResult",
    "EncodingJob",
    "FileMeta",
    "ImageFormat",
    "InvalidRequestError",
    "JobCreate",
    "JobError",
    "JobFailedError",
    "JobNotDeletableError",
    "JobNotFoundError",
    "JobPage",
    "JobStatus",
    "Middleware",
    "NotFoundError",
    "Page",
    "PageInfo",
    "PermissionDeniedError",
    "Preset",
    "PresetSpec",
    "QueueTimeoutError",
    "RateLimitError",
    "RawResponse",
    "Resolution",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryBudget",
    "RetryDecision",
    "RetryPolicy",
    "ServerError",
    "StaticToken",
    "StoredFile",
    "Thumbnail",
    "ThumbnailFilter",
    "ThumbnailSpec",
    "TimeoutPolicy",
    "UnprocessableEntityError",
    "User",
    "VideoFormat",
    "VideoSDKError",
    "WaitTimeoutError",
    "__version__",
]
