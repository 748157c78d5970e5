r"""Borrowing an ``httpx2.AsyncClient``: an httpx transport that sends through it.

httpx2 (pydantic's maintained fork of httpx) keeps httpx's API under another name, so the SDK
keeps building ``httpx.Request``\ s and reading ``httpx.Response``\ s, and this transport
carries each exchange across:

- the request becomes an ``httpx2.Request`` sent with the borrowed client, so its auth, event
  hooks, cookies, proxies, TLS settings and connection pool apply; the per-attempt timeouts
  travel in the request's ``timeout`` extension, as with httpx;
- the answer's raw (still encoded) bytes become the httpx response's stream: httpx decodes
  them, and the SDK's body-size limit counts what is decoded, exactly as on its own client
  (``Accept-Encoding`` is httpx's, so nothing arrives that httpx cannot decode);
- httpx2's exceptions become httpx's of the same name (``ConnectError``, ``ReadTimeout``...),
  so the retry decision and the error mapping see what they know.

This module is imported only when an httpx2 client is passed; httpx2 is not a dependency.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator

import httpx
import httpx2

__all__ = ["is_httpx2_client", "wrap_httpx2"]


def is_httpx2_client(value: object) -> bool:
    """True for an ``httpx2.AsyncClient`` (checked by module name: httpx2 may be absent)."""
    return type(value).__module__.split(".")[0] == "httpx2"


def _as_httpx_error(exc: httpx2.HTTPError, request: httpx.Request) -> httpx.RequestError:
    """The httpx exception for ``exc``: the one of the same name (the two trees match).

    Else the nearest base httpx has (then the message names httpx2's own class), else a
    TransportError.
    """
    for kind in type(exc).__mro__:
        twin = getattr(httpx, kind.__name__, None)
        if isinstance(twin, type) and issubclass(twin, httpx.RequestError):
            message = str(exc) if kind is type(exc) else f"{type(exc).__name__}: {exc}"
            return twin(message, request=request)
    return httpx.TransportError(f"{type(exc).__name__}: {exc}", request=request)


class _BodyStream(httpx2.AsyncByteStream):
    """A streamed httpx request body, as an httpx2 request stream."""

    def __init__(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if isinstance(self._stream, httpx.AsyncByteStream):
            async for chunk in self._stream:
                yield chunk
        else:  # pragma: no cover - the SDK sends async bodies
            for chunk in self._stream:
                yield chunk


class _RawStream(httpx.AsyncByteStream):
    """An httpx2 response's raw bytes, as an httpx response stream."""

    def __init__(self, response: httpx2.Response, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx2.HTTPError as exc:
            raise _as_httpx_error(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


class Httpx2Transport(httpx.AsyncBaseTransport):
    """Sends httpx requests with a borrowed ``httpx2.AsyncClient`` (never closed here)."""

    def __init__(self, client: httpx2.AsyncClient) -> None:
        # Held weakly: the SDK client keeps the borrowed client alive (see wrap_httpx2).
        self._client = weakref.ref(client)
        # Read by the SDK like httpx's own transport, for the pool's size.
        self._pool = getattr(getattr(client, "_transport", None), "_pool", None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        client = self._client()
        if client is None:  # pragma: no cover - the SDK client holds it
            raise httpx.TransportError("the borrowed httpx2 client is gone", request=request)
        body = request.stream
        outgoing = httpx2.Request(
            request.method,
            str(request.url),
            headers=request.headers.raw,
            # Bytes in memory are passed as bytes; a streamed body goes on as it streams.
            stream=httpx2.ByteStream(await request.aread())
            if isinstance(body, httpx.ByteStream)
            else _BodyStream(body),
            extensions=dict(request.extensions),
        )
        try:
            answer = await client.send(outgoing, stream=True, follow_redirects=False)
        except httpx2.HTTPError as exc:
            raise _as_httpx_error(exc, request) from exc
        headers = httpx.Headers(answer.headers.raw)
        stream: httpx.AsyncByteStream
        if answer.is_stream_consumed:
            # A transport that read the body itself (httpx2.MockTransport does): only the
            # decoded bytes are left, so they go on as a plain, unencoded body.
            stream = httpx.ByteStream(answer.content)
            for name in ("content-encoding", "content-length", "transfer-encoding"):
                headers.pop(name, None)
        else:
            stream = _RawStream(answer, request)
        return httpx.Response(
            answer.status_code,
            headers=headers,
            stream=stream,
            extensions={
                "http_version": answer.http_version.encode("ascii", "replace"),
                "reason_phrase": answer.reason_phrase.encode("ascii", "replace"),
            },
            request=request,
        )

    async def aclose(self) -> None:
        """Nothing to close: the httpx2 client is borrowed."""


def wrap_httpx2(client: httpx2.AsyncClient) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose requests go through ``client``.

    Its default headers are ``client``'s (but ``Accept-Encoding``, which stays httpx's). It
    holds nothing to close. The caller keeps ``client`` itself alive as long as it uses this.
    """
    wrapper = httpx.AsyncClient(
        transport=Httpx2Transport(client),
        trust_env=False,  # proxies are the borrowed client's business
        follow_redirects=False,
    )
    headers = httpx.Headers(client.headers.multi_items())
    headers["Accept-Encoding"] = wrapper.headers["Accept-Encoding"]  # what httpx can decode
    wrapper.headers = headers
    return wrapper
