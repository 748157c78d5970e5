"""Where the storage service is, for one client family: configured, or asked once."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import anyio
import httpx

from ._settings import SDK_NAMES, check_url

__all__ = ["UPLOAD_URL_PATH", "StorageLocation"]

UPLOAD_URL_PATH = "/v1/files"
"""Asked of the API (POST): where the storage service is."""


class StorageLocation:
    """Where the storage service is, for one client family.

    Configured (``storage_url=``), or asked of each API base URL once: concurrent first
    uploads wait for one answer rather than each asking. A failed question is not
    remembered; the next call asks again.
    """

    __slots__ = ("_answers", "_locks", "allow_insecure_http", "configured")

    def __init__(self, configured: str | None, *, allow_insecure_http: bool = False) -> None:
        self.configured: str | None = configured
        self.allow_insecure_http: bool = allow_insecure_http
        self._answers: dict[str, str] = {}
        self._locks: dict[str, anyio.Lock] = {}

    def known(self, api_base: str) -> str | None:
        """The storage URL for ``api_base`` if configured or already answered, else None."""
        return self.configured or self._answers.get(api_base)

    async def resolve(self, api_base: str, ask: Callable[[], Awaitable[str]]) -> str:
        """The storage URL for ``api_base``: configured, remembered, or ``await ask()``."""
        known = self.known(api_base)
        if known is not None:
            return known
        lock = self._locks.setdefault(api_base, anyio.Lock())
        async with lock:
            known = self._answers.get(api_base)
            if known is None:
                known = self._answers[api_base] = self._checked(api_base, await ask())
        return known

    def _checked(self, api_base: str, named: str) -> str:
        """A URL the server named, made absolute and held to a configured URL's rules.

        Those rules: https, or http to loopback; no credentials in it.
        """
        url = named.strip()
        if url:  # a relative answer is on the API's host; an empty one is refused below
            with contextlib.suppress(httpx.InvalidURL, ValueError, TypeError):
                url = str(httpx.URL(api_base + "/").join(url))  # else check_url says why
        return check_url(
            url,
            f"the storage URL named by POST {UPLOAD_URL_PATH} at {api_base}",
            allow_insecure_http=self.allow_insecure_http,
            names=SDK_NAMES,
            empty_hint="the API did not say where storage is; set storage_url= to tell",
        )

    def __repr__(self) -> str:
        return f"StorageLocation(configured={self.configured!r}, known={self._answers!r})"
