"""Async SDK for VideoSDK's video-on-demand encoding-jobs API.

Usage::

    async with AsyncEncoderClient(api_key=..., secret=...) as client:
        preset = {"resolutions": ["720"], "format": "hls"}
        job = await client.jobs.create(video_id=vid, presets=[preset])
        deleted = await client.jobs.delete(job.id)
"""

__version__ = "0.1.0"

from .auth import APIKeyAuth, AuthMiddleware, Credentials, StaticToken
from .batch import DeleteOutcome, DeleteReport, DeleteResult
from .client import AsyncEncoderClient
from .errors import (
    APIConnectionError,
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
    JobGoneError,
    JobNotDeletableError,
    JobNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    QueueTimeoutError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnprocessableEntityError,
    VideoSDKError,
    WaitTimeoutError,
)
from .logs import LoggingMiddleware
from .middleware import CallContext, CallNext, Middleware
from .models import (
    EncodingJob,
    FileMeta,
    ImageFormat,
    JobCreate,
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
    "APIKeyAuth",
    "APIStatusError",
    "APITimeoutError",
    "AsyncEncoderClient",
    "AuthMiddleware",
    "AuthenticationError",
    "BadRequestError",
    "CallContext",
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
    "JobFailedError",
    "JobGoneError",
    "JobNotDeletableError",
    "JobNotFoundError",
    "JobPage",
    "JobStatus",
    "LoggingMiddleware",
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
