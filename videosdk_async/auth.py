"""Credentials: a fixed token, or an API key + secret from which short-lived JWTs are minted.

The API takes the bare token in ``Authorization`` (no ``Bearer`` prefix). Neither class ever
shows a token or secret in its ``repr``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import httpx
import jwt

from ._constants import TOKEN_LIFETIME_SECONDS, TOKEN_RENEW_BEFORE_SECONDS
from ._http import clone_request
from .errors import ConfigurationError
from .middleware import CallNext

__all__ = ["APIKeyAuth", "AuthMiddleware", "Credentials", "StaticToken"]


@runtime_checkable
class Credentials(Protocol):
    """Anything that can hand out the current token."""

    @property
    def renewable(self) -> bool:
        """True when a refused token can be replaced by a fresh one."""
        ...

    def token(self) -> str:
        """The token to send now."""
        ...

    def invalidate(self, refused: str) -> None:
        """The server refused ``refused``; drop it if it is still the current token."""
        ...


def _mask(value: str) -> str:
    return f"{value[:4]}…" if len(value) > 8 else "…"


class StaticToken:
    """A token handed to us by the caller's backend; sent as is, never renewed."""

    renewable = False

    def __init__(self, token: str) -> None:
        if not token or not token.strip():
            raise ConfigurationError("token is empty")
        self._token = token.strip()

    def token(self) -> str:
        """The fixed token."""
        return self._token

    def invalidate(self, refused: str) -> None:
        """A fixed token cannot be renewed: a 401 is final."""

    def __repr__(self) -> str:
        return "StaticToken(token=***)"


class APIKeyAuth:
    """Mints HS256 JWTs ``{"apikey", "iat", "exp", "jti"}`` from an API key + secret.

    Tokens are renewed ``renew_before`` seconds ahead of expiry. ``jti`` (a random id) makes
    every minted token distinct, so a renewal after a 401 never re-sends the refused token.

    ``clock`` returns Unix time and is injectable for tests. Minting is synchronous and has no
    await inside, so concurrent callers during a renewal mint exactly once.
    """

    renewable = True

    def __init__(
        self,
        api_key: str,
        secret: str,
        *,
        lifetime: float = TOKEN_LIFETIME_SECONDS,
        renew_before: float = TOKEN_RENEW_BEFORE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ConfigurationError("api_key is empty")
        if not secret:
            raise ConfigurationError("secret is empty")
        if lifetime <= 0:
            raise ConfigurationError(f"token lifetime must be positive, got {lifetime}")
        self.api_key = api_key.strip()
        self._secret = secret
        self.lifetime = lifetime
        # Renewing earlier than half the lifetime would mint on every call.
        self.renew_before = min(renew_before, lifetime / 2)
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self.mint_count = 0

    def token(self) -> str:
        """The current token, minting a new one when it is close to expiry."""
        now = self._clock()
        if self._token is None or now >= self._expires_at - self.renew_before:
            issued = int(now)
            expires = issued + int(self.lifetime)
            claims = {
                "apikey": self.api_key,
                "iat": issued,
                "exp": expires,
                "jti": uuid.uuid4().hex,
            }
            self._token = jwt.encode(claims, self._secret, algorithm="HS256")
            self._expires_at = float(expires)
            self.mint_count += 1
        return self._token

    def invalidate(self, refused: str) -> None:
        """Forget ``refused`` so the next call mints afresh (once, however many saw the 401)."""
        if self._token == refused:
            self._token = None

    def __repr__(self) -> str:
        return f"APIKeyAuth(api_key={_mask(self.api_key)!r}, secret=***)"


class AuthMiddleware:
    """Sets ``Authorization`` on each attempt; on a 401 with renewable credentials, renews the
    token once and sends that request once more. With a fixed token a 401 is final."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        """Authorize ``request`` and pass it on."""
        token = self.credentials.token()
        request.headers["Authorization"] = token
        response = await call_next(request)
        if response.status_code != 401 or not self.credentials.renewable:
            return response
        await response.aclose()
        self.credentials.invalidate(token)
        again = clone_request(request)
        again.headers["Authorization"] = self.credentials.token()
        return await call_next(again)

    def __repr__(self) -> str:
        return f"AuthMiddleware({self.credentials!r})"
