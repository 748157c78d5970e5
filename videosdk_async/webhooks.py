"""Webhooks: read the job the service POSTs to a job's ``webhookUrl`` when it changes state.

`parse_webhook` turns the raw body into an `EncodingJob` (unknown fields and
statuses kept, as for any answer) or raises `WebhookError`: never a pydantic or JSON
error. Deployments that sign their bodies pass ``verify=``: any callable
``(body: bytes, headers) -> None`` that raises when the body is not genuine, such as
`RSASignatureVerifier` for VideoSDK's scheme (RSA-SHA256 over the raw body, base64, in
the ``videosdk-signature`` header; needs ``pip install "videosdk-async[webhooks]"``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import httpx
from pydantic import ValidationError

from ._constants import WEBHOOK_MAX_BYTES
from ._text import describe_problems, one_line
from .errors import ConfigurationError, WebhookError, WebhookSignatureError
from .models import EncodingJob

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

__all__ = [
    "SIGNATURE_HEADER",
    "RSASignatureVerifier",
    "WebhookHeaders",
    "WebhookVerifier",
    "parse_webhook",
]

SIGNATURE_HEADER = "videosdk-signature"

WebhookHeaders = Mapping[str, str]
"""A request's headers: a dict, Starlette's or httpx's ``Headers``... (read case-insensitively)."""

WebhookVerifier = Callable[[bytes, WebhookHeaders], None]
"""Checks a webhook before it is parsed: ``verify(body, headers)`` raises if not genuine."""


def _as_bytes(body: object) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    raise WebhookError(f"a webhook body must be bytes or str, got {type(body).__name__}")


def _headers(headers: object) -> httpx.Headers:
    if headers is None:
        return httpx.Headers()
    try:
        return httpx.Headers(headers)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise WebhookError(f"webhook headers must be a mapping of strings: {exc}") from None


def parse_webhook(
    body: bytes | str,
    *,
    headers: WebhookHeaders | None = None,
    verify: WebhookVerifier | None = None,
    max_bytes: int = WEBHOOK_MAX_BYTES,
) -> EncodingJob:
    """The job a webhook delivered, from its raw body.

    Args:
        body: The request body, as received (bytes; pass bytes when you verify signatures,
            since a signature covers the exact bytes sent).
        headers: The request's headers, for ``verify``.
        verify: Called as ``verify(body_bytes, headers)`` before anything is parsed; any
            exception it raises becomes `WebhookSignatureError`. See
            `RSASignatureVerifier`.
        max_bytes: Largest body accepted (1 MiB by default; a job is a few kilobytes).

    Returns:
        The job: unknown fields are kept, an unknown status is kept (``is_known`` False).

    Raises:
        WebhookSignatureError: ``verify`` refused the body.
        WebhookError: The body is empty, too large, not JSON, nested too deep, or not a job
            (not an object, or no ``id`` / ``status``).
    """
    raw = _as_bytes(body)
    if verify is not None:
        try:
            verify(raw, _headers(headers))
        except WebhookSignatureError:
            raise
        except Exception as exc:
            detail = one_line(f"{type(exc).__name__}: {exc}", 200)
            raise WebhookSignatureError(f"webhook refused by verify: {detail}") from exc
    if len(raw) > max_bytes:
        raise WebhookError(f"webhook body is {len(raw):,} bytes, over the {max_bytes:,} limit")
    if not raw.strip():
        raise WebhookError("webhook body is empty")
    try:
        return EncodingJob.model_validate_json(raw)
    except ValidationError as exc:
        raise WebhookError(f"webhook body {_what_is_wrong(exc)}") from None
    except RecursionError:
        raise WebhookError("webhook body is not a job: its JSON is nested too deep") from None


def _what_is_wrong(exc: ValidationError) -> str:
    """``is not JSON (…)``, ``is not a job: its JSON is nested too deep``, ``is not a job: …``."""
    problems = exc.errors(include_input=False)
    if problems and problems[0]["type"] == "json_invalid":
        detail = str(problems[0].get("ctx", {}).get("error", ""))
        if "recursion" in detail:
            return "is not a job: its JSON is nested too deep"
        return f"is not JSON ({one_line(detail, 100)})" if detail else "is not JSON"
    if any("recursion" in str(p.get("type", "")) for p in problems):
        return "is not a job: its JSON is nested too deep"
    return f"is not a job: {describe_problems(exc, limit=3)}"


class RSASignatureVerifier:
    """Checks VideoSDK's webhook signature against the public key.

    The signature is RSA-SHA256 (PKCS#1 v1.5) over the raw body, base64, in the
    ``videosdk-signature`` header.

    Pass it as ``parse_webhook(body, headers=headers, verify=RSASignatureVerifier(key))``.
    Needs the ``cryptography`` package: ``pip install "videosdk-async[webhooks]"``.

    Args:
        public_key: The PEM text (``str`` or ``bytes``) or a loaded ``RSAPublicKey``.
        header: The header carrying the signature.
    """

    def __init__(
        self, public_key: str | bytes | RSAPublicKey, *, header: str = SIGNATURE_HEADER
    ) -> None:
        try:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
        except ImportError:
            raise ConfigurationError(
                "checking webhook signatures needs cryptography: "
                'pip install "videosdk-async[webhooks]"'
            ) from None
        key: object = public_key
        if isinstance(public_key, str | bytes):
            pem = public_key.encode() if isinstance(public_key, str) else public_key
            try:
                key = serialization.load_pem_public_key(pem)
            except (ValueError, TypeError) as exc:
                raise ConfigurationError(
                    f"not a PEM public key: {one_line(str(exc), 120)}"
                ) from None
        if not isinstance(key, RSAPublicKey):
            raise ConfigurationError(
                f"the webhook key must be an RSA public key, got {type(key).__name__}"
            )
        self._key = key
        self.header = header

    def __call__(self, body: bytes, headers: WebhookHeaders) -> None:
        """Check that ``headers`` carry a valid signature of ``body``.

        Raises:
            WebhookSignatureError: The signature header is missing, is not base64, or does
                not match ``body``.
        """
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        value = _headers(headers).get(self.header)
        if value is None or not value.strip():
            raise WebhookSignatureError(f"webhook has no {self.header} header")
        try:
            signature = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise WebhookSignatureError(f"webhook {self.header} header is not base64") from None
        try:
            self._key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise WebhookSignatureError(
                f"webhook {self.header} does not match its body (wrong key, or the body was "
                "changed: verify the raw bytes as received)"
            ) from None

    def __repr__(self) -> str:
        return f"RSASignatureVerifier(header={self.header!r}, key_size={self._key.key_size})"
