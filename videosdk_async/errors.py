"""The exception tree. Every error the SDK raises is a `VideoSDKError`.

Messages are one line that says what was called, which job, and what happened, and end with
the server's request id when it sent one; no message ever contains a token or secret. How a
server answer becomes one of these lives in ``_responses.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from typing_extensions import Required, TypedDict, Unpack

if TYPE_CHECKING:
    from .models import EncodingJob, JobError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "InvalidRequestError",
    "JobFailedError",
    "JobNotDeletableError",
    "JobNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueTimeoutError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "StoredFileNotFoundError",
    "UnprocessableEntityError",
    "UploadSourceError",
    "VideoSDKError",
    "WaitTimeoutError",
    "WebhookError",
    "WebhookSignatureError",
]

JsonBody = object
"""A parsed error body: JSON (dict, list, str, number...), the text, or None when empty."""


class CallFields(TypedDict, total=False):
    """The fields every `APIError` carries, as keyword arguments."""

    method: Required[str]
    url: Required[str]
    job_id: str | None
    attempts: int
    request: httpx.Request | None
    request_id: str | None
    may_have_applied: bool


class StatusFields(CallFields, total=False):
    """The fields of an `APIStatusError`, as keyword arguments."""

    status_code: Required[int]
    body: Required[JsonBody]
    server_message: Required[str | None]
    headers: httpx.Headers | None
    response: httpx.Response | None


class VideoSDKError(Exception):
    """Base class of every error raised by videosdk_async."""


class ConfigurationError(VideoSDKError, ValueError):
    """The client was built with missing or unsafe settings (credentials, base URL, options)."""


class InvalidRequestError(VideoSDKError, ValueError):
    """Input was refused before any request was sent (a bad job id, a bad create body...)."""


class ClientStateError(VideoSDKError, RuntimeError):
    """The client cannot serve the call: it is closed, or used from another event loop."""


class APIError(VideoSDKError):
    """An error tied to one API call.

    Attributes:
        message: The one-line message.
        method: The HTTP method.
        url: The full URL called.
        job_id: The job the call was about, if any.
        attempts: How many requests were put on the wire.
        request: The last ``httpx.Request`` sent (None if nothing was built).
        request_id: The server's request id (``X-Request-Id`` / ``Request-Id``), when it sent one.
        may_have_applied: True when the call failed but what it asked for may have taken
            effect anyway: an attempt's answer was lost or cut off after sending, the server
            failed mid-way (500, 502, 504), or it said 2xx in a body no one could read. A
            create may then exist, a delete may have happened. False when the server said it
            did not take the request on (400s, 408, 429, 503) or nothing was sent.
        bytes_sent: For an upload, how many bytes of the file had been handed to the connection
            when it failed (in the last attempt); None for other calls.
    """

    bytes_sent: int | None = None

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        job_id: str | None = None,
        attempts: int = 1,
        request: httpx.Request | None = None,
        request_id: str | None = None,
        may_have_applied: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.may_have_applied = may_have_applied
        self.method = method
        self.url = url
        self.job_id = job_id
        self.attempts = attempts
        self.request = request
        self.request_id = request_id


class APIConnectionError(APIError):
    """The request failed below HTTP: DNS, connect, TLS, a dropped connection.

    ``may_have_applied`` is True when the request may have reached the server before the
    failure (so a create may exist, a delete may have happened).
    """


class APITimeoutError(APIConnectionError):
    """An attempt timed out (connect, read, write, or waiting for a connection)."""


class DeadlineExceededError(APITimeoutError):
    """The call's overall deadline passed, whatever attempts and retries were under way.

    ``deadline`` is its length in seconds; ``last_failure`` what the last attempt met.
    """

    def __init__(
        self,
        message: str,
        *,
        deadline: float,
        last_failure: str | None,
        **kwargs: Unpack[CallFields],
    ) -> None:
        super().__init__(message, **kwargs)
        self.deadline = deadline
        self.last_failure = last_failure


class QueueTimeoutError(APITimeoutError):
    """The call waited longer than ``TimeoutPolicy.queue`` for one of the client's slots.

    Nothing was sent. The client had ``max_concurrency`` calls in flight the whole time.
    """


class APIStatusError(APIError):
    """The server answered with a non-2xx status.

    Attributes:
        status_code: The HTTP status.
        body: The body as JSON when it is JSON, else its text; None when empty.
        server_message: What the body said, redacted and on one line, if anything.
        headers: The response headers.
        response: The ``httpx.Response`` itself.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: JsonBody,
        server_message: str | None,
        headers: httpx.Headers | None = None,
        response: httpx.Response | None = None,
        **kwargs: Unpack[CallFields],
    ) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code
        self.body = body
        self.server_message = server_message
        self.headers: httpx.Headers = headers if headers is not None else httpx.Headers()
        self.response = response


class BadRequestError(APIStatusError):
    """HTTP 400: the server refused the request as malformed."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the token is missing, invalid or expired.

    ``credential_source`` names where the client's credentials came from (never their value).
    """

    def __init__(
        self, message: str, *, credential_source: str | None = None, **kwargs: Unpack[StatusFields]
    ) -> None:
        super().__init__(message, **kwargs)
        self.credential_source = credential_source


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the token is valid but may not do this."""


class NotFoundError(APIStatusError):
    """HTTP 404: no such resource."""


class JobNotFoundError(NotFoundError):
    """HTTP 404 for a job id: the job does not exist (or no longer exists).

    ``after_failure`` names an earlier attempt's failure after which the request may have
    reached the server (``ReadTimeout``, ``HTTP 502``...), else None: a delete that meets
    a 404 then most likely took effect (``jobs.delete`` then returns instead of raising).
    """

    def __init__(
        self, message: str, *, after_failure: str | None = None, **kwargs: Unpack[StatusFields]
    ) -> None:
        super().__init__(message, **kwargs)
        self.after_failure = after_failure


class StoredFileNotFoundError(NotFoundError):
    """HTTP 404 for a stored file's id (``client.files``): no such file (or no longer).

    ``file_id`` is the id asked for; ``after_failure`` as for `JobNotFoundError`: a
    delete that meets a 404 after a failure that may have been applied most likely took
    effect (``files.delete`` then returns instead of raising).
    """

    def __init__(
        self,
        message: str,
        *,
        file_id: str,
        after_failure: str | None = None,
        **kwargs: Unpack[StatusFields],
    ) -> None:
        super().__init__(message, **kwargs)
        self.file_id = file_id
        self.after_failure = after_failure


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was well-formed but semantically refused."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests. ``retry_after`` is the delay the server asked for, if any."""

    def __init__(
        self, message: str, *, retry_after: float | None, **kwargs: Unpack[StatusFields]
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """HTTP 5xx: the server failed."""


class JobNotDeletableError(APIStatusError):
    """A delete was refused because the job is no longer ``queued``.

    ``job_status`` is the job's status when the server said it, else None.
    """

    def __init__(
        self, message: str, *, job_status: str | None, **kwargs: Unpack[StatusFields]
    ) -> None:
        super().__init__(message, **kwargs)
        self.job_status = job_status


class ResponseValidationError(APIError):
    """A 2xx response whose body is not what the API documents.

    ``snippet`` is a short, redacted excerpt of the body; ``status_code`` and ``response``
    are the answer's.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        snippet: str,
        response: httpx.Response | None = None,
        **kwargs: Unpack[CallFields],
    ) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code
        self.snippet = snippet
        self.response = response


class ResponseTooLargeError(APIError):
    """An answer's body (decompressed) was larger than the client's ``max_response_bytes``.

    Nothing past the limit was read; ``limit`` is the limit, ``status_code`` the answer's.
    """

    def __init__(
        self, message: str, *, status_code: int, limit: int, **kwargs: Unpack[CallFields]
    ) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code
        self.limit = limit


class WaitTimeoutError(VideoSDKError, TimeoutError):
    """``jobs.wait`` gave up: the job did not finish in time. ``job`` is the last one seen."""

    def __init__(self, message: str, *, job_id: str, job: EncodingJob | None, polls: int) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.job = job
        self.polls = polls


class JobFailedError(VideoSDKError):
    """``jobs.wait(..., raise_on_failure=True)`` saw the job end as failed.

    Attributes:
        job: The failed job, as last fetched.
        job_id: Its id.
        error: What the service said about the failure (``job.error``), if anything.
        code: The failure's code (``ENCODING_FAILED``...), when the service gave one.
        reason: Why it failed, for people: ``CODE: message``, or ``no reason given``.
    """

    def __init__(self, message: str, *, job: EncodingJob) -> None:
        super().__init__(message)
        self.job = job
        self.job_id: str = job.id
        self.error: JobError | None = job.error
        self.code: str | None = job.error.code if job.error is not None else None
        self.reason: str = job.failure_reason or "no reason given"


class UploadSourceError(VideoSDKError):
    """An upload's source failed or misbehaved while it was being sent.

    A read error, a file that shrank, a stream that yielded something other than bytes or
    another number of bytes than ``size=`` said, or a one-shot stream (an async iterable, a
    file that cannot seek) that a second attempt would have had to read again. Nothing more
    was sent. ``bytes_sent`` is how many bytes of the file had been handed to the connection.
    """

    def __init__(self, message: str, *, bytes_sent: int) -> None:
        super().__init__(message)
        self.bytes_sent = bytes_sent


class WebhookError(VideoSDKError, ValueError):
    """A webhook body that is not a job: empty, too large, not JSON, too deep, wrong shape."""


class WebhookSignatureError(WebhookError):
    """A webhook's signature is missing, malformed, or does not match its body."""
