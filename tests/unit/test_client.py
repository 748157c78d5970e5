"""AsyncEncoderClient: settings from arguments and env, base URL safety, lifecycle, with_options."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import anyio
import httpx
import jwt
import pytest
import respx
from support import API_KEY, JOB, JOB_ID, JOB_PATH, SECRET, TOKEN

from videosdk_async import (
    APIKeyAuth,
    AsyncEncoderClient,
    ClientStateError,
    ConfigurationError,
    StaticToken,
    __version__,
)
from videosdk_async.auth import AuthLayer
from videosdk_async.logs import LoggingLayer
from videosdk_async.retry import RetryLayer
from videosdk_async.timeouts import DeadlineLayer


def mock_http(
    seen: list[httpx.Request], status: int = 200, body: object = JOB
) -> httpx.AsyncClient:
    """A borrowed httpx client over MockTransport that records what it is sent."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


# -- credentials ------------------------------------------------------------------------------


async def test_token_from_env(api: respx.MockRouter, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIDEOSDK_TOKEN", TOKEN)
    route = api.get(JOB_PATH).respond(200, json=JOB)

    async with AsyncEncoderClient(retry=None) as client:
        await client.jobs.get(JOB_ID)
        assert isinstance(client._core.credentials.credentials, StaticToken)

    assert route.calls.last.request.headers["Authorization"] == TOKEN


async def test_api_key_and_secret_from_env(
    api: respx.MockRouter, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("VIDEOSDK_API_KEY", API_KEY)
    clean_env.setenv("VIDEOSDK_SECRET_KEY", SECRET)
    route = api.get(JOB_PATH).respond(200, json=JOB)

    async with AsyncEncoderClient(retry=None) as client:
        await client.jobs.get(JOB_ID)
        assert isinstance(client._core.credentials.credentials, APIKeyAuth)

    claims = jwt.decode(route.calls.last.request.headers["Authorization"], SECRET, ["HS256"])
    assert claims["apikey"] == API_KEY


def test_env_api_key_and_secret_win_over_a_stale_env_token(clean_env: pytest.MonkeyPatch) -> None:
    """A key + secret mints fresh tokens; an exported token goes stale: the pair wins."""
    clean_env.setenv("VIDEOSDK_TOKEN", TOKEN)
    clean_env.setenv("VIDEOSDK_API_KEY", API_KEY)
    clean_env.setenv("VIDEOSDK_SECRET_KEY", SECRET)
    client = AsyncEncoderClient()
    assert isinstance(client._core.credentials.credentials, APIKeyAuth)
    assert client.credential_source == "VIDEOSDK_API_KEY and VIDEOSDK_SECRET_KEY"
    assert AsyncEncoderClient(token=TOKEN).credential_source == "the token argument"


def test_arguments_win_over_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIDEOSDK_TOKEN", "env-token-value")
    client = AsyncEncoderClient(api_key=API_KEY, secret=SECRET)
    assert isinstance(client._core.credentials.credentials, APIKeyAuth)
    assert AsyncEncoderClient(token=TOKEN)._core.credentials.credentials.token() == TOKEN


async def test_base_url_from_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIDEOSDK_BASE_URL", "https://vod.example.test/api/")
    with respx.mock(base_url="https://vod.example.test/api", assert_all_called=False) as mock:
        route = mock.get(JOB_PATH).respond(200, json=JOB)
        async with AsyncEncoderClient(token=TOKEN, retry=None) as client:
            assert client.base_url == "https://vod.example.test/api"
            await client.jobs.get(JOB_ID)

    assert route.calls.last.request.url == f"https://vod.example.test/api{JOB_PATH}"


def test_base_url_argument_wins_over_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIDEOSDK_BASE_URL", "https://env.example.test")
    client = AsyncEncoderClient(token=TOKEN, base_url="https://arg.example.test")
    assert client.base_url == "https://arg.example.test"


def test_default_base_url(clean_env: pytest.MonkeyPatch) -> None:
    assert AsyncEncoderClient(token=TOKEN).base_url == "https://api.videosdk.live"


def test_no_credentials_names_arguments_and_variables(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as info:
        AsyncEncoderClient()
    message = str(info.value)
    for name in (
        "token=",
        "api_key=",
        "secret=",
        "VIDEOSDK_TOKEN",
        "VIDEOSDK_API_KEY",
        "VIDEOSDK_SECRET_KEY",
    ):
        assert name in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VIDEOSDK_API_KEY": API_KEY}, "VIDEOSDK_API_KEY is set but VIDEOSDK_SECRET_KEY is not"),
        ({"VIDEOSDK_SECRET_KEY": SECRET}, "VIDEOSDK_SECRET_KEY is set but VIDEOSDK_API_KEY is not"),
        (
            {"VIDEOSDK_API_KEY": API_KEY, "VIDEOSDK_TOKEN": TOKEN},
            "VIDEOSDK_API_KEY is set but VIDEOSDK_SECRET_KEY is not",
        ),
        ({"VIDEOSDK_TOKEN": ""}, "no credentials"),
    ],
)
def test_incomplete_env_credentials_are_refused(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message) as info:
        AsyncEncoderClient()
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"token": TOKEN, "api_key": API_KEY}, "not both"),
        ({"token": TOKEN, "api_key": API_KEY, "secret": SECRET}, "not both"),
        ({"token": TOKEN, "secret": SECRET}, "not both"),
        ({"api_key": API_KEY}, "must be given together"),
        ({"secret": SECRET}, "must be given together"),
        ({"token": "  "}, "token is empty"),
    ],
)
def test_conflicting_or_partial_credentials_are_refused(
    clean_env: pytest.MonkeyPatch, kwargs: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment) as info:
        AsyncEncoderClient(**kwargs)  # type: ignore[arg-type]
    assert TOKEN not in str(info.value) and SECRET not in str(info.value)


# -- base URL safety --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://api.videosdk.live", "http://10.0.0.5:8080", "http://example.com/api"]
)
def test_plain_http_to_remote_host_is_refused(clean_env: pytest.MonkeyPatch, url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        AsyncEncoderClient(token=TOKEN, base_url=url)
    assert "allow_insecure_http=True" in str(info.value)
    assert url in str(info.value)
    assert TOKEN not in str(info.value)


def test_plain_http_from_env_is_refused_too(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIDEOSDK_BASE_URL", "http://api.videosdk.live")
    with pytest.raises(ConfigurationError, match="plain http"):
        AsyncEncoderClient(token=TOKEN)


def test_plain_http_allowed_when_asked(clean_env: pytest.MonkeyPatch) -> None:
    client = AsyncEncoderClient(
        token=TOKEN, base_url="http://api.internal:8080", allow_insecure_http=True
    )
    assert client.base_url == "http://api.internal:8080"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://127.10.0.1",
        "http://[::1]:8000",
        "http://emulator.localhost",
    ],
)
def test_plain_http_to_loopback_is_allowed(clean_env: pytest.MonkeyPatch, url: str) -> None:
    assert AsyncEncoderClient(token=TOKEN, base_url=url).base_url == url


@pytest.mark.parametrize("url", ["ftp://api.videosdk.live", "api.videosdk.live", "https://"])
def test_non_http_base_url_is_refused(clean_env: pytest.MonkeyPatch, url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        AsyncEncoderClient(token=TOKEN, base_url=url)


async def test_plain_http_to_loopback_sends_requests_there() -> None:
    seen: list[httpx.Request] = []
    async with AsyncEncoderClient(
        token=TOKEN, base_url="http://127.0.0.1:8765", http_client=mock_http(seen), retry=None
    ) as client:
        await client.jobs.get(JOB_ID)
    assert str(seen[0].url) == f"http://127.0.0.1:8765{JOB_PATH}"


# -- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 101, True, 2.5, "8"])
def test_max_concurrency_is_validated(clean_env: pytest.MonkeyPatch, value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_concurrency"):
        AsyncEncoderClient(token=TOKEN, max_concurrency=value)  # type: ignore[arg-type]


def test_default_chain_order(clean_env: pytest.MonkeyPatch) -> None:
    client = AsyncEncoderClient(token=TOKEN)
    assert [type(m) for m in client.middleware] == [
        DeadlineLayer,
        RetryLayer,
        AuthLayer,
        LoggingLayer,
    ]
    bare = AsyncEncoderClient(token=TOKEN, retry=None, timeout=None)
    assert [type(m) for m in bare.middleware] == [AuthLayer, LoggingLayer]


async def test_every_request_carries_accept_user_agent_and_bare_token() -> None:
    seen: list[httpx.Request] = []
    async with AsyncEncoderClient(token=TOKEN, http_client=mock_http(seen), retry=None) as client:
        await client.jobs.get(JOB_ID)
    headers = seen[0].headers
    assert headers["Accept"] == "application/json"
    assert headers["Authorization"] == TOKEN
    assert not headers["Authorization"].lower().startswith("bearer")


async def test_owned_and_borrowed_clients_send_one_user_agent(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH).respond(200, json=JOB)
    python = ".".join(str(n) for n in sys.version_info[:3])
    expected = f"videosdk-async/{__version__} python/{python} httpx/{httpx.__version__}"
    async with AsyncEncoderClient(token=TOKEN, retry=None) as client:
        await client.jobs.get(JOB_ID)
    assert route.calls.last.request.headers["User-Agent"] == expected
    async with (
        httpx.AsyncClient(headers={"X-Team": "media"}) as http,
        AsyncEncoderClient(token=TOKEN, retry=None, http_client=http) as borrowed,
    ):
        await borrowed.jobs.get(JOB_ID)
    sent = route.calls.last.request.headers
    assert sent["User-Agent"] == expected
    assert sent["X-Team"] == "media"  # the borrowed client's own defaults still go out


async def test_result_carries_raw_response(api: respx.MockRouter) -> None:
    api.get(JOB_PATH).respond(200, json=JOB, headers={"X-Request-Id": "r-1"})
    async with AsyncEncoderClient(token=TOKEN, retry=None) as client:
        job = await client.jobs.get(JOB_ID)
    raw = job.raw_response
    assert raw is not None
    assert (raw.status_code, raw.method, raw.attempts) == (200, "GET", 1)
    assert raw.url == f"https://api.videosdk.live{JOB_PATH}"
    assert raw.headers["X-Request-Id"] == "r-1"


# -- lifecycle --------------------------------------------------------------------------------


async def test_owned_http_client_is_closed_on_exit(clean_env: pytest.MonkeyPatch) -> None:
    client = AsyncEncoderClient(token=TOKEN)
    async with client:
        assert client.is_closed is False
        assert client._core.http.is_closed is False
    assert client.is_closed is True
    assert client._core.http.is_closed is True


async def test_borrowed_http_client_is_never_closed() -> None:
    seen: list[httpx.Request] = []
    http = mock_http(seen)
    async with AsyncEncoderClient(token=TOKEN, http_client=http, retry=None) as client:
        await client.jobs.get(JOB_ID)
    assert client.is_closed is True
    assert http.is_closed is False
    response = await http.get("https://api.videosdk.live/still-usable")
    assert response.status_code == 200
    await http.aclose()


async def test_aclose_is_idempotent(clean_env: pytest.MonkeyPatch) -> None:
    client = AsyncEncoderClient(token=TOKEN)
    async with client:
        pass
    http = client._core.http
    assert http.is_closed
    await client.aclose()
    await client.aclose()
    await client.__aexit__(None, None, None)
    assert client.is_closed and http.is_closed


async def test_entering_a_closed_client_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    client = AsyncEncoderClient(token=TOKEN)
    await client.aclose()
    with pytest.raises(ClientStateError, match="closed"):
        await client.__aenter__()


async def test_call_on_closed_client_raises_before_any_request() -> None:
    seen: list[httpx.Request] = []
    client = AsyncEncoderClient(token=TOKEN, http_client=mock_http(seen), retry=None)
    async with client:
        await client.jobs.get(JOB_ID)

    for call in (
        lambda: client.jobs.get(JOB_ID),
        lambda: client.jobs.delete(JOB_ID),
        lambda: client.jobs.list(),
        lambda: client.jobs.create(
            video_id="v", presets=[{"resolutions": ["360"], "format": "hls"}]
        ),
    ):
        with pytest.raises(ClientStateError, match="is closed") as info:
            await call()
        assert "\n" not in str(info.value)
    assert len(seen) == 1


def test_client_used_from_a_second_event_loop_is_refused() -> None:
    seen: list[httpx.Request] = []
    client = AsyncEncoderClient(token=TOKEN, http_client=mock_http(seen), retry=None)

    async def first_loop() -> None:
        await client.__aenter__()
        await client.jobs.get(JOB_ID)

    async def second_loop() -> None:
        with pytest.raises(ClientStateError, match="another event loop"):
            await client.jobs.get(JOB_ID)
        with pytest.raises(ClientStateError, match="another event loop"):
            await client.__aenter__()

    asyncio.run(first_loop())
    asyncio.run(second_loop())
    assert len(seen) == 1


def test_client_never_used_can_be_opened_in_any_loop() -> None:
    seen: list[httpx.Request] = []
    client = AsyncEncoderClient(token=TOKEN, http_client=mock_http(seen), retry=None)

    async def use() -> str:
        async with client:
            return (await client.jobs.get(JOB_ID)).id

    assert asyncio.run(use()) == JOB_ID


def test_client_runs_under_trio() -> None:
    seen: list[httpx.Request] = []

    async def main() -> str:
        async with AsyncEncoderClient(
            token=TOKEN, http_client=mock_http(seen), retry=None
        ) as client:
            return (await client.jobs.get(JOB_ID)).id

    assert anyio.run(main, backend="trio") == JOB_ID
    assert seen[0].url.path == JOB_PATH


# -- repr: no secrets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: AsyncEncoderClient(token=TOKEN),
        lambda: AsyncEncoderClient(api_key=API_KEY, secret=SECRET),
        lambda: AsyncEncoderClient(auth=APIKeyAuth(API_KEY, SECRET)),
    ],
)
async def test_client_repr_shows_no_secret(
    clean_env: pytest.MonkeyPatch, make: Callable[[], AsyncEncoderClient]
) -> None:
    client = make()
    client._core.credentials.credentials.token()  # a minted token exists now
    minted = client._core.credentials.credentials.token()
    async with client:
        text = repr(client)
        assert text.startswith("AsyncEncoderClient(base_url='https://api.videosdk.live', auth=")
        assert text.endswith(", open)")
    assert repr(client).endswith(", closed)")
    for secret in (TOKEN, SECRET, minted, API_KEY):
        assert secret not in repr(client)
        assert secret not in repr(client.middleware)
        assert secret not in repr(client.with_options())


# -- with_options -----------------------------------------------------------------------------


async def test_with_options_shares_the_pool_and_credentials(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH).respond(200, json=JOB)
    async with AsyncEncoderClient(token=TOKEN) as client:
        copy = client.with_options(timeout=5, retry=None)

        assert copy._core is client._core
        assert copy._core.http is client._core.http
        assert copy.timeout is not None and copy.timeout.deadline == 5.0
        assert copy.retry is None
        assert client.retry is not None  # the original keeps its policies
        assert client.timeout is not None and client.timeout.deadline == 60.0
        assert [type(m) for m in copy.middleware] == [DeadlineLayer, AuthLayer, LoggingLayer]
        job = await copy.jobs.get(JOB_ID)

    assert job.id == JOB_ID
    assert route.calls.last.request.headers["Authorization"] == TOKEN


async def test_closing_a_with_options_copy_does_not_close_the_original(
    api: respx.MockRouter,
) -> None:
    route = api.get(JOB_PATH).respond(200, json=JOB)
    async with AsyncEncoderClient(token=TOKEN, retry=None) as client:
        async with client.with_options(retry=2) as copy:
            await copy.jobs.get(JOB_ID)
        await copy.aclose()

        assert client.is_closed is False
        assert client._core.http.is_closed is False
        await client.jobs.get(JOB_ID)
        await copy.jobs.get(JOB_ID)  # the copy still works while the original is open

    assert route.call_count == 3
    assert client._core.http.is_closed is True
    with pytest.raises(ClientStateError, match="closed"):
        await copy.jobs.get(JOB_ID)


async def test_with_options_keeps_user_middleware_unless_replaced(
    api: respx.MockRouter,
) -> None:
    api.get(JOB_PATH).respond(200, json=JOB)
    calls: list[str] = []

    async def tag(request: httpx.Request, call_next: Callable[..., object]) -> httpx.Response:
        calls.append(request.url.path)
        return await call_next(request)  # type: ignore[no-any-return,misc]

    async with AsyncEncoderClient(token=TOKEN, retry=None, middleware=[tag]) as client:
        await client.with_options(timeout=3).jobs.get(JOB_ID)
        await client.with_options(middleware=[]).jobs.get(JOB_ID)

    assert calls == [JOB_PATH]


def test_credentials_in_the_base_url_are_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AsyncEncoderClient("tok", base_url="https://user:hunter2@api.videosdk.live")
    assert "hunter2" not in str(caught.value)
    assert "must not carry credentials" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.videosdk.live/?token=hunter2secret",
        "https://api.videosdk.live/v1?",
        "https://api.videosdk.live/#hunter2secret",
        "http://127.0.0.1:8788/base?x=hunter2secret#frag",
    ],
)
def test_a_query_or_fragment_in_the_base_url_is_refused_unquoted(url: str) -> None:
    # Paths are added to the base URL: "?..." or "#..." would send every call to its root,
    # or drop the path into a fragment. What follows them may be a pasted secret.
    with pytest.raises(ConfigurationError) as caught:
        AsyncEncoderClient("tok", base_url=url)
    message = str(caught.value)
    assert "must not carry a query or a fragment" in message
    assert "hunter2" not in message and "hunter2" not in repr(caught.value)
    bare = url.split("?")[0].split("#")[0].rstrip("/")
    assert message.endswith(f"give {bare!r}")


async def test_in_flight_counts_calls_holding_a_slot() -> None:
    """client.in_flight: how many calls hold a slot now (what a metrics gauge reads)."""
    release = anyio.Event()
    seen: list[int] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json=JOB)

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    async with AsyncEncoderClient(token=TOKEN, http_client=http, max_concurrency=2) as client:
        assert client.in_flight == 0
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(client.jobs.get, JOB_ID)
            await anyio.wait_all_tasks_blocked()
            seen.append(client.in_flight)
            release.set()
        seen.append(client.in_flight)
    await http.aclose()
    assert seen == [2, 0]  # two in flight (the third queued in the client), then none
