"""The HTTP exchange a result came from, kept beside the model (no pydantic needed here)."""

from __future__ import annotations

import time

import httpx

__all__ = ["REQUEST_ID_HEADERS", "RawResponse"]

REQUEST_ID_HEADERS = ("x-request-id", "request-id")
"""Where a server puts the id support can look an answer up by."""


class RawResponse:
    """The HTTP exchange a result came from: status, headers, request id, attempts, timing.

    ``http_response`` is the ``httpx.Response`` itself (its body already read); ``elapsed``
    the seconds the whole call took, retries included.
    """

    __slots__ = ("attempts", "elapsed", "gone", "http_response")

    def __init__(
        self,
        response: httpx.Response,
        *,
        attempts: int,
        started: float | None = None,
        gone: bool = False,
    ) -> None:
        self.http_response: httpx.Response = response
        self.attempts: int = attempts
        self.elapsed: float = 0.0 if started is None else time.perf_counter() - started
        self.gone: bool = gone
        """True when the object was not returned by the server: a delete whose response was
        lost found the job already gone on its retry."""

    @property
    def request_id(self) -> str | None:
        """The server's request id (``X-Request-Id`` or ``Request-Id``), when it sent one."""
        headers = self.http_response.headers
        for name in REQUEST_ID_HEADERS:
            value = headers.get(name)
            if value:
                return " ".join(value.split())[:128]
        return None

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def method(self) -> str:
        """The request's method."""
        return self.http_response.request.method

    @property
    def url(self) -> str:
        """The URL called."""
        return str(self.http_response.request.url)

    def __repr__(self) -> str:
        return (
            f"RawResponse({self.method} {self.url} -> {self.status_code}, "
            f"attempts={self.attempts}, elapsed={self.elapsed:.3f}s, "
            f"request_id={self.request_id!r})"
        )
