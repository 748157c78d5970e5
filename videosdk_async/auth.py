"""Credentials: a fixed token, or an API key + secret from which short-lived JWTs are minted.

The API takes the bare token in ``Authorization`` (no ``Bearer`` prefix). Neither class ever
shows a token or secret in its ``repr``.
"""

from __future__ import annotations

import re
import time
import uuid
import warnings
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import httpx

from ._constants import TOKEN_LIFETIME_SECONDS, TOKEN_RENEW_BEFORE_SECONDS
from ._http import clone_request
from ._text import finite, shown
from .errors import ConfigurationError
from .middleware import Call, Next

__all__ = ["APIKeyAuth", "AuthLayer", "Credentials", "StaticToken", "known_secrets"]


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


def _sign(claims: dict[str, object], secret: str) -> str:
    """An HS256 JWT of ``claims``, signed with ``secret``.

    PyJWT is imported on the first mint, not with the SDK: it brings ``cryptography`` along
    when that is installed.
    """
    import jwt

    with warnings.catch_warnings():
        # A short account secret is the account's, not the caller's to fix here.
        warnings.simplefilter("ignore", getattr(jwt, "InsecureKeyLengthWarning", UserWarning))
        return jwt.encode(claims, secret, algorithm="HS256")


# Minted tokens still masked after they were replaced (a server may echo one a while later).
_EARLIER_KEPT = 4
# What a header can carry as a token: one word of visible ASCII.
_SENDABLE = re.compile(r"[\x21-\x7e]+")


def _mask(value: str) -> str:
    return f"{value[:4]}…" if len(value) > 8 else "…"


class StaticToken:
    """A token handed to us by the caller's backend; sent as is, never renewed."""

    renewable = False

    def __init__(self, token: str) -> None:
        if not isinstance(token, str):
            raise ConfigurationError(f"token must be a string, got {type(token).__name__}")
        if not token.strip():
            raise ConfigurationError("token is empty")
        if not _SENDABLE.fullmatch(token.strip()):
            raise ConfigurationError(
                "token has spaces, line breaks, control or non-ASCII characters inside it; "
                "a token is one word of visible ASCII (is it the right value?)"
            )
        self._token = token.strip()

    def token(self) -> str:
        """The fixed token."""
        return self._token

    def invalidate(self, refused: str) -> None:
        """A fixed token cannot be renewed: a 401 is final."""

    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message: the token."""
        return (self._token,)

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
        for name, value in (("api_key", api_key), ("secret", secret)):
            if not isinstance(value, str):
                raise ConfigurationError(f"{name} must be a string, got {type(value).__name__}")
            if not value.strip():
                raise ConfigurationError(f"{name} is empty")
        seconds = finite(lifetime)
        if seconds is None or seconds < 2:
            raise ConfigurationError(f"token lifetime must be >= 2 seconds, got {shown(lifetime)}")
        self.api_key: str = api_key.strip()
        self._secret = secret
        self.lifetime: float = lifetime
        # Renewing earlier than half the lifetime would mint on every call.
        self.renew_before: float = min(renew_before, lifetime / 2)
        self._clock = clock
        self._token: str | None = None
        # Tokens minted before the current one: still valid until they expire, so still masked.
        self._earlier: tuple[str, ...] = ()
        self._expires_at = 0.0
        self.mint_count: int = 0

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
            minted = _sign(claims, self._secret)
            if self._token is not None:
                self._earlier = (self._token, *self._earlier)[:_EARLIER_KEPT]
            self._token = minted
            self._expires_at = float(expires)
            self.mint_count += 1
        return self._token

    def invalidate(self, refused: str) -> None:
        """Forget ``refused`` so the next call mints afresh (once, however many saw the 401)."""
        if self._token == refused:
            self._earlier = (refused, *self._earlier)[:_EARLIER_KEPT]
            self._token = None

    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message: the secret, the API key, the current token."""
        current = (self._token,) if self._token else ()
        return (self._secret, self.api_key, *current, *self._earlier)

    def __repr__(self) -> str:
        return f"APIKeyAuth(api_key={_mask(self.api_key)!r}, secret=***)"


class AuthLayer:
    """Sets ``Authorization`` on each attempt, and renews the token once on a 401.

    On a 401 with renewable credentials, it renews the token once and sends that request once
    more. With a fixed token a 401 is final.
    """

    __slots__ = ("_own", "credentials")

    def __init__(self, credentials: Credentials) -> None:
        self.credentials: Credentials = credentials
        # Our own credentials make sendable tokens; a user's provider is checked per token.
        self._own = type(credentials) in (StaticToken, APIKeyAuth)

    def _token(self) -> str:
        token = self.credentials.token()
        if self._own or (isinstance(token, str) and _SENDABLE.fullmatch(token)):
            return token
        if not isinstance(token, str):
            raise ConfigurationError(
                f"the credentials' token() must return a string, got {type(token).__name__}"
            )
        raise ConfigurationError(
            "the credentials' token() returned a value a header cannot carry "
            "(spaces, line breaks, control or non-ASCII characters)"
        )

    async def __call__(self, request: httpx.Request, call: Call, call_next: Next) -> httpx.Response:
        """Authorize ``request`` and pass it on."""
        credentials = self.credentials
        token = self._token()
        request.headers["Authorization"] = token
        response = await call_next(request, call)
        if response.status_code != 401 or not credentials.renewable:
            return response
        await response.aclose()
        credentials.invalidate(token)
        again = clone_request(request)
        again.headers["Authorization"] = self._token()
        return await call_next(again, call)

    def __repr__(self) -> str:
        return f"Auth({self.credentials!r})"


def known_secrets(credentials: Credentials) -> tuple[str, ...]:
    """The values to mask wherever a server might echo them: what ``secrets()`` gives, if any."""
    secrets = getattr(credentials, "secrets", None)
    return tuple(s for s in secrets() if s) if callable(secrets) else ()
