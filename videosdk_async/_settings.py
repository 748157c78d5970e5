"""Where the client's settings come from: arguments, then the environment.

One rule, shared by the client and the command line.

Credentials, first match wins:

1. ``auth=`` (any credentials object), alone;
2. arguments: ``token=``, or ``api_key=`` + ``secret=`` (giving both kinds is an error);
3. the environment: ``VIDEOSDK_API_KEY`` + ``VIDEOSDK_SECRET_KEY``, else ``VIDEOSDK_TOKEN``.
   A key + secret wins over a token because it mints fresh tokens, where an exported token
   goes stale; half a pair is an error that names the missing variable.

The base URL: ``base_url=``, else ``VIDEOSDK_BASE_URL``, else production. An empty value is
an error, never a silent fall-back to production.

The storage URL: ``storage_url=``, else ``VIDEOSDK_STORAGE_URL``, else asked of the API
(``POST /v1/files``) once per client family. Every URL the token is sent to, configured or
named by the server, passes the same checks (`check_url`).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx

from ._constants import (
    DEFAULT_BASE_URL,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_SECRET,
    ENV_STORAGE_URL,
    ENV_TOKEN,
)
from ._redact import redact
from .auth import APIKeyAuth, Credentials, StaticToken
from .errors import ConfigurationError

__all__ = [
    "ResolvedCredentials",
    "check_url",
    "is_loopback",
    "resolve_base_url",
    "resolve_credentials",
    "resolve_storage_url",
]


@dataclass(frozen=True)
class ResolvedCredentials:
    """Credentials and a description of where they came from (never their value)."""

    credentials: Credentials
    source: str


@dataclass(frozen=True)
class ArgumentNames:
    """How messages name the arguments: keywords for the SDK, flags for the command line."""

    token: str = "token="
    api_key: str = "api_key="
    secret: str = "secret="
    auth: str = "auth="
    base_url: str = "base_url="
    storage_url: str = "storage_url="
    allow_insecure_http: str = "allow_insecure_http=True"


SDK_NAMES = ArgumentNames()


def resolve_credentials(
    *,
    token: str | None = None,
    api_key: str | None = None,
    secret: str | None = None,
    auth: object = None,
    token_lifetime: float,
    env: Mapping[str, str] | None = None,
    names: ArgumentNames = SDK_NAMES,
) -> ResolvedCredentials:
    """Pick the credentials by the module's rule; never echoes a value given as a credential."""
    env = os.environ if env is None else env
    if auth is not None:
        if token is not None or api_key is not None or secret is not None:
            raise ConfigurationError(
                f"give {names.auth}, or {names.token}, or {names.api_key} and {names.secret}: "
                "only one"
            )
        if not isinstance(auth, Credentials):
            raise ConfigurationError(
                f"{names.auth} must provide token(), invalidate() and renewable, "
                f"got a {type(auth).__name__}"
            )
        return ResolvedCredentials(auth, f"the {names.auth.rstrip('=')} argument")
    if token is not None and (api_key is not None or secret is not None):
        raise ConfigurationError(
            f"give either {names.token}, or {names.api_key} and {names.secret}, not both"
        )
    if token is not None:
        return ResolvedCredentials(StaticToken(token), f"the {names.token.rstrip('=')} argument")
    if api_key is not None or secret is not None:
        if api_key is None or secret is None:
            raise ConfigurationError(
                f"{names.api_key} and {names.secret} must be given together (once a credential "
                "is given as an argument, the environment's are not used)"
            )
        return ResolvedCredentials(
            APIKeyAuth(api_key, secret, lifetime=token_lifetime),
            f"the {names.api_key.rstrip('=')} and {names.secret.rstrip('=')} arguments",
        )
    env_key, env_secret, env_token = env.get(ENV_API_KEY), env.get(ENV_SECRET), env.get(ENV_TOKEN)
    if env_key or env_secret:
        if not (env_key and env_secret):
            given, missing = (ENV_API_KEY, ENV_SECRET) if env_key else (ENV_SECRET, ENV_API_KEY)
            raise ConfigurationError(f"{given} is set but {missing} is not: set both, or neither")
        return ResolvedCredentials(
            APIKeyAuth(env_key, env_secret, lifetime=token_lifetime),
            f"{ENV_API_KEY} and {ENV_SECRET}",
        )
    if env_token:
        return ResolvedCredentials(StaticToken(env_token), ENV_TOKEN)
    raise ConfigurationError(
        f"no credentials: pass {names.token}..., or {names.api_key}... and {names.secret}..., "
        f"or set {ENV_API_KEY} and {ENV_SECRET} (or {ENV_TOKEN})"
    )


def is_loopback(host: str) -> bool:
    """True for ``localhost``, any ``*.localhost`` name, and loopback addresses; no DNS.

    Loopback addresses: 127.0.0.0/8, ``::1``, IPv4-mapped ``::ffff:127.x.y.z`` (IPv6 with or
    without brackets).

    The emulator applies the same rule with its own code (it imports nothing of the SDK); a
    test holds the two to the same answers.
    """
    name = host.lower()
    bracketed = name.startswith("[") and name.endswith("]")
    if bracketed:
        name = name[1:-1]
    elif name == "localhost" or (
        name.endswith(".localhost") and all(name[: -len(".localhost")].split("."))
    ):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if bracketed and not isinstance(address, ipaddress.IPv6Address):
        return False  # brackets belong to IPv6 only
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def resolve_base_url(
    base_url: object = None,
    *,
    allow_insecure_http: bool = False,
    env: Mapping[str, str] | None = None,
    names: ArgumentNames = SDK_NAMES,
    secrets: Iterable[str] = (),
) -> str:
    """The API base URL (no trailing slash), checked by `check_url`.

    It comes from ``base_url=``, else ``VIDEOSDK_BASE_URL``, else the production URL.
    """
    env = os.environ if env is None else env
    if base_url is not None:
        raw, where = base_url, names.base_url.rstrip("=")
    elif ENV_BASE_URL in env:
        raw, where = env[ENV_BASE_URL], ENV_BASE_URL
    else:
        raw, where = DEFAULT_BASE_URL, "the default"
    return check_url(
        raw,
        where,
        allow_insecure_http=allow_insecure_http,
        names=names,
        empty_hint=f"give the API's URL (e.g. {DEFAULT_BASE_URL}, or the emulator's)",
        secrets=secrets,
    )


def resolve_storage_url(
    storage_url: object = None,
    *,
    allow_insecure_http: bool = False,
    env: Mapping[str, str] | None = None,
    names: ArgumentNames = SDK_NAMES,
    secrets: Iterable[str] = (),
) -> str | None:
    """The storage service's URL when configured, checked like the base URL.

    It comes from ``storage_url=``, else ``VIDEOSDK_STORAGE_URL``; None: neither is set, ask
    the API where it is.
    """
    env = os.environ if env is None else env
    if storage_url is not None:
        raw, where = storage_url, names.storage_url.rstrip("=")
    elif ENV_STORAGE_URL in env:
        raw, where = env[ENV_STORAGE_URL], ENV_STORAGE_URL
    else:
        return None
    return check_url(
        raw,
        where,
        allow_insecure_http=allow_insecure_http,
        names=names,
        empty_hint="give the storage service's URL, or unset it to ask the API",
        secrets=secrets,
    )


def check_url(
    raw: object,
    where: str,
    *,
    allow_insecure_http: bool = False,
    names: ArgumentNames = SDK_NAMES,
    empty_hint: str = "give a URL",
    secrets: Iterable[str] = (),
) -> str:
    """``raw`` as a URL the token may be sent to (no trailing slash).

    Else a ConfigurationError naming ``where`` it came from. The checks: http(s), a host, no
    credentials, query or fragment in it (neither is ever quoted), and plain http only to
    loopback unless ``allow_insecure_http``. A
    refused URL is quoted with ``secrets`` (and anything shaped like one) masked.
    """
    if not isinstance(raw, str) and not isinstance(raw, httpx.URL):
        raise ConfigurationError(f"{where} must be a URL string, got {type(raw).__name__}")
    text = str(raw).strip()
    shown = redact(text, tuple(secrets))[:200]
    if not text:
        raise ConfigurationError(f"{where} is empty; {empty_hint}")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ConfigurationError(f"{where} {shown!r} is not a valid URL: {exc}") from None
    if url.userinfo:
        raise ConfigurationError(
            f"{where} must not carry credentials (user:password@); pass them as "
            f"{names.token}..., or {names.api_key}... and {names.secret}..."
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{where} {shown!r} must be an http(s) URL with a host")
    if "?" in text or "#" in text:  # paths are added to it: a query or fragment would swallow them
        bare = str(url.copy_with(query=None, fragment=None)).rstrip("/")
        raise ConfigurationError(
            f'{where} must not carry a query or a fragment ("?..." or "#..."): calls add '
            f"their own paths and queries to it; give {redact(bare, tuple(secrets))[:200]!r}"
        )
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(url.host):
        raise ConfigurationError(
            f"{where} {shown!r} is plain http to a non-loopback host: tokens would travel "
            f"in clear text. Use https, or opt in with {names.allow_insecure_http} if you "
            "really mean it"
        )
    return text.rstrip("/")
