"""From what happened on the wire to what the caller gets: a model, or one typed error.

Every message names the call (method, path, job), says what happened in one line, masks
secrets before anything is cut, and ends with the server's request id when it sent one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import httpx
from pydantic import ValidationError

from ._constants import BODY_SNIPPET_CHARS, MAY_HAVE_APPLIED_STATUS
from ._http import host_of, parse_retry_after
from ._redact import redact
from ._text import describe_problems, one_line, plural
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CallFields,
    ConflictError,
    DeadlineExceededError,
    JobNotDeletableError,
    JobNotFoundError,
    JsonBody,
    NotFoundError,
    PermissionDeniedError,
    QueueTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    StatusFields,
    StoredFileNotFoundError,
    UnprocessableEntityError,
)
from .middleware import Call

if TYPE_CHECKING:
    from .models._base import APIModel
from ._raw import REQUEST_ID_HEADERS, RawResponse

__all__ = [
    "connection_error",
    "deadline_exceeded",
    "error_from_response",
    "mask_causes",
    "parse_model",
    "queue_timeout",
    "request_id_of",
    "too_large",
]

M = TypeVar("M", bound="APIModel")

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
# Scanned around the part of a body that is shown, so a secret across the cut is still masked.
_REDACT_MARGIN = 4096


def request_id_of(headers: httpx.Headers, secrets: tuple[str, ...] = ()) -> str | None:
    """The server's request id for an answer, from ``X-Request-Id`` or ``Request-Id``.

    Secrets in it are masked (a server may put anything there).
    """
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return one_line(redact(value, secrets), 128)
    return None


def _with_request_id(message: str, request_id: str | None) -> str:
    return f"{message} [request id: {request_id}]" if request_id else message


def _fields(
    request: httpx.Request, call: Call, request_id: str | None, *, applied: bool = False
) -> CallFields:
    """The fields every error of this call carries.

    ``applied``: this answer itself says the request may have taken effect (on top of what
    earlier attempts said).
    """
    return {
        "method": call.method,
        "url": str(request.url),
        "job_id": call.job_id,
        "attempts": call.attempts,
        "request": request,
        "request_id": request_id,
        "may_have_applied": call.may_have_applied or applied,
    }


def _maybe(call: Call, applied: bool) -> str:
    """The words that say a failed change may have taken effect anyway."""
    if (call.may_have_applied or applied) and call.method not in ("GET", "HEAD"):
        return "; the request may have reached the server, so it may have taken effect"
    return ""


# -- 2xx: the model ----------------------------------------------------------------------------


def parse_model(
    response: httpx.Response,
    model: type[M],
    call: Call,
    secrets: Callable[[httpx.Request], tuple[str, ...]],
) -> M:
    """Validate a 2xx body into ``model`` straight from its bytes; attach the raw exchange.

    ``secrets`` gives what to mask, asked only if the body has to be quoted in an error.
    """
    try:
        result = model.model_validate_json(response.content)
    except (ValidationError, ValueError, RecursionError) as exc:
        request = response.request
        known = secrets(request)
        request_id = request_id_of(response.headers, known)
        reason = describe_problems(exc, limit=1) if isinstance(exc, ValueError) else "too deep"
        text = _text_of(response)
        snippet = body_snippet(text, known) if text.strip() else "(empty)"
        message = (
            f"{call.label}: the response is not a valid {model.__name__}: {reason}; "
            f"body starts: {snippet}{_maybe(call, True)}"
        )
        raise ResponseValidationError(
            _with_request_id(message, request_id),
            status_code=response.status_code,
            snippet=snippet,
            response=response,
            **_fields(request, call, request_id, applied=True),  # the server said it did
        ) from None
    result.__dict__["_raw_response"] = RawResponse(
        response, attempts=call.attempts, started=call.started
    )
    return result


# -- non-2xx: the typed error ------------------------------------------------------------------


def _text_of(response: httpx.Response) -> str:
    """The body as text, whatever charset it claims (never raises)."""
    try:
        return response.text
    except (UnicodeError, LookupError):
        return response.content.decode("utf-8", errors="replace")


def parse_body(response: httpx.Response) -> JsonBody:
    """The body as JSON when it is JSON, else as text; None when empty."""
    text = _text_of(response)
    if not text.strip():
        return None
    try:
        parsed: JsonBody = json.loads(text)
    except (ValueError, RecursionError):
        return text
    return parsed


def body_snippet(body: JsonBody, secrets: tuple[str, ...] = ()) -> str:
    """A short, one-line rendering of a body for messages: secrets masked first, then cut."""
    if isinstance(body, str):
        text = body
    else:
        try:
            text = json.dumps(body, default=str)
        except (ValueError, RecursionError):
            text = str(type(body).__name__)
    flat = one_line(text)
    return one_line(
        redact(flat[: BODY_SNIPPET_CHARS + _REDACT_MARGIN], secrets), BODY_SNIPPET_CHARS
    )


def server_message(body: JsonBody, secrets: tuple[str, ...] = (), depth: int = 0) -> str | None:
    """What the server said, from ``{"message": ...}``, ``{"error": ...}`` or a text body."""
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return body_snippet(value, secrets)
            if isinstance(value, dict) and depth < 3:
                nested = server_message(value, secrets, depth + 1)
                if nested:
                    return nested
        return body_snippet(body, secrets) if body else None
    if body is None:
        return None
    return body_snippet(body, secrets)


def _job_status_in(body: JsonBody, message: str | None) -> str | None:
    if isinstance(body, dict):
        for holder in (body, body.get("job"), body.get("data")):
            status = holder.get("status") if isinstance(holder, dict) else None
            if isinstance(status, str) and status.strip().lower() not in _ENVELOPE_STATUS:
                return one_line(status, 40)
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
    call: Call,
    secrets: tuple[str, ...] = (),
    *,
    credential_source: str | None = None,
) -> APIStatusError:
    """Map a non-2xx answer to the most specific typed error, with a one-line message."""
    request = response.request
    status = response.status_code
    body = parse_body(response)
    said = server_message(body, secrets)
    request_id = request_id_of(response.headers, secrets)
    where = f"{call.method} {call.path}"
    job_id = call.job_id
    subject = (
        f" for job {job_id}"
        if job_id is not None
        else f" for file {call.file_id}"
        if call.file_id is not None
        else ""
    )
    tail = f"(HTTP {status}: {said})" if said else f"(HTTP {status})"
    applied = status in MAY_HAVE_APPLIED_STATUS
    common: StatusFields = {
        **_fields(request, call, request_id, applied=applied),
        "status_code": status,
        "body": body,
        "server_message": said,
        "headers": response.headers,
        "response": response,
    }

    def done(message: str) -> str:
        return _with_request_id(message, request_id)

    if job_id is not None and call.method == "DELETE" and status in NOT_DELETABLE_STATUS:
        job_status = _job_status_in(body, said)
        why = f"it is {job_status}" if job_status else "it is no longer queued"
        return JobNotDeletableError(
            done(
                f"{where}: job {job_id} cannot be deleted because {why}; "
                f"only queued jobs can be deleted {tail}"
            ),
            job_status=job_status,
            **common,
        )
    if job_id is not None and status == 404:
        after = call.last_failure if call.may_have_applied else None
        return JobNotFoundError(
            done(f"{where}: job {job_id} was not found {tail}"), after_failure=after, **common
        )
    if call.file_id is not None and status == 404:
        after = call.last_failure if call.may_have_applied else None
        return StoredFileNotFoundError(
            done(f"{where}: file {call.file_id} was not found {tail}"),
            file_id=call.file_id,
            after_failure=after,
            **common,
        )
    if status == 429:
        retry_after = parse_retry_after(response.headers)
        wait = f"; the server asked to wait {retry_after:g}s" if retry_after is not None else ""
        return RateLimitError(
            done(f"{where}: rate limited{_not_retried(call)}{wait} {tail}{_maybe(call, applied)}"),
            retry_after=retry_after,
            **common,
        )
    if status >= 500:
        maybe = _maybe(call, applied)
        return ServerError(
            done(f"{where}: server error{subject}{_not_retried(call)} {tail}{maybe}"), **common
        )
    if status == 401:
        source = f" (credentials from {credential_source})" if credential_source else ""
        return AuthenticationError(
            done(
                f"{where}: the token was refused{subject}{source}; "
                f"check the API key, secret or token {tail}"
            ),
            credential_source=credential_source,
            **common,
        )
    cls = _STATUS_ERRORS.get(status, APIStatusError)
    reason = {403: "permission denied", 404: "not found"}.get(status, "request refused")
    return cls(done(f"{where}: {reason}{subject} {tail}"), **common)


def _not_retried(call: Call) -> str:
    """``after 3 attempts``, or why a retryable failure was not retried."""
    if call.retry_refused:
        return f" after {plural(call.attempts, 'attempt')}, not retried: {call.retry_refused}"
    return f" after {plural(call.attempts, 'attempt')}" if call.attempts > 1 else ""


# -- failures below HTTP, and the client's own limits --------------------------------------------


def mask_causes(error: BaseException, secrets: tuple[str, ...]) -> None:
    """Mask secrets in the messages of ``error`` and its chained exceptions that are not ours.

    Those (httpx's, h11's) are printed by a traceback. (h11 refuses a header by quoting it.)
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not isinstance(current, APIError) and current.args and isinstance(current.args[0], str):
            masked = redact(current.args[0], secrets)
            if masked != current.args[0]:
                current.args = (masked, *current.args[1:])
        current = current.__cause__ or current.__context__


def connection_error(
    request: httpx.Request, call: Call, exc: httpx.RequestError, secrets: tuple[str, ...] = ()
) -> APIError:
    """The typed error for a transport failure (or an undecodable body) that ended a call.

    httpx's own message is quoted masked: some (h11's "Illegal header value") echo a header.
    """
    if isinstance(exc, httpx.TimeoutException):
        kind: type[APIConnectionError] = APITimeoutError
        what = "timed out"
    elif isinstance(exc, httpx.DecodingError):
        kind, what = APIConnectionError, "the response body could not be decoded"
    else:
        kind, what = APIConnectionError, f"connection to {host_of(request)} failed"
    detail = one_line(redact(str(exc), secrets) or type(exc).__name__, 200)
    return kind(
        f"{call.label}: {what} after {plural(call.attempts, 'attempt')}"
        f"{_refused(call)} ({type(exc).__name__}: {detail}){_maybe(call, False)}",
        **_fields(request, call, None),
    )


def _refused(call: Call) -> str:
    return f", not retried: {call.retry_refused}" if call.retry_refused else ""


def deadline_exceeded(request: httpx.Request, call: Call) -> DeadlineExceededError:
    """The error for a call whose deadline has passed.

    An attempt cut off on the wire may have reached the server: that counts as may have
    applied, like a failure after sending.
    """
    total = call.total if call.total is not None else 0.0
    if call.in_flight:
        call.note_failure("cut off by the deadline mid-attempt", may_have_applied=True)
    last = f"; last failure: {call.last_failure}" if call.last_failure else ""
    return DeadlineExceededError(
        f"{call.label}: deadline of {total:g}s exceeded after "
        f"{plural(call.attempts, 'attempt')}{last}{_maybe(call, False)}",
        deadline=total,
        last_failure=call.last_failure,
        **_fields(request, call, None),
    )


def queue_timeout(
    request: httpx.Request, call: Call, queue: float, slots: float
) -> QueueTimeoutError:
    """The error for a call that never got one of the client's in-flight slots."""
    return QueueTimeoutError(
        f"{call.label}: not sent; waited {queue:g}s for one of the client's {slots:g} slots, "
        "all busy (raise max_concurrency or the queue timeout, or send less at once)",
        **_fields(request, call, None),
    )


def too_large(
    response: httpx.Response, call: Call, limit: int, secrets: tuple[str, ...] = ()
) -> ResponseTooLargeError:
    """The error for an answer whose body passed ``limit`` bytes once decompressed."""
    request_id = request_id_of(response.headers, secrets)
    status = response.status_code
    applied = 200 <= status < 300 or status in MAY_HAVE_APPLIED_STATUS
    return ResponseTooLargeError(
        _with_request_id(
            f"{call.label}: the answer (HTTP {status}) is larger than "
            f"{limit:,} bytes once decompressed; not read (raise max_response_bytes if "
            f"this is expected){_maybe(call, applied)}",
            request_id,
        ),
        status_code=status,
        limit=limit,
        **_fields(response.request, call, request_id, applied=applied),
    )
