"""Authentication: bare JWTs, the fixed token, and every way to get a 401 (Bearer included)."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from videosdk_async.emulator import Emulator

PATH = "/v1/encoder/jobs"


async def status_with(emu: Emulator, header: str | None) -> tuple[int, dict[str, str]]:
    async with emu.client() as api:
        headers = {} if header is None else {"Authorization": header}
        if header is None:
            api.headers.pop("Authorization")
        response = await api.get(PATH, headers=headers)
        return response.status_code, response.json()


async def test_valid_credentials(emu: Emulator) -> None:
    token = emu.mint_token()
    assert (await status_with(emu, token))[0] == 200
    refused = await status_with(emu, f"Bearer {token}")
    assert refused == (401, {"message": refused[1]["message"]})
    assert "without a 'Bearer' prefix" in refused[1]["message"]
    assert (await status_with(emu, emu.token))[0] == 200
    no_exp = jwt.encode({"apikey": emu.api_key}, emu.secret, algorithm="HS256")
    assert (await status_with(emu, no_exp))[0] == 200


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda e: None, "Missing Authorization"),
        (lambda e: "", "Missing Authorization"),
        (lambda e: "Bearer ", "without a 'Bearer' prefix"),
        (lambda e: "garbage", "Invalid token"),
        (
            lambda e: jwt.encode(
                {"apikey": e.api_key}, "wrong-secret-wrong-secret-wrong-secret", algorithm="HS256"
            ),
            "Signature verification failed",
        ),
        (
            lambda e: jwt.encode(
                {"apikey": e.api_key, "exp": int(time.time()) - 60}, e.secret, algorithm="HS256"
            ),
            "expired",
        ),
        (lambda e: e.mint_token(apikey="someone-else"), "apikey"),
        (lambda e: jwt.encode({"sub": "x"}, e.secret, algorithm="HS256"), "apikey"),
        (
            lambda e: jwt.encode({"apikey": e.api_key}, e.secret, algorithm="HS512"),
            "Invalid token",
        ),
        (lambda e: e.token + "x", "Invalid token"),
    ],
)
async def test_rejected(emu: Emulator, make: object, needle: str) -> None:
    header = make(emu)  # type: ignore[operator]
    status, body = await status_with(emu, header)
    assert status == 401
    assert needle.lower() in body["message"].lower()


async def test_expiry_honoured_after_caching(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = emu.mint_token(expires_in=60)
    assert (await status_with(emu, token))[0] == 200  # now cached
    real = time.time
    monkeypatch.setattr("videosdk_async.emulator.auth.time.time", lambda: real() + 3600)
    status, body = await status_with(emu, token)
    assert status == 401
    assert body["message"] == "Token expired"


async def test_every_api_route_needs_auth(emu: Emulator) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu.app), base_url="http://e"
    ) as anon:
        for method, path in [
            ("POST", "/v1/encoder/jobs"),
            ("GET", "/v1/encoder/jobs"),
            ("GET", "/v1/encoder/jobs/abc"),
            ("DELETE", "/v1/encoder/jobs/abc"),
            ("POST", "/v1/files"),
            ("POST", "/storage/v1/files"),
            ("GET", "/storage/v1/files"),
            ("GET", "/storage/v1/files/abc"),
            ("DELETE", "/storage/v1/files/abc"),
        ]:
            response = await anon.request(method, path)
            assert response.status_code == 401, (method, path)
            assert "message" in response.json()
        # admin endpoints need none
        assert (await anon.get("/_emulator/health")).status_code == 200


async def test_configured_credentials() -> None:
    with Emulator(
        api_key="key-1", secret="s3cret-s3cret-s3cret-s3cret-s3cret", token="fixed"
    ) as emu:
        assert (
            emu.api_key == "key-1"
            and emu.secret == "s3cret-s3cret-s3cret-s3cret-s3cret"
            and emu.token == "fixed"
        )
        token = jwt.encode(
            {"apikey": "key-1"}, "s3cret-s3cret-s3cret-s3cret-s3cret", algorithm="HS256"
        )
        assert (await status_with(emu, token))[0] == 200
        assert (await status_with(emu, "fixed"))[0] == 200
