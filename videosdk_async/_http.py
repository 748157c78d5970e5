"""Small HTTP helpers shared by the layers and the answer mapping."""

from __future__ import annotations

import email.utils
import math
import time

import httpx


def host_of(request: httpx.Request) -> str:
    """``host`` or ``host:port`` of a request, for messages that name where a call went."""
    url = request.url
    return f"{url.host}:{url.port}" if url.port else url.host


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


def _seconds(text: str, scale: float = 1.0) -> float | None:
    try:
        value = float(text) * scale
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``Retry-After``.

    ``Retry-After`` may be delta-seconds or an HTTP-date. Returns None when absent or unreadable
    (NaN and infinity included); never a negative number.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        seconds = _seconds(raw_ms, 0.001)
        if seconds is not None:
            return seconds
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    seconds = _seconds(raw)
    if seconds is not None or not raw or raw[0].isdigit():
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


async def read_body(response: httpx.Response, limit: int) -> bool:
    """Read ``response``'s body (decompressed), unless it passes ``limit`` bytes: then close
    the response, read nothing more, and return False.

    A plain body whose ``Content-Length`` fits is read by httpx itself; anything else (a
    compressed or unsized body, where a small answer can inflate a thousandfold) is counted
    as it is decoded.
    """
    headers = response.headers
    length = headers.get("content-length")
    if length is not None and length.isdigit() and "content-encoding" not in headers:
        if int(length) > limit:
            await response.aclose()
            return False
        await response.aread()
        return True
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            await response.aclose()
            return False
        chunks.append(chunk)
    # What Response.aread() stores; set here because the chunks were counted on the way in.
    response._content = b"".join(chunks)
    return True
