"""What a resource needs from the client: one method that runs a call and returns a model.

For uploads, also a copy of the client with other timeouts or retries.

A protocol, so resources never import the client (and the client imports them freely).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

import httpx

from ..models._base import APIModel

if TYPE_CHECKING:
    from ..retry import RetrySetting
    from ..timeouts import TimeoutSetting

M = TypeVar("M", bound=APIModel)

Query = Mapping[str, str | int]
"""Query parameters."""


class Caller(Protocol):
    """The client, as a resource sees it."""

    @property
    def max_concurrency(self) -> int:
        """Most calls in flight at once."""
        ...

    def _redact(self, text: str) -> str:
        """``text`` with the client's secrets masked."""
        ...

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        job_id: str | None = None,
        file_id: str | None = None,
        params: Query | None = None,
        content: bytes | None = None,
        stream: httpx.AsyncByteStream | None = None,
        base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Query | None = None,
    ) -> M:
        """Run one API call; the validated ``model`` or one typed error."""
        ...

    def with_options(self, *, timeout: TimeoutSetting = ..., retry: RetrySetting = ...) -> Caller:
        """A copy of the client with other timeouts or retries, sharing everything else."""
        ...
