"""Connection settings from global flags and environment variables, and the client they make.

Flags win over environment variables. A token (flag) excludes an API key + secret; an API key
given as a flag may take its secret from the environment and vice versa. Nothing here ever
prints a credential.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from .._constants import ENV_API_KEY, ENV_SECRET, ENV_TOKEN
from ..client import AsyncEncoderClient
from ..errors import ConfigurationError
from .loop import run_loop

T = TypeVar("T")


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

    def client(self) -> AsyncEncoderClient:
        """A new client for these settings (raises ``ConfigurationError`` when incomplete)."""
        token, api_key, secret = self.token, self.api_key, self.secret
        if token is not None and (api_key is not None or secret is not None):
            raise ConfigurationError("give either --token, or --api-key and --secret, not both")
        if token is None and (api_key is not None or secret is not None):
            # Complete a half-given pair from the environment rather than refusing it.
            api_key = api_key if api_key is not None else os.environ.get(ENV_API_KEY)
            secret = secret if secret is not None else os.environ.get(ENV_SECRET)
            if not api_key or not secret:
                raise ConfigurationError(
                    f"--api-key and --secret go together (or set {ENV_API_KEY} and {ENV_SECRET})"
                )
        if token is None and api_key is None and not _env_credentials():
            raise ConfigurationError(
                f"no credentials: pass --token, or --api-key and --secret, or set {ENV_TOKEN}, "
                f"or {ENV_API_KEY} and {ENV_SECRET}"
            )
        return AsyncEncoderClient(
            token,
            api_key=api_key,
            secret=secret,
            base_url=self.base_url,
            allow_insecure_http=self.allow_insecure_http,
        )


def _env_credentials() -> bool:
    return bool(os.environ.get(ENV_TOKEN)) or bool(
        os.environ.get(ENV_API_KEY) and os.environ.get(ENV_SECRET)
    )


def run(settings: Settings, work: Callable[[AsyncEncoderClient], Awaitable[T]]) -> T:
    """Open a client from ``settings``, run ``work(client)`` on a fresh event loop, close it."""

    async def main() -> T:
        async with settings.client() as client:
            return await work(client)

    return run_loop(main)
