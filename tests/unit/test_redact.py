"""Redaction masks the secrets we know and the shapes of credentials, never English words."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import API_KEY, SECRET, TOKEN

from videosdk_async import APIKeyAuth, AsyncEncoderClient, ConfigurationError
from videosdk_async._redact import MASK, PARTIAL_RUN, redact

KNOWN = (TOKEN, SECRET, API_KEY)
WORDS = [
    "Token",
    "token",
    "expired",
    "Invalid",
    "secret",
    "Secret",
    "Authorization",
    "header",
    "Missing",
    "Bearer",
    "Basic",
    "Not",
    "enough",
    "segments",
    "key",
    "API",
    "the",
    "is",
    "was",
    "refused",
    "password",
    "credentials",
    "job",
    "queued",
]


@pytest.mark.parametrize(
    "sentence",
    [
        "Token expired",
        "Invalid token: Not enough segments",
        "Missing Authorization header",
        "Invalid Bearer token",
        "secret rotation in progress",
        "job 60531471e32e8e4eaea094fe cannot be deleted because it is processing",
    ],
)
def test_the_servers_words_come_through(sentence: str) -> None:
    assert redact(sentence, KNOWN) == sentence


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.sampled_from(WORDS), st.sampled_from(["", ",", ".", ":", ";", "!", "?"])),
        max_size=20,
    )
)
def test_ordinary_sentences_come_through_unchanged(words: list[tuple[str, str]]) -> None:
    sentence = " ".join(word + mark for word, mark in words)
    assert redact(sentence, KNOWN) == sentence


@settings(max_examples=300)
@given(
    before=st.text(max_size=80),
    after=st.text(max_size=80),
    secret=st.sampled_from(KNOWN),
    start=st.integers(0, 40),
    length=st.integers(PARTIAL_RUN, 200),
)
def test_no_known_secret_survives_whole_or_in_part(
    before: str, after: str, secret: str, start: int, length: int
) -> None:
    """Whole, or any run of PARTIAL_RUN characters or more, wherever it sits."""
    piece = secret[start : start + length]
    if len(piece) < PARTIAL_RUN:
        piece = secret
    text = redact(before + piece + after, KNOWN)
    for known in KNOWN:
        for i in range(len(known) - PARTIAL_RUN + 1):
            assert known[i : i + PARTIAL_RUN] not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"token": "abc123def"}', f'{{"token": "{MASK}"}}'),
        ('{"apiSecret": "hush-hush"}', f'{{"apiSecret": "{MASK}"}}'),
        ("callback?token=abc123&x=1", f"callback?token={MASK}&x=1"),
        ("Bearer 9f8e7d6c5b4a", f"Bearer {MASK}"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln rejected", f"{MASK} rejected"),
    ],
)
def test_credential_shapes_are_masked_even_when_unknown(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_minting_with_a_short_secret_warns_no_one() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        APIKeyAuth("key", "short").token()


@pytest.mark.parametrize("env", [None, ""])
def test_an_empty_base_url_is_refused_never_production(
    clean_env: pytest.MonkeyPatch, env: str | None
) -> None:
    if env is None:
        with pytest.raises(ConfigurationError, match="base_url is empty"):
            AsyncEncoderClient(token=TOKEN, base_url="")
    else:
        clean_env.setenv("VIDEOSDK_BASE_URL", env)
        with pytest.raises(ConfigurationError, match="VIDEOSDK_BASE_URL is empty"):
            AsyncEncoderClient(token=TOKEN)
