"""``client.jobs.with_raw_response``'s answer: the HTTP exchange first, the model on ``parse()``.

The same facts are on every model a call returns (``model.raw_response``); this shape is for
code written against openai's ``with_raw_response``.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import httpx

from .._raw import RawResponse
from ._base import APIModel

__all__ = ["APIResponse"]

M = TypeVar("M", bound=APIModel)


class APIResponse(Generic[M]):
    """One call's answer as openai's ``with_raw_response`` gives it.

    ``http_response``, ``headers``, ``status_code``, ``request_id``, ``attempts`` and
    ``elapsed`` describe the exchange; `parse` returns the model. The body was read and
    validated when the call returned (an answer that is not the model raised
    ``ResponseValidationError`` then), so ``parse()`` costs nothing and never raises.
    """

    __slots__ = ("_parsed", "_raw")

    def __init__(self, parsed: M, raw: RawResponse) -> None:
        self._parsed = parsed
        self._raw = raw

    def parse(self) -> M:
        """The model the answer holds (the same object each time)."""
        return self._parsed

    @property
    def raw_response(self) -> RawResponse:
        """The exchange as every model carries it (``model.raw_response``)."""
        return self._raw

    @property
    def http_response(self) -> httpx.Response:
        """The ``httpx.Response`` itself (its body already read)."""
        return self._raw.http_response

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self._raw.headers

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self._raw.status_code

    @property
    def request_id(self) -> str | None:
        """The server's request id (``X-Request-Id`` or ``Request-Id``), when it sent one."""
        return self._raw.request_id

    @property
    def attempts(self) -> int:
        """Requests put on the wire for this call, retries included."""
        return self._raw.attempts

    @property
    def retries_taken(self) -> int:
        """Retries after the first attempt (openai's name): ``attempts - 1``."""
        return self._raw.attempts - 1

    @property
    def elapsed(self) -> float:
        """Seconds the whole call took, retries and backoff included."""
        return self._raw.elapsed

    @property
    def method(self) -> str:
        """The request's method."""
        return self._raw.method

    @property
    def url(self) -> str:
        """The URL called."""
        return self._raw.url

    def __repr__(self) -> str:
        return f"APIResponse[{type(self._parsed).__name__}]({self._raw!r})"


def with_raw(model: M) -> APIResponse[M]:
    """The `APIResponse` of a model a call returned."""
    raw = model.raw_response
    if raw is None:  # every model a call returns has one; a bug if not
        raise TypeError(f"{type(model).__name__} did not come from a call")
    return APIResponse(model, raw)
