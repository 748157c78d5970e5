"""Validation of ids that end up in URL paths: nothing can be injected into the URL."""

from __future__ import annotations

from .errors import InvalidRequestError

_FORBIDDEN = frozenset("/?#%\\")


def validate_id(value: object, what: str = "job id") -> str:
    """Return ``value`` if it is a safe path segment, else raise InvalidRequestError naming it."""
    if not isinstance(value, str):
        raise InvalidRequestError(f"{what} must be a string, got {type(value).__name__}")
    if not value:
        raise InvalidRequestError(f"{what} is empty")
    bad = sorted({c for c in value if c in _FORBIDDEN or c.isspace() or not c.isprintable()})
    # "." is a dot segment too: httpx would normalize ".../jobs/." to ".../jobs" (the list URL).
    if bad or ".." in value or value == ".":
        shown = ", ".join(repr(c) for c in bad) if bad else repr(".." if ".." in value else ".")
        raise InvalidRequestError(f"{what} {value!r} is not valid: it contains {shown}")
    return value
