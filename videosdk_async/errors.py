"""The exception tree, and the mapping from a server answer to a typed error.

Every error the SDK raises is a :class:`VideoSDKError`. Messages are one line that says what was
called, which job, and what happened; no message ever contains a token or secret.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from ._constants import BODY_SNIPPET_CHARS
from ._http import one_line, parse_retry_after, redact

__all__ = [
    "APIConnectionError",
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
    "JobGoneError",
    "JobNotDeletableError",
    "JobNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueueTimeoutError",
    "RateLimitError",
    "ResponseValidationError",
    "ServerError",
    "UnprocessableEntityError",
    "VideoSDKError",
    "WaitTimeoutError",
]


class VideoSDKError(Exception):
    """Base class of every error raised by videosdk_async."""


class ConfigurationError(VideoSDKError, ValueError):
    """The client was built with missing or unsafe settings (credentials, base URL, options)."""


class InvalidRequestError(VideoSDKError, ValueError):
    """Input was refused before any request was sent (a bad job id, a bad create body...)."""


class ClientStateError(VideoSDKError, RuntimeError):
    """The client cannot serve the call: it is closed, or used from another event loop."""


class _RequestError(VideoSDKError):
    """Shared shape of errors tied to one API call."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        job_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.job_id = job_id
        self.attempts = attempts


class APIConnectionError(_RequestError):
    """The request failed below HTTP: DNS, connect, TLS, a dropped connection."""


class APITimeoutError(APIConnectionError):
    """An attempt timed out (connect, read, write, or waiting for a connection)."""


class DeadlineExceededError(APITimeoutError):
    """The call's overall deadline passed, whatever attempts and retries were under way."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        deadline: float,
        last_failure: str | None,
        job_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, method=method, url=url, job_id=job_id, attempts=attempts)
        self.deadline = deadline
        self.last_failure = last_failure


class QueueTimeoutError(APITimeoutError):
    """The call waited longer than ``TimeoutPolicy.queue`` for one of the client's slots.

    Nothing was sent. The client had ``max_concurrency`` calls in flight the whole time.
    """


class APIStatusError(_RequestError):
    """The server answered with a non-2xx status.

    Attributes: ``status_code``, ``body`` (parsed JSON, or text, or None), ``server_message``
    (what the body said, if anything), ``method``, ``url``, ``job_id``, ``attempts``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any,
        server_message: str | None,
        method: str,
        url: str,
        job_id: str | None = None,
        attempts: int = 1,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url, job_id=job_id, attempts=attempts)
        self.status_code = status_code
        self.body = body
        self.server_message = server_message
        self.headers = headers if headers is not None else httpx.Headers()


class BadRequestError(APIStatusError):
    """HTTP 400: the server refused the request as malformed."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the token is missing, invalid or expired."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the token is valid but may not do this."""


class NotFoundError(APIStatusError):
    """HTTP 404: no such resource."""


class JobNotFoundError(NotFoundError):
    """HTTP 404 for a job id: the job does not exist (or no longer exists)."""


class JobGoneError(JobNotFoundError):
    """A retried delete answered 404 after an earlier attempt's response was lost.

    The earlier attempt most likely deleted the job; this is reported as what it is rather than
    as a plain "not found".
    """


class ConflictError(APIStatusError):
    """HTTP 409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was well-formed but semantically refused."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests. ``retry_after`` is the delay the server asked for, if any."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """HTTP 5xx: the server failed."""


class JobNotDeletableError(APIStatusError):
    """A delete was refused because the job is no longer ``queued``.

    ``job_status`` is the job's status when the server said it, else None.
    """

    def __init__(self, message: str, *, job_status: str | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.job_status = job_status


class ResponseValidationError(VideoSDKError):
    """A 2xx response whose body is not what the API documents.

    ``snippet`` is a short, redacted excerpt of the body.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status_code: int,
        snippet: str,
        job_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status_code = status_code
        self.snippet = snippet
        self.job_id = job_id
        self.attempts = attempts


class WaitTimeoutError(VideoSDKError, TimeoutError):
    """``jobs.wait`` gave up: the job did not finish in time. ``job`` is the last one seen."""

    def __init__(self, message: str, *, job_id: str, job: Any, polls: int) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.job = job
        self.polls = polls


class JobFailedError(VideoSDKError):
    """``jobs.wait(..., raise_on_failure=True)`` saw the job end as failed. ``job`` is it."""

    def __init__(self, message: str, *, job: Any) -> None:
        super().__init__(message)
        self.job = job
        self.job_id: str = job.id


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
}

# The API never documented how it refuses deleting a job that is not queued; any of these is it.
NOT_DELETABLE_STATUS = frozenset({400, 405, 409, 412, 422})
_KNOWN_STATUS_WORD = re.compile(r"\b(queued|processing|completed|failed)\b", re.IGNORECASE)
# "job is processing", "status: completed", "is already failed": a status stated as the job's.
_STATED_STATUS = re.compile(
    r"\b(?:is|was|status|state)\b[\s:='\"]*(?:(?:already|still|currently|now|in)\s+)*"
    r"(queued|processing|completed|failed)\b",
    re.IGNORECASE,
)
# Envelope words some APIs put in a top-level "status" key; not a job status.
_ENVELOPE_STATUS = frozenset({"error", "fail", "failure", "ok", "success"})


def describe_problems(exc: ValueError, *, limit: int | None = None, where: bool = True) -> str:
    """A pydantic ValidationError as ``loc: reason; loc: reason``, for one-line messages.

    ``limit`` keeps the first problems and counts the rest; ``where=False`` drops locations.
    Anything that is not a ValidationError (a JSON decode error) reads "body is not JSON".
    """
    errors = getattr(exc, "errors", None)
    problems = errors() if callable(errors) else []
    if not problems:
        return "body is not JSON"
    shown = problems if limit is None else problems[:limit]

    def one(problem: dict[str, Any]) -> str:
        # pydantic prefixes our own ValueError messages with "Value error, ": the reason counts.
        reason = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        if not where:
            return reason
        loc = ".".join(str(part) for part in problem.get("loc", ())) or "body"
        return f"{loc}: {reason}"

    parts = [one(p) for p in shown]
    more = f" (+{len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
    return "; ".join(parts) + more


def parse_body(response: httpx.Response) -> Any:
    """The body as JSON when it is JSON, else as text; None when empty."""
    text = response.text
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def sent_secrets(request: httpx.Request) -> tuple[str, ...]:
    """The credentials ``request`` carried, to mask wherever a server echoes them back."""
    token = request.headers.get("authorization")
    return (token,) if token else ()


def body_snippet(body: Any, known: tuple[str, ...] = ()) -> str:
    """A short, one-line, redacted rendering of a body for messages."""
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    # Redact before cutting, so a token cut in half is still recognised (bounded: a huge
    # error page is not scanned whole).
    return one_line(redact(text[: BODY_SNIPPET_CHARS * 8], known), BODY_SNIPPET_CHARS)


def server_message(body: Any, known: tuple[str, ...] = ()) -> str | None:
    """What the server said, from ``{"message": ...}``, ``{"error": ...}`` or a text body."""
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return body_snippet(value, known)
            if isinstance(value, dict):
                nested = server_message(value, known)
                if nested:
                    return nested
        return body_snippet(body, known) if body else None
    if body is None:
        return None
    return body_snippet(body, known)


def _job_status_in(body: Any, message: str | None) -> str | None:
    if isinstance(body, dict):
        for holder in (body, body.get("job"), body.get("data")):
            status = holder.get("status") if isinstance(holder, dict) else None
            if isinstance(status, str) and status.strip().lower() not in _ENVELOPE_STATUS:
                return str(status)
    if message:
        stated = _STATED_STATUS.search(message)
        if stated:
            return stated.group(1).lower()
        # Otherwise only an unambiguous mention: "queued" there is the rule ("only queued jobs
        # can be deleted"), not the job's state.
        words = {str(w).lower() for w in _KNOWN_STATUS_WORD.findall(message)} - {"queued"}
        if len(words) == 1:
            return words.pop()
    return None


def error_from_response(
    response: httpx.Response,
    *,
    job_id: str | None = None,
    attempts: int = 1,
    lost_response: str | None = None,
) -> APIStatusError:
    """Map a non-2xx response to the most specific typed error, with a one-line message.

    ``lost_response`` names an earlier attempt's failure after which the request may have
    reached the server (``ReadTimeout``, ``HTTP 502``...): a 404 to a retried delete is then
    :class:`JobGoneError`, not a plain "not found".
    """
    request = response.request
    method, path = request.method, request.url.path
    status = response.status_code
    body = parse_body(response)
    said = server_message(body, sent_secrets(request))
    where = f"{method} {path}"
    tail = f"(HTTP {status}: {said})" if said else f"(HTTP {status})"
    common: dict[str, Any] = {
        "status_code": status,
        "body": body,
        "server_message": said,
        "method": method,
        "url": str(request.url),
        "job_id": job_id,
        "attempts": attempts,
        "headers": response.headers,
    }
    if job_id is not None and method == "DELETE" and status in NOT_DELETABLE_STATUS:
        job_status = _job_status_in(body, said)
        why = f"it is {job_status}" if job_status else "it is no longer queued"
        message = (
            f"{where}: job {job_id} cannot be deleted because {why}; "
            f"only queued jobs can be deleted {tail}"
        )
        return JobNotDeletableError(message, job_status=job_status, **common)
    if job_id is not None and status == 404:
        if method == "DELETE" and lost_response is not None:
            return JobGoneError(
                f"{where}: job {job_id} was not found on attempt {attempts}, after an earlier "
                f"attempt failed ({lost_response}) once the request may have reached the "
                f"server; the delete most likely took effect {tail}",
                **common,
            )
        return JobNotFoundError(f"{where}: job {job_id} was not found {tail}", **common)
    if status == 429:
        retry_after = parse_retry_after(response.headers)
        wait = f"; the server asked to wait {retry_after:g}s" if retry_after is not None else ""
        return RateLimitError(
            f"{where}: rate limited{wait} {tail}", retry_after=retry_after, **common
        )
    subject = f" for job {job_id}" if job_id is not None else ""
    if status >= 500:
        return ServerError(f"{where}: server error{subject} {tail}", **common)
    cls = _STATUS_ERRORS.get(status, APIStatusError)
    reason = {
        401: "the token was refused{subject}; check the API key, secret or token",
        403: "permission denied{subject}",
        404: "not found{subject}",
    }.get(status, "request refused{subject}")
    return cls(f"{where}: {reason.format(subject=subject)} {tail}", **common)
