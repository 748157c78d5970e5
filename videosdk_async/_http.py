"""Small HTTP helpers shared by the middleware and the error mapping."""

from __future__ import annotations

import email.utils
import re
import time

import httpx

# A JWT (three base64url segments) or an Authorization-style "Bearer xyz" anywhere in a text.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# The optional quote after the word covers JSON: {"secret": "xyz"}.
_BEARER = re.compile(r"(?i)\b(bearer|token|secret|authorization)(\"?\s*[:=]?\s*)(\"?)[^\s\",}]+")


def redact(text: str, known: tuple[str, ...] = ()) -> str:
    """Mask anything in ``text`` that looks like a token or secret, and every ``known`` one.

    ``known`` holds exact values (the token a request carried): an opaque token has no shape
    to recognise, so it is masked wherever it appears.
    """
    for secret in known:
        if len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    text = _JWT.sub("[redacted-jwt]", text)
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}[redacted]", text)


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse whitespace so a message stays on one line; cut it to ``limit`` chars if given."""
    flat = " ".join(text.split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def call_label(request: httpx.Request, job_id: str | None) -> str:
    """How messages name a call: ``DELETE /v1/encoder/jobs/abc (job abc)``."""
    subject = f" (job {job_id})" if job_id else ""
    return f"{request.method} {request.url.path}{subject}"


def attempts_text(attempts: int) -> str:
    """``1 attempt``, ``3 attempts``."""
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"


def clone_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` with its own headers and extensions, sharing the immutable rest.

    Every attempt works on its own copy, so nothing one attempt (or a middleware inside it)
    changes can leak into the next. The URL and the body stream (bytes, re-iterable) are
    shared, which keeps this cheap on the hot path. (``copy.copy`` would not do: httpx
    detaches the stream of a copied request.)
    """
    return httpx.Request(
        request.method,
        request.url,
        headers=request.headers,
        stream=request.stream,
        extensions=dict(request.extensions),
    )


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``Retry-After``.

    ``Retry-After`` may be delta-seconds or an HTTP-date. Returns None when absent or unreadable;
    never a negative number.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
