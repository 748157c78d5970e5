"""The way back from a create whose answer was lost.

A marker in ``userData``, and a look for the job that carries it on the newest pages.

A create is never retried once it may have reached the server (a second POST could make a
second job). So when its answer is lost, only the server knows whether the job exists. With
``jobs.create(..., recover=True)`` the body carries a unique marker; after a lost answer the
newest jobs are listed and the one with that marker, if any, is the job the create made.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from .._constants import MAX_PER_PAGE
from ..errors import APIError
from ..models import EncodingJob, JobCreate, JobPage

__all__ = ["MARKER_KEY", "find_created", "note", "with_marker"]

MARKER_KEY = "_videosdkCreateId"
"""The ``userData`` key of the marker. A marker already there (yours) is kept and used."""
NEWEST_PAGES = 3
"""Pages read from the newest end of an oldest-first listing (of 100 jobs each)."""


def with_marker(body: JobCreate) -> tuple[JobCreate, str]:
    """``body`` with a unique marker in its ``userData``, and the marker."""
    user_data = dict(body.user_data or {})
    marker = user_data.get(MARKER_KEY)
    if not isinstance(marker, str) or not marker:
        marker = uuid.uuid4().hex
        user_data[MARKER_KEY] = marker
    return body.model_copy(update={"user_data": user_data}), marker


def note(exc: Exception, text: str) -> None:
    """Add ``text`` to ``exc``'s one-line message (the exception is re-raised as it is).

    An error of another kind gets it as a note (Python 3.11+ shows notes under the message).
    """
    if isinstance(exc, APIError):
        exc.message = f"{exc.message}; {text}"
        exc.args = (exc.message,)
        return
    add_note = getattr(exc, "add_note", None)
    if add_note is not None:
        add_note(text)


async def find_created(
    list_page: Callable[[int, int], Awaitable[JobPage]],
    get: Callable[[str], Awaitable[EncodingJob]],
    marker: str,
) -> EncodingJob | None:
    """The job carrying ``marker`` on the newest pages, else None.

    The API does not document its order, so page 1 is read first (the newest page of a
    newest-first listing, and every page of a short one), then the last pages, newest first
    (an oldest-first listing), down to `NEWEST_PAGES` of them: the job is found if
    fewer than about 200 jobs were created between the create and the look. The job found
    is read again so that it comes with its own ``raw_response``.
    """
    first = await list_page(1, MAX_PER_PAGE)
    found = _carrying(first, marker)
    last = first.page_info.last_page
    for number in range(last, max(1, last - NEWEST_PAGES), -1):
        if found is not None:
            break
        found = _carrying(await list_page(number, MAX_PER_PAGE), marker)
    if found is None:
        return None
    try:
        return await get(found.id)
    except APIError:
        return found  # as listed: the job is known to exist


def _carrying(page: JobPage, marker: str) -> EncodingJob | None:
    for job in page.data:
        if job.user_data is not None and job.user_data.get(MARKER_KEY) == marker:
            return job
    return None
