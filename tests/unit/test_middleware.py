"""The chain: validation, order, composition, with_options, auth renewal, redacted logging."""

from __future__ import annotations

import logging

import anyio
import httpx
import jwt
import pytest
from support import TOKEN, Always, FakeClock, job_json, make_client

from videosdk_async import (
    APIKeyAuth,
    AsyncEncoderClient,
    AuthenticationError,
    CallNext,
    RetryPolicy,
)
from videosdk_async.auth import AuthLayer
from videosdk_async.logs import LoggingLayer
from videosdk_async.middleware import Call, UserMiddleware, compose, validate_middleware
from videosdk_async.retry import RetryLayer
from videosdk_async.timeouts import DeadlineLayer

SECRET = "a-very-secret-signing-key-0123456789abcdef"


async def passthrough(request: httpx.Request, call_next: CallNext) -> httpx.Response:
    return await call_next(request)


class Tagger:
    """A class-based middleware that records the attempts it sees."""

    def __init__(self, tag: str, log: list[str]) -> None:
        self.tag = tag
        self.log = log

    async def __call__(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        self.log.append(f"{self.tag}>")
        response = await call_next(request)
        self.log.append(f"<{self.tag}")
        return response


# -- validation -----------------------------------------------------------------------------


def test_sync_callable_is_refused_at_construction() -> None:
    def sync_mw(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        raise AssertionError

    with pytest.raises(TypeError, match="must be an async callable"):
        AsyncEncoderClient(TOKEN, middleware=[sync_mw])  # type: ignore[list-item]


def test_wrong_signature_is_refused_at_construction() -> None:
    async def one_arg(request: httpx.Request) -> httpx.Response:
        raise AssertionError

    with pytest.raises(TypeError, match="two positional arguments"):
        AsyncEncoderClient(TOKEN, middleware=[one_arg])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not callable"):
        validate_middleware(42)


def test_functions_and_classes_are_both_accepted() -> None:
    assert validate_middleware(passthrough) is passthrough
    tagger = Tagger("t", [])
    assert validate_middleware(tagger) is tagger


# -- order and composition ------------------------------------------------------------------


def test_default_order_is_visible() -> None:
    tagger = Tagger("user", [])
    client = AsyncEncoderClient(TOKEN, middleware=[tagger])
    kinds = [type(m) for m in client.middleware]
    assert kinds == [DeadlineLayer, RetryLayer, UserMiddleware, AuthLayer, LoggingLayer]


def test_policies_can_be_disabled() -> None:
    client = AsyncEncoderClient(TOKEN, timeout=None, retry=None)
    assert [type(m) for m in client.middleware] == [AuthLayer, LoggingLayer]
    assert RetryPolicy.disabled().max_attempts == 1
    for off in (None, 0):
        client = AsyncEncoderClient(TOKEN, retry=off)
        assert client.retry is None and client.max_retries == 0
        assert AsyncEncoderClient(TOKEN, max_retries=0).retry is None


def test_compose_runs_outermost_first() -> None:
    log: list[str] = []

    async def terminal(request: httpx.Request, call: Call) -> httpx.Response:
        log.append(f"send {call.label}")
        return httpx.Response(204)

    handler = compose(
        [UserMiddleware(Tagger("a", log)), UserMiddleware(Tagger("b", log))], terminal
    )
    response = anyio.run(handler, httpx.Request("GET", "https://x/"), Call("GET", "/"))
    assert response.status_code == 204
    assert log == ["a>", "b>", "send GET /", "<b", "<a"]


def test_user_middleware_runs_on_every_attempt_outside_auth() -> None:
    clock = FakeClock()
    log: list[str] = []
    answers = iter([httpx.Response(503), httpx.Response(200, json=job_json())])

    async def scenario() -> None:
        async with make_client(
            lambda r: next(answers), clock, middleware=[Tagger("user", log)]
        ) as client:
            await client.jobs.get("abc")

    anyio.run(scenario)
    assert log == ["user>", "<user", "user>", "<user"]

    # User middleware sits between the retry loop and auth: it sees each attempt, and the
    # token is set after it, on the request it passes on.
    seen: list[str | None] = []
    sent: list[str | None] = []

    async def spy(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        return await call_next(request)

    def ok(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("Authorization"))
        return httpx.Response(200, json=job_json())

    client = make_client(ok, clock, middleware=[spy])

    async def run() -> None:
        await client.jobs.get("abc")

    anyio.run(run)
    assert seen == [None]
    assert sent == [TOKEN]
    with pytest.raises(TypeError):
        client.with_options(chain=[spy])  # type: ignore[call-arg]


def test_with_options_shares_the_pool_and_changes_only_policy() -> None:
    client = AsyncEncoderClient(TOKEN)
    quick = client.with_options(timeout=2, max_retries=1)
    assert quick._core is client._core
    assert quick.timeout is not None and quick.timeout.deadline == 2.0
    assert quick.retry is not None and quick.retry.max_attempts == 2 and quick.max_retries == 1
    assert client.timeout is not None and client.timeout.deadline == 60.0

    async def scenario() -> None:
        await quick.aclose()  # a copy borrows the pool: closing it closes nothing
        assert not client.is_closed
        await client.aclose()
        assert quick.is_closed

    anyio.run(scenario)


# -- auth as middleware ---------------------------------------------------------------------


def test_minted_token_renews_once_on_401() -> None:
    clock = FakeClock()
    auth = APIKeyAuth("key-abcdef", SECRET, clock=clock)
    tokens: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["Authorization"])
        if len(tokens) == 1:
            return httpx.Response(401, json={"message": "token expired"})
        return httpx.Response(200, json=job_json())

    async def scenario() -> None:
        async with make_client(handler, clock, token=None, auth=auth) as client:
            await client.jobs.get("abc")

    anyio.run(scenario)
    assert len(tokens) == 2
    assert tokens[0] != tokens[1]
    assert auth.mint_count == 2
    claims = jwt.decode(tokens[1], SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["apikey"] == "key-abcdef"
    assert claims["exp"] - claims["iat"] == 600


def test_fixed_token_401_is_final() -> None:
    clock = FakeClock()
    handler = Always(401, json={"message": "invalid token"})

    async def scenario() -> None:
        async with make_client(handler, clock) as client:
            with pytest.raises(AuthenticationError) as caught:
                await client.jobs.get("abc")
        assert TOKEN not in str(caught.value)

    anyio.run(scenario)
    assert handler.calls == 1


def test_concurrent_401s_mint_once() -> None:
    auth = APIKeyAuth("key-abcdef", SECRET)
    first = auth.token()
    for _ in range(50):
        auth.invalidate(first)
    second = auth.token()
    for _ in range(50):
        auth.invalidate(first)  # stale refusals do not drop the fresh token
    assert auth.token() == second
    assert auth.mint_count == 2


# -- logging --------------------------------------------------------------------------------


def test_logging_one_line_per_attempt_and_retry_decisions_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    answers = iter([httpx.Response(503), httpx.Response(200, json=job_json())])

    async def scenario() -> None:
        async with make_client(lambda r: next(answers), clock) as client:
            await client.jobs.get("abc")

    with caplog.at_level(logging.DEBUG, logger="videosdk_async"):
        anyio.run(scenario)
    lines = [r.getMessage() for r in caplog.records if r.name == "videosdk_async"]
    assert lines[0].startswith("GET /v1/encoder/jobs/abc -> 503 in ")
    assert lines[0].endswith("(attempt 1)")
    assert lines[1] == (
        "retrying GET /v1/encoder/jobs/abc (job abc) in 0.250s (attempt 2 of 3): HTTP 503"
    )
    assert lines[2].startswith("GET /v1/encoder/jobs/abc -> 200 in ")
    assert lines[2].endswith("(attempt 2)")
    assert all(TOKEN not in line and "Authorization" not in line for line in lines)


@pytest.mark.parametrize(("level", "lines"), [(logging.WARNING, 0), (logging.INFO, 1)])
def test_logging_is_silent_and_free_when_off(
    monkeypatch: pytest.MonkeyPatch, level: int, lines: int
) -> None:
    """With INFO off the layer does no logging work at all (not even a call that the logger
    would then drop); with INFO on, one line per attempt."""
    logger = logging.getLogger("videosdk_async")
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(logger, "info", lambda *args, **kwargs: calls.append(args))
    before = logger.level
    logger.setLevel(level)  # setLevel also clears the logger's isEnabledFor cache
    clock = FakeClock()

    async def scenario() -> None:
        async with make_client(lambda r: httpx.Response(200, json=job_json()), clock) as client:
            await client.jobs.get("abc")

    try:
        anyio.run(scenario)
    finally:
        logger.setLevel(before)
    assert len(calls) == lines


def test_videosdk_log_env_turns_logging_on(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("videosdk_async")
    before_level, before_handlers = logger.level, list(logger.handlers)
    monkeypatch.setenv("VIDEOSDK_LOG", "debug")
    try:
        AsyncEncoderClient(TOKEN)
        AsyncEncoderClient(TOKEN)
        assert logger.level == logging.DEBUG
        ours = [h for h in logger.handlers if getattr(h, "_videosdk", False)]
        assert len(ours) == 1  # configured once, however many clients
    finally:
        logger.setLevel(before_level)
        logger.handlers[:] = before_handlers


def test_the_chain_names_each_user_middleware() -> None:
    """A function by its qualified name, a callable object by its class's."""
    client = AsyncEncoderClient(TOKEN, middleware=[passthrough, Tagger("t", [])])
    names = [repr(m) for m in client.middleware]
    assert names[2:4] == ["passthrough", "Tagger"]
