"""The SDK and the emulator apply one loopback rule (two copies: the emulator imports nothing
of the SDK), so a base URL the client accepts over plain http is one the emulator serves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videosdk_async._settings import is_loopback
from videosdk_async.emulator.loopback import is_loopback_host

CASES = {
    "localhost": True,
    "LOCALHOST": True,
    "api.localhost": True,
    "a.b.localhost": True,
    ".localhost": False,
    "a..localhost": False,
    "localhost.example.com": False,
    "127.0.0.1": True,
    "127.8.9.10": True,
    "128.0.0.1": False,
    "::1": True,
    "[::1]": True,
    "[127.0.0.1]": False,
    "::ffff:127.0.0.1": True,
    "::ffff:10.0.0.1": False,
    "0.0.0.0": False,
    "example.com": False,
    "": False,
}


@pytest.mark.parametrize(("host", "loopback"), CASES.items())
def test_known_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert is_loopback_host(host) is loopback


@given(
    st.one_of(
        st.text(alphabet="abcdefl.ohst:[]0123456789f", max_size=24),
        st.ip_addresses().map(str),
        st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
        st.from_regex(r"[a-z]{0,5}(\.[a-z]{0,5}){0,3}\.localhost", fullmatch=True),
    )
)
def test_the_sdk_and_the_emulator_agree(host: str) -> None:
    assert is_loopback(host) is is_loopback_host(host)
