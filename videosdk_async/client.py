"""AsyncEncoderClient: settings, lifecycle, the middleware chain, and the resources."""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
import httpx

from . import __version__
from ._constants import (
    CONNECT_TIMEOUT,
    DEFAULT_BASE_URL,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_SECRET,
    ENV_TOKEN,
    MAX_BORROWED_CONCURRENCY,
    MAX_CONCURRENCY,
    POOL_MAX_CONNECTIONS,
    POOL_MAX_KEEPALIVE,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    TOKEN_LIFETIME_SECONDS,
    WRITE_TIMEOUT,
)
from ._http import attempts_text, call_label
from .auth import APIKeyAuth, AuthMiddleware, Credentials, StaticToken
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ClientStateError,
    ConfigurationError,
    QueueTimeoutError,
    ResponseValidationError,
    VideoSDKError,
    body_snippet,
    describe_problems,
    error_from_response,
    sent_secrets,
)
from .logs import LoggingMiddleware, configure_from_env
from .middleware import CallContext, Middleware, compose, validate_middleware
from .models._base import APIModel, RawResponse
from .resources.jobs import JobsResource
from .retry import RetryPolicy
from .timeouts import TimeoutPolicy

__all__ = ["AsyncEncoderClient"]

M = TypeVar("M", bound=APIModel)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
"""Sentinel: "use the default" (distinct from None, which disables a policy)."""


def _resolve_credentials(
    token: str | None,
    api_key: str | None,
    secret: str | None,
    auth: Credentials | None,
    lifetime: float,
) -> Credentials:
    if auth is not None:
        if token is not None or api_key is not None or secret is not None:
            raise ConfigurationError("give auth, or token, or api_key and secret: only one")
        if not isinstance(auth, Credentials):
            raise ConfigurationError(f"auth must provide token() and invalidate(), got {auth!r}")
        return auth
    if token is not None and (api_key is not None or secret is not None):
        raise ConfigurationError("give either token, or api_key and secret, not both")
    if token is not None:
        return StaticToken(token)
    if api_key is not None or secret is not None:
        if not api_key or not secret:
            raise ConfigurationError("api_key and secret must be given together")
        return APIKeyAuth(api_key, secret, lifetime=lifetime)
    env_token = os.environ.get(ENV_TOKEN)
    if env_token:
        return StaticToken(env_token)
    env_key, env_secret = os.environ.get(ENV_API_KEY), os.environ.get(ENV_SECRET)
    if env_key and env_secret:
        return APIKeyAuth(env_key, env_secret, lifetime=lifetime)
    raise ConfigurationError(
        "no credentials: pass token=..., or api_key=... and secret=..., or set "
        f"{ENV_TOKEN}, or {ENV_API_KEY} and {ENV_SECRET}"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _resolve_base_url(base_url: str | None, allow_insecure_http: bool) -> str:
    raw = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"base_url {raw!r} is not a valid URL: {exc}") from None
    if url.userinfo:
        raise ConfigurationError(
            "base_url must not carry credentials (user:password@); "
            "pass token=..., or api_key=... and secret=..."
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url {raw!r} must be an http(s) URL with a host")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ConfigurationError(
            f"base_url {raw!r} is plain http to a non-loopback host: tokens would travel in "
            "clear text. Use https, or opt in with allow_insecure_http=True "
            "(--allow-insecure-http on the command line) if you really mean it"
        )
    return raw.rstrip("/")


class _Shared:
    """What a client and its ``with_options`` copies share: pool, limiter, loop, lifecycle."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        owns_http: bool,
        base_url: str,
        credentials: Credentials,
        max_concurrency: int,
    ) -> None:
        self.http = http
        self.owns_http = owns_http
        self.base_url = base_url
        self.credentials = credentials
        self.max_concurrency = max_concurrency
        self.closed = False
        # Bound on first use: the event loop, and the in-flight limiter that belongs to it.
        self.bound: tuple[anyio.lowlevel.EventLoopToken, anyio.CapacityLimiter] | None = None

    def check_usable(self) -> anyio.CapacityLimiter:
        """Raise unless the client is open and on its own event loop; return the limiter."""
        if self.closed:
            raise ClientStateError(
                "this AsyncEncoderClient is closed; create a new one, or keep calls inside "
                "its `async with` block"
            )
        token = anyio.lowlevel.current_token()
        if self.bound is None:
            self.bound = (token, anyio.CapacityLimiter(self.max_concurrency))
        elif token != self.bound[0]:
            raise ClientStateError(
                "this AsyncEncoderClient was opened on another event loop; create one client "
                "per event loop (e.g. in your app's lifespan), not one shared across loops"
            )
        return self.bound[1]


class AsyncEncoderClient:
    """Async client for VideoSDK's encoding-jobs API.

    Use it as ``async with AsyncEncoderClient(api_key=..., secret=...) as client:`` (or with
    ``token=...``), share one instance across tasks and requests, and call ``client.jobs``.

    Credentials come from the arguments, else from ``VIDEOSDK_TOKEN``, or ``VIDEOSDK_API_KEY``
    + ``VIDEOSDK_SECRET_KEY``; the base URL from ``base_url`` or ``VIDEOSDK_BASE_URL``.
    ``auth`` takes any :class:`Credentials` instead (an :class:`APIKeyAuth` with its own
    lifetime or clock, or your own token provider).

    Every call runs through :attr:`middleware`, outermost first: the :class:`TimeoutPolicy`
    (one deadline for the whole call), the :class:`RetryPolicy`, your ``middleware``, then auth
    and logging on each attempt. ``timeout`` takes a policy or seconds (the call deadline);
    ``retry`` a policy or a number of attempts; None disables either. ``chain`` replaces the
    whole chain with your own ordering (include an ``AuthMiddleware`` yourself).

    At most ``max_concurrency`` calls (default 32) are in flight at once; more wait their turn
    in the client, first come first served, and a call's deadline starts when its turn comes.
    That keeps requests below the connection pool (64), so a gather of thousands of calls never
    fails with ``PoolTimeout``. An ``http_client`` you pass in is borrowed: never closed by
    this client; keep its pool at least ``max_concurrency`` connections.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        api_key: str | None = None,
        secret: str | None = None,
        auth: Credentials | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout: TimeoutPolicy | float | None = DEFAULT,
        retry: RetryPolicy | int | None = DEFAULT,
        middleware: Sequence[Middleware] = (),
        chain: Sequence[Middleware] | None = None,
        max_concurrency: int = MAX_CONCURRENCY,
        token_lifetime: float = TOKEN_LIFETIME_SECONDS,
        allow_insecure_http: bool = False,
    ) -> None:
        credentials = _resolve_credentials(token, api_key, secret, auth, token_lifetime)
        resolved_url = _resolve_base_url(base_url, allow_insecure_http)
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise ConfigurationError(f"max_concurrency must be an int, got {max_concurrency!r}")
        # Our own pool has POOL_MAX_CONNECTIONS; a borrowed pool is the caller's to size.
        ceiling = POOL_MAX_CONNECTIONS if http_client is None else MAX_BORROWED_CONCURRENCY
        if not 1 <= max_concurrency <= ceiling:
            where = "the pool size" if http_client is None else "the limit for a borrowed pool"
            raise ConfigurationError(
                f"max_concurrency must be between 1 and {where} ({ceiling}), got {max_concurrency}"
            )
        configure_from_env()
        owns = http_client is None
        http = http_client or httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=POOL_MAX_CONNECTIONS,
                max_keepalive_connections=POOL_MAX_KEEPALIVE,
            ),
            timeout=httpx.Timeout(
                connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT
            ),
            headers={"User-Agent": f"videosdk-async/{__version__}"},
            follow_redirects=False,
        )
        self._shared = _Shared(
            http,
            owns_http=owns,
            base_url=resolved_url,
            credentials=credentials,
            max_concurrency=max_concurrency,
        )
        self._owner = True
        self._configure(
            TimeoutPolicy() if timeout is DEFAULT else TimeoutPolicy.coerce(timeout),
            RetryPolicy() if retry is DEFAULT else RetryPolicy.coerce(retry),
            middleware,
            chain,
        )

    def _configure(
        self,
        timeout: TimeoutPolicy | None,
        retry: RetryPolicy | None,
        middleware: Sequence[Middleware],
        chain: Sequence[Middleware] | None,
    ) -> None:
        self.timeout = timeout
        self.retry = retry
        self._user_middleware = tuple(validate_middleware(m) for m in middleware)
        if chain is not None:
            if self._user_middleware:
                raise ConfigurationError("pass either middleware or chain, not both")
            self._chain_override: tuple[Middleware, ...] | None = tuple(
                validate_middleware(m) for m in chain
            )
            self.middleware: tuple[Middleware, ...] = self._chain_override
        else:
            self._chain_override = None
            defaults: list[Middleware | None] = [
                timeout,
                retry,
                *self._user_middleware,
                AuthMiddleware(self._shared.credentials),
                LoggingMiddleware(),
            ]
            self.middleware = tuple(m for m in defaults if m is not None)
        self._handler = compose(self.middleware, self._send)
        self.jobs = JobsResource(self)

    def with_options(
        self,
        *,
        timeout: TimeoutPolicy | float | None = DEFAULT,
        retry: RetryPolicy | int | None = DEFAULT,
        middleware: Sequence[Middleware] = DEFAULT,
        chain: Sequence[Middleware] | None = DEFAULT,
    ) -> AsyncEncoderClient:
        """A client that shares this one's connection pool and credentials, with other policies.

        Cheap enough for a per-call override: ``await client.with_options(timeout=5).jobs.get(id)``.
        The copy borrows the pool: closing it does not close this client.
        """
        clone = object.__new__(AsyncEncoderClient)
        clone._shared = self._shared
        clone._owner = False
        clone._configure(
            self.timeout if timeout is DEFAULT else TimeoutPolicy.coerce(timeout),
            self.retry if retry is DEFAULT else RetryPolicy.coerce(retry),
            self._user_middleware if middleware is DEFAULT else middleware,
            self._chain_override if chain is DEFAULT else chain,
        )
        return clone

    @property
    def base_url(self) -> str:
        """The API base URL requests go to."""
        return self._shared.base_url

    @property
    def is_closed(self) -> bool:
        """True once the client was closed."""
        return self._shared.closed

    @property
    def max_concurrency(self) -> int:
        """Most requests this client has in flight at once (below the pool size)."""
        return self._shared.max_concurrency

    async def __aenter__(self) -> AsyncEncoderClient:
        self._shared.check_usable()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client (idempotent). A borrowed ``http_client`` is left open."""
        shared = self._shared
        if not self._owner or shared.closed:
            return
        shared.closed = True
        if shared.owns_http:
            await shared.http.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._shared.closed else "open"
        return (
            f"AsyncEncoderClient(base_url={self._shared.base_url!r}, "
            f"auth={self._shared.credentials!r}, {state})"
        )

    # -- the request path ------------------------------------------------------------------

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """The end of the chain: one attempt on the wire, with timeouts cut to the time left."""
        ctx = CallContext.of(request)
        ctx.attempts += 1
        left = ctx.remaining()
        if left is not None and left <= 0:
            raise ctx.deadline_exceeded(request)
        timeout = ctx.timeout_for_attempt()
        if timeout is not None:
            request.extensions["timeout"] = timeout
        return await self._shared.http.send(request)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        job_id: str | None = None,
    ) -> httpx.Response:
        """Send one API call through the chain; return the 2xx response or raise a typed error.

        ``path`` is relative to the base URL; ``job_id`` (when the call is about one job) is
        named in errors and decides job-specific mappings (not found, not deletable).
        """
        shared = self._shared
        limiter = shared.check_usable()
        request = shared.http.build_request(
            method,
            shared.base_url + path,
            params=params,
            json=json,
            headers={"Accept": "application/json"},
        )
        ctx = CallContext(job_id=job_id)
        ctx.attach(request)
        started = time.perf_counter()
        # A call holds one of the client's slots from its first attempt to its last, so at
        # most max_concurrency requests are ever in flight (below the pool size) and nothing
        # waits in httpx's pool. The deadline starts once the slot is held: queueing here is
        # the caller's own backlog, cheap and FIFO, bounded only if TimeoutPolicy.queue says.
        queue = self.timeout.queue if self.timeout is not None else None
        if queue is None:
            await limiter.acquire()
        else:
            with anyio.move_on_after(queue) as waited:
                await limiter.acquire()
            if waited.cancelled_caught:
                raise self._queue_timeout(request, ctx, queue, limiter.total_tokens)
        try:
            response = await self._handler(request)
        except VideoSDKError:
            raise
        except httpx.RequestError as exc:  # transport failures, undecodable bodies, ...
            raise self._connection_error(request, ctx, exc) from exc
        finally:
            limiter.release()
        response.extensions["videosdk_async.attempts"] = ctx.attempts
        response.extensions["videosdk_async.elapsed"] = time.perf_counter() - started
        if response.is_success:
            return response
        raise error_from_response(
            response,
            job_id=job_id,
            attempts=ctx.attempts,
            lost_response=ctx.last_failure if ctx.may_have_applied else None,
        )

    @staticmethod
    def _connection_error(
        request: httpx.Request, ctx: CallContext, exc: httpx.RequestError
    ) -> APIConnectionError:
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        if kind is APITimeoutError:
            what = "timed out"
        elif isinstance(exc, httpx.DecodingError):
            what = "the response body could not be decoded"
        else:
            what = "connection failed"
        detail = str(exc) or type(exc).__name__
        return kind(
            f"{call_label(request, ctx.job_id)}: {what} after {attempts_text(ctx.attempts)} "
            f"({type(exc).__name__}: {detail})",
            method=request.method,
            url=str(request.url),
            job_id=ctx.job_id,
            attempts=ctx.attempts,
        )

    @staticmethod
    def _queue_timeout(
        request: httpx.Request, ctx: CallContext, queue: float, slots: float
    ) -> QueueTimeoutError:
        return QueueTimeoutError(
            f"{call_label(request, ctx.job_id)}: not sent; waited {queue:g}s for one "
            f"of the client's {slots:g} slots, all busy (raise max_concurrency or the queue "
            "timeout, or send less at once)",
            method=request.method,
            url=str(request.url),
            job_id=ctx.job_id,
            attempts=0,
        )

    def parse(self, response: httpx.Response, model: type[M], *, job_id: str | None = None) -> M:
        """Validate a 2xx response body into ``model``; never lets a pydantic error escape."""
        request = response.request
        attempts = int(response.extensions.get("videosdk_async.attempts", 1))
        try:
            result = model.model_validate(response.json())
        except ValueError as exc:  # JSON decode errors and pydantic ValidationError alike
            reason = describe_problems(exc, limit=1)
            # The raw text: an empty body must not read as "null", nor a JSON null as empty.
            text = response.text
            snippet = body_snippet(text, sent_secrets(request)) if text.strip() else "(empty)"
            raise ResponseValidationError(
                f"{call_label(request, job_id)}: the response is not a valid "
                f"{model.__name__}: {reason}; body starts: {snippet}",
                method=request.method,
                url=str(request.url),
                status_code=response.status_code,
                snippet=snippet,
                job_id=job_id,
                attempts=attempts,
            ) from None
        result._raw_response = RawResponse(
            status_code=response.status_code,
            headers=response.headers,
            method=request.method,
            url=str(request.url),
            attempts=attempts,
            elapsed=float(response.extensions.get("videosdk_async.elapsed", 0.0)),
        )
        return result
