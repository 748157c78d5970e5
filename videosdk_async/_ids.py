"""Validation of ids that end up in URL paths: nothing can be injected into the URL."""

from __future__ import annotations

import re

from .errors import InvalidRequestError

_FORBIDDEN = frozenset("/?#%\\")
MAX_ID_LENGTH = 256  # the API's ids are 24 hex digits; anything this long is not one
# Plainly safe: word characters and a few marks, no dot segment, not too long.
_PLAIN = re.compile(
    rf"(?!\.\.?$)(?!.*\.\.)[A-Za-z0-9_.~:@!$&'()*+,;=-]{{1,{MAX_ID_LENGTH}}}", re.ASCII
)


def validate_id(value: object, what: str = "job id") -> str:
    """Return ``value`` if it is a safe path segment, else raise InvalidRequestError naming it."""
    if type(value) is str and _PLAIN.fullmatch(value):  # the common case, decided at C speed
        return value
    if not isinstance(value, str):
        raise InvalidRequestError(f"{what} must be a string, got {type(value).__name__}")
    if not value:
        raise InvalidRequestError(f"{what} is empty")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidRequestError(
            f"{what} is {len(value):,} characters long; ids are at most {MAX_ID_LENGTH}"
        )
    bad = sorted({c for c in value if c in _FORBIDDEN or c.isspace() or not c.isprintable()})
    # "." is a dot segment too: httpx would normalize ".../jobs/." to ".../jobs" (the list URL).
    if bad or ".." in value or value == ".":
        shown = ", ".join(repr(c) for c in bad) if bad else repr(".." if ".." in value else ".")
        quoted = repr(value) if len(value) <= 80 else f"{value[:77]!r}…"
        raise InvalidRequestError(f"{what} {quoted} is not valid: it contains {shown}")
    return value
