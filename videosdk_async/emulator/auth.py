"""Authentication like the service: a bare JWT or a fixed token (``Bearer`` is refused)."""

from __future__ import annotations

import hmac
import threading
import time
from typing import Any

import jwt

_CACHE_LIMIT = 4096


class AuthError(Exception):
    """Authentication failed; ``message`` goes into the 401 body."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Authenticator:
    """Checks ``Authorization`` headers against an API key, a secret and a fixed token.

    JWTs must be HS256-signed with the secret and carry ``apikey`` equal to the
    API key; ``exp`` is checked against real wall time. Verified tokens are
    cached with their expiry so thousands of requests with one token stay cheap.
    """

    def __init__(self, api_key: str, secret: str, token: str | None) -> None:
        self.api_key = api_key
        self.secret = secret
        self.token = token
        self._lock = threading.Lock()
        self._verified: dict[str, float | None] = {}

    def mint(
        self, *, expires_in: float | None = 600.0, apikey: str | None = None, **claims: Any
    ) -> str:
        """A JWT this emulator accepts (or, with another ``apikey``, rejects)."""
        now = int(time.time())
        payload: dict[str, Any] = {"apikey": self.api_key if apikey is None else apikey, "iat": now}
        if expires_in is not None:
            payload["exp"] = now + int(expires_in)
        payload.update(claims)
        return jwt.encode(payload, self.secret, algorithm="HS256")

    def check(self, header: str | None) -> None:
        """Raise `AuthError` unless ``header`` carries acceptable credentials."""
        if header is None or not header.strip():
            raise AuthError("Missing Authorization header")
        token = header.strip()
        if token.lower().startswith("bearer"):
            # The API takes the bare token; accepting "Bearer" here would hide a client bug.
            raise AuthError("Send the bare token in Authorization, without a 'Bearer' prefix")
        if self.token and hmac.compare_digest(token.encode(), self.token.encode()):
            return
        with self._lock:
            cached = token in self._verified
            exp = self._verified.get(token)
        if cached:
            if exp is None or exp > time.time():
                return
            raise AuthError("Token expired")
        try:
            payload = jwt.decode(token, self.secret, algorithms=["HS256"])
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("Token expired") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"Invalid token: {exc}") from exc
        if not isinstance(payload, dict) or payload.get("apikey") != self.api_key:
            raise AuthError("Invalid token: apikey does not match this account")
        raw_exp = payload.get("exp")
        with self._lock:
            if len(self._verified) >= _CACHE_LIMIT:
                self._verified.clear()
            self._verified[token] = float(raw_exp) if isinstance(raw_exp, (int, float)) else None
