"""Async SDK for VideoSDK's video-on-demand encoding-jobs API.

Usage:

```python
async with AsyncEncoderClient(api_key=..., secret=...) as client:
    preset = {"resolutions": ["720"], "format": "hls"}
    stored = await client.files.upload("talk.mp4")       # streamed, with progress
    job = await client.jobs.create(video_id=stored.id, presets=[preset])
    deleted = await client.jobs.delete(job.id)
```
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs read; at run time the names load on first use
    from .auth import APIKeyAuth, Credentials, StaticToken
    from .batch import DeleteOutcome, DeleteReport, DeleteResult
    from .client import NOT_GIVEN, AsyncEncoderClient, NotGiven
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
        StoredFileNotFoundError,
        UnprocessableEntityError,
        UploadSourceError,
        VideoSDKError,
        WaitTimeoutError,
        WebhookError,
        WebhookSignatureError,
    )
    from .middleware import CallNext, Middleware
    from .models import (
        APIResponse,
        EncodingJob,
        FileMeta,
        ImageFormat,
        ImageFormatName,
        JobCreate,
        JobCreateParams,
        JobError,
        JobPage,
        JobStatus,
        Page,
        PageInfo,
        Preset,
        PresetParam,
        PresetSpec,
        RawResponse,
        Resolution,
        ResolutionName,
        StoredFile,
        Thumbnail,
        ThumbnailFilter,
        ThumbnailFilterName,
        ThumbnailParam,
        ThumbnailSpec,
        User,
        VideoFormat,
        VideoFormatName,
    )
    from .pagination import AsyncJobPage, AsyncPage, AsyncPaginator
    from .retry import RetryBudget, RetryDecision, RetryPolicy
    from .timeouts import TimeoutPolicy
    from .webhooks import RSASignatureVerifier, parse_webhook

# Each public name and the module it lives in. They are imported on first use (PEP 562), as
# openai's SDK does, so ``import videosdk_async`` stays light and a program pays only for
# what it touches: the client alone does not build the pydantic models until its first call.
_LAZY: dict[str, str] = {
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APIKeyAuth": "auth",
    "APIResponse": "models",
    "APIStatusError": "errors",
    "APITimeoutError": "errors",
    "AsyncEncoderClient": "client",
    "AsyncJobPage": "pagination",
    "AsyncPage": "pagination",
    "AsyncPaginator": "pagination",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "CallNext": "middleware",
    "ClientStateError": "errors",
    "ConfigurationError": "errors",
    "ConflictError": "errors",
    "Credentials": "auth",
    "DeadlineExceededError": "errors",
    "DeleteOutcome": "batch",
    "DeleteReport": "batch",
    "DeleteResult": "batch",
    "EncodingJob": "models",
    "FileMeta": "models",
    "ImageFormat": "models",
    "ImageFormatName": "models",
    "InvalidRequestError": "errors",
    "JobCreate": "models",
    "JobCreateParams": "models",
    "JobError": "models",
    "JobFailedError": "errors",
    "JobNotDeletableError": "errors",
    "JobNotFoundError": "errors",
    "JobPage": "models",
    "JobStatus": "models",
    "Middleware": "middleware",
    "NOT_GIVEN": "client",
    "NotFoundError": "errors",
    "NotGiven": "client",
    "Page": "models",
    "PageInfo": "models",
    "parse_webhook": "webhooks",
    "PermissionDeniedError": "errors",
    "Preset": "models",
    "PresetParam": "models",
    "PresetSpec": "models",
    "QueueTimeoutError": "errors",
    "RateLimitError": "errors",
    "RawResponse": "models",
    "Resolution": "models",
    "ResolutionName": "models",
    "ResponseTooLargeError": "errors",
    "ResponseValidationError": "errors",
    "RetryBudget": "retry",
    "RetryDecision": "retry",
    "RetryPolicy": "retry",
    "RSASignatureVerifier": "webhooks",
    "ServerError": "errors",
    "StaticToken": "auth",
    "StoredFile": "models",
    "StoredFileNotFoundError": "errors",
    "Thumbnail": "models",
    "ThumbnailFilter": "models",
    "ThumbnailFilterName": "models",
    "ThumbnailParam": "models",
    "ThumbnailSpec": "models",
    "TimeoutPolicy": "timeouts",
    "UnprocessableEntityError": "errors",
    "UploadSourceError": "errors",
    "User": "models",
    "VideoFormat": "models",
    "VideoFormatName": "models",
    "VideoSDKError": "errors",
    "WaitTimeoutError": "errors",
    "WebhookError": "errors",
    "WebhookSignatureError": "errors",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIKeyAuth",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncEncoderClient",
    "AsyncJobPage",
    "AsyncPage",
    "AsyncPaginator",
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
    "ImageFormatName",
    "InvalidRequestError",
    "JobCreate",
    "JobCreateParams",
    "JobError",
    "JobFailedError",
    "JobNotDeletableError",
    "JobNotFoundError",
    "JobPage",
    "JobStatus",
    "Middleware",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PageInfo",
    "PermissionDeniedError",
    "Preset",
    "PresetParam",
    "PresetSpec",
    "QueueTimeoutError",
    "RSASignatureVerifier",
    "RateLimitError",
    "RawResponse",
    "Resolution",
    "ResolutionName",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryBudget",
    "RetryDecision",
    "RetryPolicy",
    "ServerError",
    "StaticToken",
    "StoredFile",
    "StoredFileNotFoundError",
    "Thumbnail",
    "ThumbnailFilter",
    "ThumbnailFilterName",
    "ThumbnailParam",
    "ThumbnailSpec",
    "TimeoutPolicy",
    "UnprocessableEntityError",
    "UploadSourceError",
    "User",
    "VideoFormat",
    "VideoFormatName",
    "VideoSDKError",
    "WaitTimeoutError",
    "WebhookError",
    "WebhookSignatureError",
    "__version__",
    "parse_webhook",
]
