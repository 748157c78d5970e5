"""Typed SDK errors → HTTP answers, in one place.

The SDK raises one typed error per failure; this module decides what the service's own
callers see. Upstream details that are the service's business (its credentials were
refused, the API answered garbage) become a 502, never the API's own status.
"""

from __future__ import annotations

import logging
import math

from fastapi import Request
from fastapi.responses import JSONResponse

from videosdk_async import (
    APIError,
    APITimeoutError,
    BadRequestError,
    InvalidRequestError,
    JobNotDeletableError,
    JobNotFoundError,
    QueueTimeoutError,
    RateLimitError,
    ServerError,
)

logger = logging.getLogger("jobs_api")


def http_status_for(exc: Exception) -> tuple[int, dict[str, str]]:
    """The HTTP status and headers to answer ``exc`` with."""
    match exc:
        case JobNotFoundError():
            return 404, {}
        case JobNotDeletableError():
            return 409, {}
        case InvalidRequestError() | BadRequestError():
            return 422, {}  # the caller's input, refused by the SDK or by the API
        case RateLimitError(retry_after=seconds):
            return 429, _retry_after(seconds)
        case QueueTimeoutError():
            # Nothing was sent: this service is busy. Ask the caller to come back shortly.
            return 503, {"Retry-After": "1"}
        case APITimeoutError():  # the call's deadline, or an attempt's timeout
            return 504, {}
        case ServerError(headers=headers):
            upstream = headers.get("retry-after")
            return 503, {"Retry-After": upstream} if upstream else {}
        case APIError():  # refused credentials, connection failures, unreadable answers
            return 502, {}
        case _:
            return 500, {}


def _retry_after(seconds: float | None) -> dict[str, str]:
    return {} if seconds is None else {"Retry-After": str(max(1, math.ceil(seconds)))}


async def answer_sdk_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI exception handler for every ``VideoSDKError``.

    The SDK's message is one line and never holds a secret; it is the answer's ``detail``,
    except for 502 and 500, whose details are this service's business: logged, not shown.
    """
    status, headers = http_status_for(exc)
    detail = str(exc)
    if status in (500, 502):
        logger.warning("%s %s: %s", request.method, request.url.path, detail)
        detail = "the encoding service could not be used; try again later"
    body: dict[str, str] = {"detail": detail}
    if isinstance(exc, APIError) and exc.request_id:
        body["upstream_request_id"] = exc.request_id
    return JSONResponse(body, status_code=status, headers=headers)
