"""Connection settings from global flags and environment variables, and the client they make.

The rule is the SDK's own (``videosdk_async._settings``): flags are the arguments, then the
environment; messages name the flags. Nothing here ever prints a credential.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from .._constants import TOKEN_LIFETIME_SECONDS
from .._settings import ArgumentNames, resolve_base_url, resolve_credentials
from ..client import AsyncEncoderClient
from .loop import run_loop

T = TypeVar("T")

FLAG_NAMES = ArgumentNames(
    token="--token",
    api_key="--api-key",
    secret="--secret",
    auth="--auth",
    base_url="--base-url",
    allow_insecure_http="--allow-insecure-http",
)


@dataclass(frozen=True)
class Settings:
    """What the global flags said; None means "fall back to the environment"."""

    base_url: str | None = None
    token: str | None = None
    api_key: str | None = None
    secret: str | None = None
    allow_insecure_http: bool = False

    def __repr__(self) -> str:  # never show credentials, even in a debugger
        return f"Settings(base_url={self.base_url!r}, credentials=<hidden>)"

    def resolved_base_url(self) -> str:
        """The API URL these settings point at (flag, else environment, else production)."""
        return resolve_base_url(
            self.base_url, allow_insecure_http=self.allow_insecure_http, names=FLAG_NAMES
        )

    def client(self) -> AsyncEncoderClient:
        """A new client for these settings (raises ``ConfigurationError`` when incomplete)."""
        resolved = resolve_credentials(
            token=self.token,
            api_key=self.api_key,
            secret=self.secret,
            token_lifetime=TOKEN_LIFETIME_SECONDS,
            names=FLAG_NAMES,
        )
        client = AsyncEncoderClient(
            auth=resolved.credentials,
            base_url=self.resolved_base_url(),
            allow_insecure_http=self.allow_insecure_http,
        )
        client._core.credentials = resolved  # a 401 then names the flag or variable used
        return client


def run(settings: Settings, work: Callable[[AsyncEncoderClient], Awaitable[T]]) -> T:
    """Open a client from ``settings``, run ``work(client)`` on a fresh event loop, close it."""

    async def main() -> T:
        async with settings.client() as client:
            return await work(client)

    return run_loop(main)
