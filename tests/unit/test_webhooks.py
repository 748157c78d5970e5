"""``parse_webhook`` and ``RSASignatureVerifier``: a job or one typed error, never anything else."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from videosdk_async import (
    ConfigurationError,
    EncodingJob,
    JobStatus,
    RSASignatureVerifier,
    WebhookError,
    WebhookSignatureError,
    parse_webhook,
)

JOB = {
    "id": "60531471e32e8e4eaea094fe",
    "status": "failed",
    "videoId": "6053115ebba24b4d700c8c49",
    "presets": [{"id": "p1", "resolutions": ["360"], "format": "hls"}],
    "error": {"code": "ENCODING_FAILED", "message": "Emulated encoding failure"},
    "createdAt": "2021-03-18T08:50:57.438Z",
}
BODY = json.dumps(JOB).encode()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


# -- parsing ------------------------------------------------------------------------------------


def test_a_job_is_parsed_with_its_failure_reason() -> None:
    job = parse_webhook(BODY)
    assert isinstance(job, EncodingJob)
    assert (job.id, job.status) == (JOB["id"], JobStatus.FAILED)
    assert job.failure_reason == "ENCODING_FAILED: Emulated encoding failure"
    assert parse_webhook(BODY.decode()) == job  # str bodies too
    assert parse_webhook(bytearray(BODY)) == job


def test_unknown_fields_and_statuses_are_kept() -> None:
    body = {**JOB, "status": "archived", "region": "eu", "error": "disk full"}
    job = parse_webhook(json.dumps(body))
    assert job.status == "archived" and not job.status.is_known
    assert job.model_extra == {"region": "eu"}
    assert job.error is not None and job.error.message == "disk full"  # any shape of error


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "webhook body is empty"),
        (b"  \n ", "webhook body is empty"),
        (b"<html>502 Bad Gateway</html>", "webhook body is not JSON (expected value at line 1"),
        (b"\xff\xfe\x00", "is not JSON"),
        (b"[]", "not a job: body: Input should be an object"),
        (b'"queued"', "not a job: body: Input should be an object"),
        (b"{}", "not a job: id: Field required; status: Field required"),
        (b'{"id": 5, "status": "queued"}', "not a job: id: Input should be a valid string"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deep"),
        (
            b'{"id": "a", "status": "queued", "userData": {"x": '
            + b"[" * 5000
            + b"]" * 5000
            + b"}}",
            "nested too deep",
        ),
        (b"x" * (1024 * 1024 + 1), "1,048,577 bytes, over the 1,048,576 limit"),
    ],
)
def test_anything_else_is_one_webhook_error(body: bytes, message: str) -> None:
    with pytest.raises(WebhookError) as caught:
        parse_webhook(body)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300
    assert caught.value.__cause__ is None  # no pydantic error chained for users to see


def test_the_size_limit_is_adjustable_and_the_body_must_be_bytes_or_str() -> None:
    with pytest.raises(WebhookError, match="over the 100 limit"):
        parse_webhook(BODY, max_bytes=100)
    with pytest.raises(WebhookError, match="must be bytes or str, got dict"):
        parse_webhook(JOB)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=6), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(json.dumps),
    )
)
def test_any_body_is_a_job_or_a_webhook_error(body: bytes | str) -> None:
    try:
        job = parse_webhook(body)
    except WebhookError:
        return
    assert isinstance(job, EncodingJob)


# -- signatures ---------------------------------------------------------------------------------


def test_a_signed_body_is_accepted_with_any_header_case(key: rsa.RSAPrivateKey) -> None:
    verifier = RSASignatureVerifier(public_pem(key))
    signature = sign(key, BODY)
    for headers in (
        {"videosdk-signature": signature},
        {"VideoSDK-Signature": signature},
        httpx.Headers({"Videosdk-Signature": f"  {signature} "}),
        [("videosdk-signature", signature)],
    ):
        job = parse_webhook(BODY, headers=headers, verify=verifier)  # type: ignore[arg-type]
        assert job.id == JOB["id"]
    assert (
        parse_webhook(
            BODY,
            headers={"videosdk-signature": signature},
            verify=RSASignatureVerifier(key.public_key()),
        ).id
        == JOB["id"]
    )
    assert (
        parse_webhook(
            BODY,
            headers={"videosdk-signature": signature},
            verify=RSASignatureVerifier(public_pem(key).decode()),
        ).id
        == JOB["id"]
    )


def test_a_signature_that_does_not_match_is_refused(key: rsa.RSAPrivateKey) -> None:
    verifier = RSASignatureVerifier(public_pem(key))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tampered = BODY.replace(b"failed", b"completed")
    cases: list[tuple[bytes, Mapping[str, str] | None, str]] = [
        (tampered, {"videosdk-signature": sign(key, BODY)}, "does not match its body"),
        (BODY, {"videosdk-signature": sign(other, BODY)}, "does not match its body"),
        (BODY, {}, "has no videosdk-signature header"),
        (BODY, None, "has no videosdk-signature header"),
        (BODY, {"videosdk-signature": " "}, "has no videosdk-signature header"),
        (BODY, {"videosdk-signature": "not base64!"}, "is not base64"),
    ]
    for body, headers, message in cases:
        with pytest.raises(WebhookSignatureError, match=message):
            parse_webhook(body, headers=headers, verify=verifier)


def test_the_signature_is_checked_before_the_body_is_parsed(key: rsa.RSAPrivateKey) -> None:
    verifier = RSASignatureVerifier(public_pem(key))
    with pytest.raises(WebhookSignatureError):
        parse_webhook(b"not json", headers={}, verify=verifier)
    signed_garbage = b"not json"
    with pytest.raises(WebhookError, match="not JSON") as caught:
        parse_webhook(
            signed_garbage,
            headers={"videosdk-signature": sign(key, signed_garbage)},
            verify=verifier,
        )
    assert not isinstance(caught.value, WebhookSignatureError)


def test_any_callable_can_verify_and_its_errors_become_signature_errors() -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    def shared_secret(body: bytes, headers: Mapping[str, str]) -> None:
        seen.append((body, dict(headers)))
        if headers.get("x-token") != "s3cret":
            raise ValueError("bad token")

    job = parse_webhook(BODY.decode(), headers={"X-Token": "s3cret"}, verify=shared_secret)
    assert job.id == JOB["id"]
    assert seen == [(BODY, {"x-token": "s3cret"})]  # bytes, and headers read case-insensitively
    with pytest.raises(
        WebhookSignatureError, match="webhook refused by verify: ValueError: bad token"
    ):
        parse_webhook(BODY, headers={"X-Token": "guess"}, verify=shared_secret)


def test_a_bad_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="not a PEM public key"):
        RSASignatureVerifier("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(ConfigurationError, match="must be an RSA public key, got"):
        RSASignatureVerifier(ec_key)  # type: ignore[arg-type]


def test_without_cryptography_the_verifier_names_the_extra(
    key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_cryptography(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("cryptography"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cryptography)
    with pytest.raises(ConfigurationError, match=r'pip install "videosdk-async\[webhooks\]"'):
        RSASignatureVerifier(public_pem(key))


def test_the_verifier_repr_shows_no_key_material(key: rsa.RSAPrivateKey) -> None:
    text = repr(RSASignatureVerifier(public_pem(key)))
    assert text == "RSASignatureVerifier(header='videosdk-signature', key_size=2048)"
