"""AsyncEncoderClient: its settings, its lifecycle, and the one path every call takes.

A call reads top to bottom in `AsyncEncoderClient._call`: take an in-flight slot, run
the chain (composed once per client from its settings: deadline ▸ retry ▸ your middleware ▸
auth ▸ logging ▸ send), then turn the answer into a model or one typed error.
"""

from __future__ import annotations

import enum
import sys
import weakref
from collections.abc import Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Final, Literal, TypeVar, final

import anyio
import anyio.lowlevel
import httpx

from ._constants import (
    CONNECT_TIMEOUT,
    MAX_CONCURRENCY,
    MAX_RESPONSE_BYTES,
    POOL_MAX_CONNECTIONS,
    POOL_MAX_KEEPALIVE,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    TOKEN_LIFETIME_SECONDS,
    WRITE_TIMEOUT,
)
from ._http import NOT_SENT, header_problem, read_body
from ._redact import redact
from ._responses import (
    connection_error,
    error_from_response,
    mask_causes,
    parse_model,
    queue_timeout,
    too_large,
)
from ._settings import (
    ResolvedCredentials,
    resolve_base_url,
    resolve_credentials,
    resolve_storage_url,
)
from ._storage import StorageLocation
from ._text import shown
from ._version import __version__
from .auth import AuthLayer, Credentials, known_secrets
from .errors import ClientStateError, ConfigurationError, InvalidRequestError, VideoSDKError
from .logs import LoggingLayer, configure_from_env
from .middleware import Call, Layer, Middleware, Next, UserMiddleware, compose
from .retry import RetryBudget, RetryLayer, RetryPolicy, RetrySetting
from .timeouts import DeadlineLayer, TimeoutPolicy, TimeoutSetting

if TYPE_CHECKING:
    import httpx2

    from .models._base import APIModel
    from .resources.files import FilesResource
    from .resources.jobs import JobsResource

__all__ = ["NOT_GIVEN", "AsyncEncoderClient", "NotGiven"]

M = TypeVar("M", bound="APIModel")

_PYTHON = ".".join(str(part) for part in sys.version_info[:3])
USER_AGENT = f"videosdk-async/{__version__} python/{_PYTHON} httpx/{httpx.__version__}"


@final
class NotGiven:
    """The type of `NOT_GIVEN`: an argument left out (None would turn a policy off).

    As in openai's SDK: ``client.with_options(timeout=NOT_GIVEN)`` keeps the client's timeout,
    ``timeout=None`` removes it.
    """

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""Sentinel: "use the default" (distinct from None, which disables a policy)."""


class _State(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


def _pool_size(http: httpx.AsyncClient) -> int | None:
    """How many connections ``http``'s default pool holds, when httpx tells (else None)."""
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    size = getattr(pool, "_max_connections", None)
    return size if isinstance(size, int) and not isinstance(size, bool) else None


class _Gate:
    """The in-flight limit of one connection pool, shared by every client that uses it.

    Bound to an event loop on first use: anyio's limiter (and httpx's pool) belong to one.
    """

    __slots__ = ("_bound", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._bound: tuple[anyio.lowlevel.EventLoopToken, anyio.CapacityLimiter] | None = None

    def shrink_to(self, size: int) -> None:
        """A client asked for fewer in flight on this pool: the smallest wish holds for all."""
        self.size = min(self.size, size)
        if self._bound is not None:
            self._bound[1].total_tokens = self.size

    @property
    def in_flight(self) -> int:
        """Calls holding a slot right now (0 before the first call)."""
        return 0 if self._bound is None else int(self._bound[1].borrowed_tokens)

    def limiter(self) -> anyio.CapacityLimiter:
        token = anyio.lowlevel.current_token()
        bound = self._bound
        if bound is None:
            bound = self._bound = (token, anyio.CapacityLimiter(self.size))
        elif bound[0] != token:
            raise ClientStateError(
                "this AsyncEncoderClient was opened on another event loop; create one client "
                "per event loop (e.g. in your app's lifespan), not one shared across loops"
            )
        return bound[1]


# Clients that borrow the same HTTP client share its gate (weakly held: the pool's own).
_GATES: weakref.WeakKeyDictionary[object, _Gate] = weakref.WeakKeyDictionary()


class _Core:
    """What a client family shares.

    The pool and its gate, credentials, retry budget, state, and where the storage service is.
    """

    __slots__ = (
        "budget",
        "credentials",
        "gate",
        "http",
        "owns_http",
        "pool",
        "state",
        "storage",
    )

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        owns_http: bool,
        credentials: ResolvedCredentials,
        budget: RetryBudget | None,
        max_concurrency: int | None,
        storage: StorageLocation,
        pool: object = None,
    ) -> None:
        self.http = http
        # What the user handed over (the pool's identity): http itself, or the httpx2 client
        # behind it, which this reference also keeps alive.
        self.pool = http if pool is None else pool
        self.owns_http = owns_http
        self.credentials = credentials
        self.budget = budget
        self.storage = storage
        self.state = _State.OPEN
        self.gate = _gate_for(self.pool, http, max_concurrency, owned=owns_http)

    def limiter(self) -> anyio.CapacityLimiter:
        """The pool's in-flight limiter, once the client is known to be usable here."""
        if self.state is _State.CLOSED:
            raise ClientStateError(
                "this AsyncEncoderClient is closed; create a new one, or keep calls inside "
                "its `async with` block"
            )
        return self.gate.limiter()


def _check_concurrency(value: object, ceiling: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_concurrency must be an int >= 1, got {shown(value)}")
    if ceiling is not None and value > ceiling:
        raise ConfigurationError(
            f"max_concurrency {shown(value)} is more than the connection pool holds ({ceiling}): "
            "calls would wait in httpx's pool and fail with PoolTimeout (a cancelled one can "
            f"strand a connection); use max_concurrency <= {ceiling}, or a larger pool"
        )
    return value


def _gate_for(
    key: object, http: httpx.AsyncClient, max_concurrency: int | None, *, owned: bool
) -> _Gate:
    pool = POOL_MAX_CONNECTIONS if owned else _pool_size(http)
    if max_concurrency is None:  # the default, never more than the pool holds
        size = MAX_CONCURRENCY if pool is None else min(MAX_CONCURRENCY, pool)
    else:
        size = _check_concurrency(max_concurrency, pool)
    gate = _GATES.get(key)
    if gate is None:
        gate = _GATES[key] = _Gate(size)
    else:
        gate.shrink_to(size)
    return gate


def _own_http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        limits=httpx.Limits(
            max_connections=POOL_MAX_CONNECTIONS, max_keepalive_connections=POOL_MAX_KEEPALIVE
        ),
        timeout=httpx.Timeout(
            connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT
        ),
        follow_redirects=False,
    )


def _check_http_client(http_client: object) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` to send with.

    That is ``http_client`` itself, or one that sends through a borrowed
    ``httpx2.AsyncClient``.
    """
    if isinstance(http_client, httpx.AsyncClient):
        return http_client
    kind = type(http_client)
    hint = ""
    if kind.__module__.split(".")[0] == "httpx2":  # checked by name: httpx2 may be absent
        import httpx2

        from ._httpx2 import wrap_httpx2

        if isinstance(http_client, httpx2.AsyncClient):
            return wrap_httpx2(http_client)
        hint = " (a sync httpx2.Client: pass an httpx2.AsyncClient)"
    elif isinstance(http_client, httpx.Client):
        hint = " (a sync httpx.Client: pass an httpx.AsyncClient)"
    raise ConfigurationError(
        "http_client must be an httpx.AsyncClient or an httpx2.AsyncClient, got "
        f"{kind.__module__}.{kind.__qualname__}{hint}"
    )


def _took_slot(limiter: anyio.CapacityLimiter, call: Call) -> bool:
    """Take a free slot at once if there is one; False when the call must wait for one."""
    try:
        limiter.acquire_on_behalf_of_nowait(call)
    except anyio.WouldBlock:
        return False
    except Exception as exc:
        # anyio before 4.14.2 lets trio's own WouldBlock through on the trio backend.
        if type(exc).__name__ == "WouldBlock" and type(exc).__module__.startswith("trio"):
            return False
        raise
    return True


class AsyncEncoderClient:
    """Async client for VideoSDK's encoding-jobs API.

    Use it as ``async with AsyncEncoderClient(api_key=..., secret=...) as client:`` (or with
    ``token=...``), share one instance across tasks and requests, and call ``client.jobs``.

    Credentials and the base URL follow one documented precedence (arguments, then the
    environment); see ``docs/authentication.md``.

    Args:
        token: A token handed to you by your backend (sent as is, never renewed).
        api_key: The account's API key; with ``secret``, tokens are minted and renewed.
        secret: The account's secret.
        auth: Any `Credentials` instead (an `APIKeyAuth` with its own lifetime
            or clock, or your own token provider).
        base_url: The API's URL; else ``VIDEOSDK_BASE_URL``; else production.
        storage_url: The storage service's URL (uploads and files); else
            ``VIDEOSDK_STORAGE_URL``; else asked of the API (``POST /v1/files``) once for the
            client and its copies. Checked like ``base_url``, as is a URL the API names.
        http_client: An ``httpx.AsyncClient`` or ``httpx2.AsyncClient`` to borrow (never
            closed by this client): for proxies, custom CAs, or one pool shared by several
            clients.
        timeout: Seconds (the call deadline), an ``httpx.Timeout`` (per-attempt timeouts), a
            `TimeoutPolicy`, or None (no deadline). Uploads use their own (no
            deadline, per-chunk timeouts): see ``files.upload``.
        max_retries: Retries after the first attempt (0 disables retries).
        retry: A `RetryPolicy` for finer control (None or 0 disables retries).
        retry_budget: The `RetryBudget` shared by this client and its copies
            (None: retries are bounded only by the policy).
        middleware: Your ``(request, call_next)`` middleware; runs on every attempt, between
            the retry loop and auth.
        max_concurrency: Most calls in flight at once (default 32, never more than the pool
            holds); more wait their turn in the client, first come first served.
        default_headers: Headers sent with every request.
        max_response_bytes: Largest answer body read (decompressed); a larger one raises
            `ResponseTooLargeError`.
        token_lifetime: Lifetime of minted tokens, in seconds.
        allow_insecure_http: Allow plain ``http://`` to a host that is not loopback.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        api_key: str | None = None,
        secret: str | None = None,
        auth: Credentials | None = None,
        base_url: str | None = None,
        storage_url: str | None = None,
        http_client: httpx.AsyncClient | httpx2.AsyncClient | None = None,
        timeout: TimeoutSetting | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetrySetting | NotGiven = NOT_GIVEN,
        retry_budget: RetryBudget | NotGiven | None = NOT_GIVEN,
        middleware: Sequence[Middleware] = (),
        max_concurrency: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        token_lifetime: float = TOKEN_LIFETIME_SECONDS,
        allow_insecure_http: bool = False,
    ) -> None:
        credentials = resolve_credentials(
            token=token, api_key=api_key, secret=secret, auth=auth, token_lifetime=token_lifetime
        )
        resolved_url = resolve_base_url(
            base_url,
            allow_insecure_http=allow_insecure_http,
            secrets=known_secrets(credentials.credentials),
        )
        storage = StorageLocation(
            resolve_storage_url(
                storage_url,
                allow_insecure_http=allow_insecure_http,
                secrets=known_secrets(credentials.credentials),
            ),
            allow_insecure_http=allow_insecure_http,
        )
        configure_from_env()
        if not (isinstance(retry_budget, NotGiven | RetryBudget) or retry_budget is None):
            raise ConfigurationError(
                f"retry_budget must be a RetryBudget or None, got {type(retry_budget).__name__}"
            )
        owns = http_client is None
        http = _own_http_client() if http_client is None else _check_http_client(http_client)
        core = _Core(
            http,
            owns_http=owns,
            credentials=credentials,
            budget=RetryBudget() if isinstance(retry_budget, NotGiven) else retry_budget,
            max_concurrency=max_concurrency,
            storage=storage,
            pool=http_client,
        )
        self._configure(
            core,
            owner=True,
            base_url=resolved_url,
            timeout=_timeout_policy(timeout, TimeoutPolicy()),
            retry=_retry_policy(retry, RetryPolicy(), max_retries),
            middleware=middleware,
            default_headers=default_headers,
            max_response_bytes=max_response_bytes,
        )

    def _configure(
        self,
        core: _Core,
        *,
        owner: bool,
        base_url: str,
        timeout: TimeoutPolicy | None,
        retry: RetryPolicy | None,
        middleware: Sequence[Middleware],
        default_headers: Mapping[str, str] | None,
        max_response_bytes: int,
    ) -> None:
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ConfigurationError(
                f"max_response_bytes must be an int >= 1, got {shown(max_response_bytes)}"
            )
        if isinstance(middleware, str | bytes) or not isinstance(middleware, Sequence):
            raise ConfigurationError("middleware must be a list of (request, call_next) callables")
        problem = None if default_headers is None else header_problem(default_headers)
        if problem is not None:
            raise ConfigurationError(f"default_headers: {problem}")
        self._core = core
        self._owner = owner
        self._base_url = base_url
        self.timeout: TimeoutPolicy | None = timeout
        """The deadline and per-attempt timeouts (None: none)."""
        self.retry: RetryPolicy | None = retry
        """The retry policy (None: retries are off)."""
        self._user_middleware = tuple(middleware)
        self._default_headers = dict(default_headers or {})
        self._max_response_bytes = max_response_bytes
        headers = httpx.Headers(core.http.headers)  # a borrowed client's own defaults too
        headers["User-Agent"] = USER_AGENT
        headers["Accept"] = "application/json"
        headers.update(self._default_headers)
        self._headers = headers
        layers: list[Layer] = []
        if timeout is not None and timeout.deadline is not None:
            layers.append(DeadlineLayer(timeout.deadline, timeout.clock))
        if retry is not None:
            layers.append(RetryLayer(retry, core.budget))
        layers.extend(UserMiddleware(m) for m in middleware)
        layers.append(AuthLayer(core.credentials.credentials))
        layers.append(LoggingLayer())
        self.middleware: tuple[Layer, ...] = tuple(layers)
        """The chain every call runs through, outermost first (read-only)."""
        self._handler: Next = compose(layers, self._send)

    # The resources (and the pydantic models they bring) load on first use, as openai's do:
    # importing the client stays light, and the first call pays for the models once.

    @cached_property
    def files(self) -> FilesResource:
        """The storage service: upload, list, get and delete stored files."""
        from .resources.files import FilesResource

        return FilesResource(self, self._core.storage, self._base_url)

    @cached_property
    def jobs(self) -> JobsResource:
        """The encoding-jobs endpoints."""
        from .resources.jobs import JobsResource

        return JobsResource(self, upload=self.files.upload)

    def with_options(
        self,
        *,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | httpx2.AsyncClient | None = None,
        timeout: TimeoutSetting | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetrySetting | NotGiven = NOT_GIVEN,
        middleware: Sequence[Middleware] | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int | None = None,
        max_concurrency: int | None = None,
    ) -> AsyncEncoderClient:
        """A copy of this client with some settings changed; it shares what it can.

        Cheap enough for one call: ``await client.with_options(timeout=5).jobs.get(id)``. The
        copy shares this client's credentials, retry budget and storage location (asked once
        per API base URL), and its connection pool unless ``http_client`` is given (that one
        is borrowed). Closing a copy closes nothing.
        ``default_headers`` are added to this client's.
        """
        core = self._core
        if http_client is not None or max_concurrency is not None:
            http = core.http if http_client is None else _check_http_client(http_client)
            core = _Core(
                http,
                owns_http=False,
                credentials=core.credentials,
                budget=core.budget,
                max_concurrency=max_concurrency,
                storage=core.storage,
                pool=core.pool if http_client is None else http_client,
            )
            core.state = self._core.state
        clone = object.__new__(AsyncEncoderClient)
        clone._configure(
            core,
            owner=False,
            base_url=self._base_url
            if base_url is None
            else resolve_base_url(
                base_url,
                allow_insecure_http=False,
                secrets=known_secrets(core.credentials.credentials),
            ),
            timeout=_timeout_policy(timeout, self.timeout),
            retry=_retry_policy(retry, self.retry, max_retries),
            middleware=self._user_middleware if isinstance(middleware, NotGiven) else middleware,
            default_headers={**self._default_headers, **(default_headers or {})},
            max_response_bytes=self._max_response_bytes
            if max_response_bytes is None
            else max_response_bytes,
        )
        return clone

    @property
    def base_url(self) -> str:
        """The API base URL requests go to."""
        return self._base_url

    @property
    def is_closed(self) -> bool:
        """True once the client was closed."""
        return self._core.state is _State.CLOSED

    @property
    def max_concurrency(self) -> int:
        """Most calls this client (and others on its pool) has in flight at once."""
        return self._core.gate.size

    @property
    def in_flight(self) -> int:
        """Calls holding one of the pool's in-flight slots right now (for metrics)."""
        return self._core.gate.in_flight

    @property
    def max_retries(self) -> int:
        """Retries after a failed first attempt (0 when retries are off)."""
        return 0 if self.retry is None else self.retry.max_retries

    @property
    def credential_source(self) -> str:
        """Where the credentials came from (an argument or an environment variable's name)."""
        return self._core.credentials.source

    async def __aenter__(self) -> AsyncEncoderClient:
        self._core.limiter()  # closed, or another event loop: say so now
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
        core = self._core
        if not self._owner or core.state is _State.CLOSED:
            return
        core.state = _State.CLOSED
        if core.owns_http:
            await core.http.aclose()

    def __repr__(self) -> str:
        return (
            f"AsyncEncoderClient(base_url={self._base_url!r}, "
            f"auth={self._core.credentials.credentials!r}, {self._core.state.value})"
        )

    # -- the call path ---------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        job_id: str | None = None,
        file_id: str | None = None,
        params: Mapping[str, str | int] | None = None,
        content: bytes | None = None,
        stream: httpx.AsyncByteStream | None = None,
        base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str | int] | None = None,
    ) -> M:
        """Run one API call: a slot, the chain, then the model or one typed error.

        ``path`` is relative to ``base_url`` (default: the API's; the storage service's for
        files); ``job_id`` or ``file_id`` (when the call is about one job or file) is named in
        errors and decides the specific mappings (not found, not deletable). ``content`` is a
        JSON body; ``stream`` a body sent as it is iterated (an upload), with its headers in
        ``extra_headers``.
        """
        limiter = self._core.limiter()
        if job_id is not None and job_id in known_secrets(self._core.credentials.credentials):
            raise InvalidRequestError(
                "the job id given is one of this client's credentials (a token or key); "
                "nothing was sent"
            )
        timeout = self.timeout
        shown = path if base_url is None else httpx.URL(base_url).path.rstrip("/") + path
        call = (
            Call(method, shown, job_id=job_id, file_id=file_id)
            if timeout is None
            else Call(
                method,
                shown,
                job_id=job_id,
                file_id=file_id,
                clock=timeout.clock,
                attempt_timeout=timeout.attempt_parts,
            )
        )
        request = self._build_request(
            method,
            (self._base_url if base_url is None else base_url) + path,
            params,
            content,
            stream,
            extra_headers,
            extra_query,
        )
        # A call holds one of the pool's slots from its first attempt to its last, so at most
        # max_concurrency requests are ever in flight and nothing waits in httpx's pool. The
        # deadline starts once the slot is held: queueing here is the caller's own backlog.
        if not _took_slot(limiter, call):
            queue = timeout.queue if timeout is not None else None
            if queue is None:
                await limiter.acquire_on_behalf_of(call)
            else:
                with anyio.move_on_after(queue) as waited:
                    await limiter.acquire_on_behalf_of(call)
                if waited.cancelled_caught:
                    raise queue_timeout(request, call, queue, limiter.total_tokens) from None
        try:
            response = await self._handler(request, call)
        except VideoSDKError as exc:
            mask_causes(exc, self._secrets(request))
            raise
        except httpx.RequestError as exc:  # transport failures, undecodable bodies, ...
            secrets = self._secrets(request)
            mask_causes(exc, secrets)
            raise connection_error(request, call, exc, secrets) from exc
        finally:
            limiter.release_on_behalf_of(call)
        if 200 <= response.status_code < 300:
            return parse_model(response, model, call, self._secrets)
        raise error_from_response(
            response,
            call,
            self._secrets(response.request),
            credential_source=self._core.credentials.source,
        )

    def _build_request(
        self,
        method: str,
        target: str,
        params: Mapping[str, str | int] | None,
        content: bytes | None,
        stream: httpx.AsyncByteStream | None,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, str | int] | None,
    ) -> httpx.Request:
        """The request, built directly: client-level headers were merged once, up front."""
        if extra_headers is not None:
            problem = header_problem(extra_headers)
            if problem is not None:
                raise InvalidRequestError(f"extra_headers: {problem}")
        if extra_query is not None and not isinstance(extra_query, Mapping):
            raise InvalidRequestError(
                "extra_query must be a mapping of names to values, "
                f"got {type(extra_query).__name__}"
            )
        headers = self._headers
        if content is not None or extra_headers:
            headers = headers.copy()
            if content is not None:
                headers["Content-Type"] = "application/json"
            if extra_headers:
                headers.update(extra_headers)
        query = {**params, **extra_query} if params and extra_query else (params or extra_query)
        url = httpx.URL(target, params=query) if query else target
        # A stream goes in as content, so httpx prepares the request (Host, framing) as usual;
        # it is iterated afresh by each attempt.
        body = content if stream is None else stream
        return httpx.Request(method, url, headers=headers, content=body)

    async def _send(self, request: httpx.Request, call: Call) -> httpx.Response:
        """The end of the chain: one attempt on the wire.

        Its timeouts are cut to the time left, and the body is read within the size limit.
        """
        call.attempts += 1
        timeout = call.timeout_for_attempt()
        if timeout is not None:
            request.extensions["timeout"] = timeout
        # Set until the attempt ends, cleared unless cancelled (the deadline): see Call.
        call.in_flight = True
        try:
            response = await self._core.http.send(request, stream=True)
            try:
                fits = await read_body(response, self._max_response_bytes)
            except BaseException:
                await response.aclose()
                raise
        except Exception as exc:  # not a cancellation: that leaves in_flight set
            call.in_flight = False
            # Noted here, where the attempt is, so a client without retries knows it too.
            if isinstance(exc, httpx.DecodingError):
                # The server answered, in a body no one can read: what it said (and did) is
                # unknown, so a change it was asked for may have been applied.
                call.note_failure("an undecodable body", may_have_applied=True)
            elif isinstance(exc, httpx.TransportError):
                call.note_failure(
                    type(exc).__name__, may_have_applied=not isinstance(exc, NOT_SENT)
                )
            raise
        call.in_flight = False
        if not fits:
            raise too_large(response, call, self._max_response_bytes, self._secrets(request))
        return response

    def _redact(self, text: str) -> str:
        """``text`` (say, something the server wrote) with this client's secrets masked."""
        return redact(text, known_secrets(self._core.credentials.credentials))

    def _secrets(self, request: httpx.Request) -> tuple[str, ...]:
        """Every value to mask in what this call's error might quote."""
        sent = request.headers.get("authorization")
        known = known_secrets(self._core.credentials.credentials)
        return (sent, *known) if sent else known


def _timeout_policy(
    setting: TimeoutSetting | NotGiven, current: TimeoutPolicy | None
) -> TimeoutPolicy | None:
    return current if isinstance(setting, NotGiven) else TimeoutPolicy.coerce(setting)


def _retry_policy(
    setting: RetrySetting | NotGiven, current: RetryPolicy | None, max_retries: int | None
) -> RetryPolicy | None:
    """The policy ``retry=`` and ``max_retries=`` give together (``max_retries=0``: none)."""
    policy = current if isinstance(setting, NotGiven) else RetryPolicy.coerce(setting)
    if max_retries is None:
        return policy
    if max_retries == 0:
        return None
    return (policy or RetryPolicy()).with_max_retries(max_retries)
