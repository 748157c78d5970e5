"""Small HTTP helpers shared by the layers and the answer mapping."""

from __future__ import annotations

import email.utils
import math
import re
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence

import httpx

from ._text import shown

# RFC 9110: a header name is a token; a value is visible ASCII, spaces and tabs (no line breaks).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def header_problem(headers: object) -> str | None:
    """Why ``headers`` cannot be sent as given, else None.

    Never quotes a value: a header may carry a secret.
    """
    if not isinstance(headers, Mapping):
        return f"must be a mapping of header names to values, got {type(headers).__name__}"
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            return f"{shown(name)} is not a valid header name"
        if not isinstance(value, str):
            return f"header {name} must be a string, got {type(value).__name__}"
        if not _HEADER_VALUE.fullmatch(value):
            return (
                f"header {name} has characters a header cannot carry "
                "(line breaks, control or non-ASCII characters)"
            )
    return None


# Failures that provably happened before any byte of the request reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


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


# zlib window bits per content coding; deflate may also come raw (no zlib header), as httpx allows.
_ZLIB_CODINGS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}
# Codings httpx decodes with libraries of its own (when installed): left to httpx.
_OTHER_CODINGS = frozenset({"br", "zstd"})
# Decompressed in steps this large, so a bomb never gets to inflate past the limit.
_STEP = 64 * 1024


class _Inflater:
    """One zlib-coded layer of a body, decompressed a step at a time."""

    __slots__ = ("_raw_deflate_tried", "_z")

    def __init__(self, coding: str) -> None:
        self._z = zlib.decompressobj(_ZLIB_CODINGS[coding])
        self._raw_deflate_tried = coding != "deflate"

    def _decompress(self, data: bytes) -> bytes:
        try:
            piece = self._z.decompress(data, _STEP)
        except zlib.error:
            if self._raw_deflate_tried:
                raise
            self._raw_deflate_tried = True  # a raw deflate stream, without its zlib header
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._z.decompress(data, _STEP)
        self._raw_deflate_tried = True
        return piece

    def feed(self, data: bytes) -> Iterator[bytes]:
        """``data`` decompressed, in pieces of at most one step."""
        while True:
            piece = self._decompress(data)
            if piece:
                yield piece
            data = self._z.unconsumed_tail
            if not data and len(piece) < _STEP:
                return

    def flush(self) -> bytes:
        """What is left once the input has ended."""
        return self._z.flush()


def _through(layers: Sequence[_Inflater], data: bytes) -> Iterator[bytes]:
    """``data`` through every layer (outermost coding first), piece by piece."""
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data):
        yield from _through(layers[1:], piece)


def _flushed(layers: Sequence[_Inflater]) -> Iterator[bytes]:
    for i, layer in enumerate(layers):
        yield from _through(layers[i + 1 :], layer.flush())


async def read_body(response: httpx.Response, limit: int) -> bool:
    """Read ``response``'s body (decompressed) unless it passes ``limit`` bytes; True if read.

    Past ``limit``: close the response, read nothing more, and return False.

    A plain body whose ``Content-Length`` fits is read by httpx itself. gzip and deflate are
    decompressed here a step at a time, so a bomb never holds more than the limit in memory.
    A body no one can decode raises ``httpx.DecodingError``, as httpx would.
    """
    if response.is_stream_consumed:  # read when it was built (an in-memory answer, a mock)
        return len(response.content) <= limit
    headers = response.headers
    length = headers.get("content-length")
    if length is not None and length.isdigit() and "content-encoding" not in headers:
        if int(length) > limit:
            await response.aclose()
            return False
        await response.aread()
        return True
    codings = [c.strip().lower() for c in headers.get_list("content-encoding", split_commas=True)]
    if any(c in _OTHER_CODINGS for c in codings):
        chunks = response.aiter_bytes()  # httpx's own decoders, counted chunk by chunk
        layers: list[_Inflater] = []
    else:
        chunks = response.aiter_raw()
        layers = [_Inflater(c) for c in reversed(codings) if c in _ZLIB_CODINGS]
    body: list[bytes] = []
    size = 0
    try:
        async for chunk in chunks:
            for piece in _through(layers, chunk):
                size += len(piece)
                if size > limit:
                    await response.aclose()
                    return False
                body.append(piece)
        for piece in _flushed(layers):
            size += len(piece)
            if size > limit:
                return False
            body.append(piece)
    except zlib.error as exc:
        await response.aclose()
        raise httpx.DecodingError(
            f"the body is not valid {', '.join(codings)}: {exc}", request=response.request
        ) from exc
    # What Response.aread() stores; set here because the body was decoded on the way in.
    response._content = b"".join(body)
    return True
