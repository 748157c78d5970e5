"""Credentials: a fixed token sent bare, minted HS256 JWTs, renewal, and 401 handling."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import jwt
import pytest
import respx
from support import API_KEY, JOB, JOB_ID, JOB_PATH, SECRET, TOKEN, FakeClock, drive

from videosdk_async import (
    APIKeyAuth,
    AsyncEncoderClient,
    AuthenticationError,
    ConfigurationError,
    Credentials,
    StaticToken,
)
from videosdk_async.auth import AuthLayer


def decode(token: str, secret: str = SECRET) -> dict[str, object]:
    return jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})


def recording_call_next(
    statuses: list[int],
) -> tuple[Callable[[httpx.Request], object], list[httpx.Request]]:
    """A fake rest-of-chain answering ``statuses`` in turn (the last one repeats)."""
    seen: list[httpx.Request] = []

    async def call_next(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        await asyncio.sleep(0)  # a checkpoint, so concurrent callers interleave
        status = statuses[min(len(seen) - 1, len(statuses) - 1)]
        return httpx.Response(status, request=request)

    return call_next, seen


# -- StaticToken ------------------------------------------------------------------------------


def test_static_token_is_sent_as_given_and_never_renewed() -> None:
    creds = StaticToken(f"  {TOKEN}\n")
    assert creds.token() == TOKEN
    assert creds.renewable is False
    creds.invalidate(TOKEN)
    assert creds.token() == TOKEN
    assert isinstance(creds, Credentials)


def test_static_token_repr_hides_the_token() -> None:
    text = repr(StaticToken(TOKEN))
    assert text == "StaticToken(token=***)"
    assert TOKEN[:10] not in text


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_static_token_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="token is empty"):
        StaticToken(value)


# -- APIKeyAuth: minting --------------------------------------------------------------------


def test_minted_token_is_hs256_with_apikey_iat_exp() -> None:
    clock = FakeClock(1_700_000_000.75)
    auth = APIKeyAuth(API_KEY, SECRET, clock=clock)

    token = auth.token()

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = decode(token)
    jti = claims.pop("jti")
    assert claims == {"apikey": API_KEY, "iat": 1_700_000_000, "exp": 1_700_000_600}
    assert isinstance(jti, str) and len(jti) == 32 and int(jti, 16) >= 0
    assert auth.mint_count == 1
    assert auth.renewable is True
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-sufficient-length-000", algorithms=["HS256"])


def test_minted_token_verifies_against_real_time() -> None:
    auth = APIKeyAuth(API_KEY, SECRET)
    claims = jwt.decode(auth.token(), SECRET, algorithms=["HS256"])  # exp checked against now
    assert claims["apikey"] == API_KEY
    assert claims["exp"] - claims["iat"] == 600  # type: ignore[operator]


def test_lifetime_is_configurable() -> None:
    auth = APIKeyAuth(API_KEY, SECRET, lifetime=120, clock=FakeClock(1000.0))
    claims = decode(auth.token())
    assert (claims["iat"], claims["exp"]) == (1000, 1120)


def test_token_is_reused_until_the_renewal_window_then_renewed() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, clock=clock)  # lifetime 600, renew 60 s early
    first = auth.token()

    clock.now = 1000.0 + 539.9
    assert auth.token() == first
    assert auth.mint_count == 1

    clock.now = 1000.0 + 540.0
    second = auth.token()
    assert second != first
    assert auth.mint_count == 2
    claims = decode(second)
    assert (claims["apikey"], claims["iat"], claims["exp"]) == (API_KEY, 1540, 2140)
    assert claims["jti"] != decode(first)["jti"]

    clock.now = 1540.0 + 100.0
    assert auth.token() == second
    assert auth.mint_count == 2


def test_renew_before_never_exceeds_half_the_lifetime() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, lifetime=60, renew_before=300, clock=clock)
    assert auth.renew_before == 30
    auth.token()
    clock.now = 1029.0
    auth.token()
    assert auth.mint_count == 1
    clock.now = 1030.0
    auth.token()
    assert auth.mint_count == 2


def test_invalidate_drops_only_the_current_token() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, clock=clock)
    first = auth.token()

    auth.invalidate("some-older-token")
    assert auth.token() == first
    assert auth.mint_count == 1

    clock.now = 1001.0
    auth.invalidate(first)
    assert auth.token() != first
    assert auth.mint_count == 2


def test_api_key_auth_repr_hides_the_secret() -> None:
    auth = APIKeyAuth(API_KEY, SECRET, clock=FakeClock(1_700_000_000.0))
    token = auth.token()
    text = repr(auth)
    assert SECRET not in text and token not in text and API_KEY not in text
    assert text == "APIKeyAuth(api_key='ak-0…', secret=***)"
    assert SECRET not in repr(AuthLayer(auth))


@pytest.mark.parametrize(
    ("api_key", "secret", "lifetime", "fragment"),
    [
        ("", SECRET, 600.0, "api_key is empty"),
        ("  ", SECRET, 600.0, "api_key is empty"),
        (API_KEY, "", 600.0, "secret is empty"),
        (API_KEY, SECRET, 0.0, "lifetime must be >= 2 seconds"),
        (API_KEY, SECRET, -5.0, "lifetime must be >= 2 seconds"),
    ],
)
def test_api_key_auth_refuses_bad_settings(
    api_key: str, secret: str, lifetime: float, fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment) as info:
        APIKeyAuth(api_key, secret, lifetime=lifetime)
    assert SECRET not in str(info.value)


# -- concurrency during renewal -----------------------------------------------------------------


async def test_concurrent_calls_during_renewal_mint_exactly_once() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, clock=clock)
    layer = AuthLayer(auth)
    call_next, seen = recording_call_next([200])
    old = auth.token()
    clock.now = 1000.0 + 590.0  # inside the renewal window

    responses = await asyncio.gather(
        *(drive(layer, httpx.Request("GET", "https://x/y"), call_next) for _ in range(50))
    )

    assert [r.status_code for r in responses] == [200] * 50
    assert auth.mint_count == 2
    tokens = {r.headers["Authorization"] for r in seen}
    assert len(seen) == 50
    assert len(tokens) == 1 and old not in tokens


async def test_concurrent_401s_renew_once_and_retry_each_request_once() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, clock=clock)
    old = auth.token()
    clock.now = 1005.0
    layer = AuthLayer(auth)
    refused = {old}

    seen: list[str] = []

    async def call_next(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        await asyncio.sleep(0)
        status = 401 if request.headers["Authorization"] in refused else 200
        return httpx.Response(status, request=request)

    responses = await asyncio.gather(
        *(drive(layer, httpx.Request("GET", "https://x/y"), call_next) for _ in range(50))
    )

    assert [r.status_code for r in responses] == [200] * 50
    assert auth.mint_count == 2
    assert len(seen) == 100
    assert seen[:50] == [old] * 50
    assert len(set(seen[50:])) == 1 and seen[50] != old


# -- the auth layer alone -----------------------------------------------------------------------


async def test_middleware_sets_the_bare_token() -> None:
    call_next, seen = recording_call_next([200])
    await drive(AuthLayer(StaticToken(TOKEN)), httpx.Request("GET", "https://x/y"), call_next)
    assert seen[0].headers["Authorization"] == TOKEN
    assert not seen[0].headers["Authorization"].lower().startswith("bearer")


async def test_middleware_renews_once_on_401_with_minted_tokens() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, clock=clock)
    call_next, seen = recording_call_next([401, 200])

    async def advancing(request: httpx.Request) -> httpx.Response:
        clock.now += 1  # the retry happens a second later, so the new JWT differs
        return await call_next(request)  # type: ignore[no-any-return]

    response = await drive(AuthLayer(auth), httpx.Request("GET", "https://x/y"), advancing)

    assert response.status_code == 200
    assert len(seen) == 2
    assert seen[0].headers["Authorization"] != seen[1].headers["Authorization"]
    assert decode(seen[1].headers["Authorization"])["iat"] == 1001
    assert auth.mint_count == 2
    assert seen[0] is not seen[1]  # the retry is a fresh copy of the request


async def test_middleware_retries_a_401_only_once() -> None:
    auth = APIKeyAuth(API_KEY, SECRET, clock=FakeClock(1_700_000_000.0))
    call_next, seen = recording_call_next([401])

    response = await drive(AuthLayer(auth), httpx.Request("GET", "https://x/y"), call_next)

    assert response.status_code == 401
    assert len(seen) == 2
    assert auth.mint_count == 2


async def test_middleware_does_not_retry_a_401_with_a_fixed_token() -> None:
    call_next, seen = recording_call_next([401, 200])

    response = await drive(
        AuthLayer(StaticToken(TOKEN)), httpx.Request("GET", "https://x/y"), call_next
    )

    assert response.status_code == 401
    assert len(seen) == 1


@pytest.mark.parametrize("status", [200, 403, 404, 500])
async def test_middleware_passes_other_answers_through(status: int) -> None:
    auth = APIKeyAuth(API_KEY, SECRET, clock=FakeClock(1_700_000_000.0))
    call_next, seen = recording_call_next([status])
    response = await drive(AuthLayer(auth), httpx.Request("GET", "https://x/y"), call_next)
    assert response.status_code == status
    assert len(seen) == 1
    assert auth.mint_count == 1


# -- through the client -------------------------------------------------------------------------


async def test_client_sends_a_minted_jwt(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH).respond(200, json=JOB)

    async with AsyncEncoderClient(api_key=API_KEY, secret=SECRET, retry=None) as client:
        await client.jobs.get(JOB_ID)

    sent = route.calls.last.request.headers["Authorization"]
    claims = jwt.decode(sent, SECRET, algorithms=["HS256"])
    assert set(claims) == {"apikey", "iat", "exp", "jti"}
    assert claims["apikey"] == API_KEY
    assert claims["exp"] - claims["iat"] == 600  # type: ignore[operator]


async def test_client_token_lifetime_is_configurable(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH).respond(200, json=JOB)

    async with AsyncEncoderClient(
        api_key=API_KEY, secret=SECRET, token_lifetime=90, retry=None
    ) as client:
        await client.jobs.get(JOB_ID)

    claims = decode(route.calls.last.request.headers["Authorization"])
    assert claims["exp"] - claims["iat"] == 90  # type: ignore[operator]


async def test_client_mints_once_for_50_concurrent_calls(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH).respond(200, json=JOB)

    async with AsyncEncoderClient(api_key=API_KEY, secret=SECRET, retry=None) as client:
        jobs = await asyncio.gather(*(client.jobs.get(JOB_ID) for _ in range(50)))
        credentials = client._core.credentials.credentials

    assert [j.id for j in jobs] == [JOB_ID] * 50
    assert isinstance(credentials, APIKeyAuth)
    assert credentials.mint_count == 1
    assert route.call_count == 50
    assert len({c.request.headers["Authorization"] for c in route.calls}) == 1


async def test_client_renews_on_401_and_retries_that_request_once(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH)
    route.side_effect = [
        httpx.Response(401, json={"message": "jwt expired"}),
        httpx.Response(200, json=JOB),
    ]

    async with AsyncEncoderClient(api_key=API_KEY, secret=SECRET, retry=None) as client:
        job = await client.jobs.get(JOB_ID)
        credentials = client._core.credentials.credentials

    assert job.id == JOB_ID
    assert route.call_count == 2
    assert isinstance(credentials, APIKeyAuth)
    assert credentials.mint_count == 2
    for call in route.calls:
        assert decode(call.request.headers["Authorization"])["apikey"] == API_KEY


async def test_client_401_twice_with_minted_tokens_is_authentication_error(
    api: respx.MockRouter,
) -> None:
    route = api.delete(JOB_PATH).respond(401, json={"message": "invalid signature"})

    async with AsyncEncoderClient(api_key=API_KEY, secret=SECRET, retry=None) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.jobs.delete(JOB_ID)

    assert route.call_count == 2
    assert SECRET not in str(info.value)


async def test_client_401_with_fixed_token_is_final(api: respx.MockRouter) -> None:
    route = api.get(JOB_PATH).respond(401, json={"message": "Unauthorized"})

    async with AsyncEncoderClient(token=TOKEN, retry=None) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.jobs.get(JOB_ID)

    assert route.call_count == 1
    assert route.calls.last.request.headers["Authorization"] == TOKEN
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    assert info.value.status_code == 401


async def test_401_renewal_happens_inside_retries(api: respx.MockRouter) -> None:
    """A 503 then a 401: the retry layer retries, and auth renews on that attempt."""
    from videosdk_async import RetryPolicy

    async def no_sleep(_: float) -> None:
        return None

    route = api.get(JOB_PATH)
    route.side_effect = [
        httpx.Response(503),
        httpx.Response(401),
        httpx.Response(200, json=JOB),
    ]
    retry = RetryPolicy(sleep=no_sleep)

    async with AsyncEncoderClient(api_key=API_KEY, secret=SECRET, retry=retry) as client:
        job = await client.jobs.get(JOB_ID)

    assert job.id == JOB_ID
    assert route.call_count == 3


async def test_client_with_injected_auth_renews_before_expiry(api: respx.MockRouter) -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, lifetime=300, clock=clock)  # renews 60 s before expiry
    route = api.get(JOB_PATH).respond(200, json=JOB)

    async with AsyncEncoderClient(auth=auth, retry=None) as client:
        await client.jobs.get(JOB_ID)
        clock.now = 1239.0
        await client.jobs.get(JOB_ID)
        clock.now = 1240.0
        await asyncio.gather(*(client.jobs.get(JOB_ID) for _ in range(50)))

    sent = [call.request.headers["Authorization"] for call in route.calls]
    assert len(sent) == 52
    assert sent[0] == sent[1]
    assert len(set(sent[2:])) == 1 and sent[2] != sent[0]
    assert auth.mint_count == 2
    assert decode(sent[2])["iat"] == 1240
    assert decode(sent[2])["exp"] == 1540


@pytest.mark.parametrize(
    "kwargs",
    [{"token": TOKEN}, {"api_key": API_KEY, "secret": SECRET}, {"secret": SECRET}],
)
def test_client_refuses_auth_together_with_other_credentials(
    clean_env: pytest.MonkeyPatch, kwargs: dict[str, str]
) -> None:
    with pytest.raises(ConfigurationError, match="only one") as info:
        AsyncEncoderClient(auth=StaticToken(TOKEN), **kwargs)  # type: ignore[arg-type]
    assert TOKEN not in str(info.value) and SECRET not in str(info.value)


# -- what a mutation run found untested (issue 13) -------------------------------------------


@pytest.mark.parametrize(("api_key", "shown"), [("abcdefgh", "…"), ("abcdefghi", "abcd…")])
def test_the_repr_shows_four_characters_of_a_key_only_when_it_is_longer_than_eight(
    api_key: str, shown: str
) -> None:
    assert repr(APIKeyAuth(api_key, SECRET)) == f"APIKeyAuth(api_key={shown!r}, secret=***)"


@pytest.mark.parametrize(("lifetime", "ok"), [(2, True), (2.0, True), (1.999, False)])
def test_a_token_lifetime_of_two_seconds_is_the_shortest(lifetime: float, ok: bool) -> None:
    if ok:
        assert APIKeyAuth(API_KEY, SECRET, lifetime=lifetime).lifetime == lifetime
    else:
        with pytest.raises(ConfigurationError, match=r"lifetime must be >= 2 seconds, got 1\.999"):
            APIKeyAuth(API_KEY, SECRET, lifetime=lifetime)


def test_the_current_token_and_the_four_before_it_are_masked() -> None:
    clock = FakeClock(1000.0)
    auth = APIKeyAuth(API_KEY, SECRET, lifetime=600, clock=clock)
    minted = []
    for _ in range(7):
        minted.append(auth.token())
        auth.invalidate(minted[-1])
    current = auth.token()
    assert auth.secrets() == (SECRET, API_KEY, current, *reversed(minted[-4:]))


def test_a_short_account_secret_mints_without_a_warning() -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        APIKeyAuth(API_KEY, "short").token()  # PyJWT warns about HMAC keys this short
    assert caught == []


async def test_a_custom_providers_sendable_token_is_sent() -> None:
    class Provider:
        renewable = False

        def token(self) -> str:
            return TOKEN

        def invalidate(self, refused: str) -> None:
            pass

    call_next, seen = recording_call_next([200])
    await drive(AuthLayer(Provider()), httpx.Request("GET", "https://x/y"), call_next)
    assert seen[0].headers["Authorization"] == TOKEN
