"""Masking secrets in text that reaches a message, a log or a repr.

What is masked is what we can recognise as a secret, never an English word:

- every secret we know (the token a request carried, the configured secret and API key, the
  tokens we minted), whole or any run of `PARTIAL_RUN` characters of it;
- anything shaped like a JWT;
- the value of a credential-named key in ``key=value`` or JSON ``"key": "value"`` syntax,
  and a credential-looking value after an HTTP auth scheme (``Bearer <value>``).

So ``Token expired`` and ``Invalid token: Not enough segments`` come through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "PARTIAL_RUN", "redact"]

MASK = "[redacted]"
PARTIAL_RUN = 12  # a run this long of a known secret is masked too (a server may echo a part)

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SECRET_KEY = r"[\w-]*(?:token|secret|password|passwd|authorization|api[_-]?key|credential)[\w-]*"
# {"secret": "xyz"} and token=xyz (no space around "=", as in a query string or a header dump).
_JSON_VALUE = re.compile(rf'(?i)("{_SECRET_KEY}"\s*:\s*")((?:[^"\\]|\\.)+)(")')
_KEY_EQUALS = re.compile(rf"(?i)(\b{_SECRET_KEY}=)([^\s&,;\"']+)")
# "Bearer <credential>": a value with a digit, or long; "Invalid Bearer token" stays as is.
_SCHEME = re.compile(
    r"(?i)(\b(?:bearer|basic)\s+)((?=[^\s\"',;]*\d)[^\s\"',;]{8,}|[^\s\"',;]{24,})"
)


def redact(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with every recognisable secret masked (see the module docstring)."""
    # Shapes first, whole values next, fragments last: masking a fragment first could cut a
    # JWT so that its shape is no longer recognised.
    text = _JWT.sub(MASK, text)
    for secret in known:
        if len(secret) >= 4 and secret in text:
            text = text.replace(secret, MASK)
    text = _JSON_VALUE.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    text = _KEY_EQUALS.sub(lambda m: m.group(1) + MASK, text)
    text = _SCHEME.sub(lambda m: m.group(1) + MASK, text)
    return _mask_partial_runs(text, known)


def _mask_partial_runs(text: str, known: Iterable[str]) -> str:
    """Mask every run of ``PARTIAL_RUN`` or more characters copied from a known secret."""
    runs = {
        secret[i : i + PARTIAL_RUN]
        for secret in known
        if len(secret) >= PARTIAL_RUN
        for i in range(len(secret) - PARTIAL_RUN + 1)
    }
    if not runs or len(text) < PARTIAL_RUN:
        return text
    spans: list[list[int]] = []
    for start in range(len(text) - PARTIAL_RUN + 1):
        if text[start : start + PARTIAL_RUN] in runs:
            end = start + PARTIAL_RUN
            if spans and start <= spans[-1][1]:
                spans[-1][1] = end
            else:
                spans.append([start, end])
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)
