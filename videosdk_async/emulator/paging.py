"""Paging, the one place that knows its limits: ``page`` and ``perPage`` in, one page out.

Jobs and stored files page the same way: oldest first, ``page`` from 1, ``perPage``
defaulting to `DEFAULT_PER_PAGE` and at most `MAX_PER_PAGE`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from .errors import ApiError

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
_DIGITS = re.compile(r"^[0-9]+$")

T = TypeVar("T")


def _positive_int(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    value = raw.strip()
    if not _DIGITS.match(value) or int(value) < 1:
        raise ApiError(400, f"{name} must be a positive integer, not {raw!r}", field=name)
    return int(value)


def parse_paging(query: Mapping[str, str]) -> tuple[int, int]:
    """``page`` and ``perPage`` from a query string; a 400 `ApiError` when bad."""
    page = _positive_int(query.get("page"), "page", 1)
    per_page = _positive_int(query.get("perPage"), "perPage", DEFAULT_PER_PAGE)
    if per_page > MAX_PER_PAGE:
        raise ApiError(400, f"perPage must be at most {MAX_PER_PAGE}", field="perPage")
    return page, per_page


def page_of(items: dict[str, T], page: int, per_page: int) -> tuple[list[T], int]:
    """One page of an insertion-ordered dict and the last page number (at least 1).

    Walks the dict only up to the requested page.
    """
    last_page = max(1, math.ceil(len(items) / per_page))
    start = (page - 1) * per_page
    if start >= len(items):
        return [], last_page
    return list(itertools.islice(items.values(), start, start + per_page)), last_page


def page_json(
    data: list[dict[str, Any]], page: int, per_page: int, last_page: int
) -> dict[str, Any]:
    """The list response: ``{"pageInfo": {currentPage, perPage, lastPage}, "data": [...]}``."""
    return {
        "pageInfo": {"currentPage": page, "perPage": per_page, "lastPage": last_page},
        "data": data,
    }
