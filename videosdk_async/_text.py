"""Text helpers for one-line messages.

Whitespace, pluralisation, pydantic problems, and how a caller's value is shown (and read as
a number) when it is refused.
"""

from __future__ import annotations

import math
from typing import Any


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut to ``limit``; never raises.

    Python refuses to print an int of more than 4,300 digits, and a caller's object may have a
    broken ``__repr__``.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"{'-' if value < 0 else ''}an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return one_line(text, limit)


def finite(value: object) -> float | None:
    """``value`` as a finite float, else None.

    None for NaN, infinities, ints too large for a float, bools and anything that is not a
    number.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse whitespace so a message stays on one line; cut it to ``limit`` chars if given."""
    flat = " ".join(text.split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 job``, ``2 jobs``, ``1,000 jobs`` (``nouns`` for an irregular plural)."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def describe_problems(exc: ValueError, *, limit: int | None = None, where: bool = True) -> str:
    """A pydantic ValidationError as ``loc: reason; loc: reason``, for one-line messages.

    ``limit`` keeps the first problems and counts the rest; ``where=False`` drops locations.
    Anything that is not a ValidationError (a JSON decode error) reads "body is not JSON".
    """
    errors = getattr(exc, "errors", None)
    problems: list[dict[str, Any]] = errors() if callable(errors) else []
    if not problems or problems[0].get("type") == "json_invalid":
        return "body is not JSON"
    shown = problems if limit is None else problems[:limit]

    def one(problem: dict[str, Any]) -> str:
        # pydantic prefixes our own ValueError messages with "Value error, ": the reason counts.
        reason = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        if not where:
            return reason
        loc = one_line(".".join(str(part) for part in problem.get("loc", ())), 80) or "body"
        return f"{loc}: {reason}"

    parts = [one(p) for p in shown]
    more = f" (+{len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
    return "; ".join(parts) + more
