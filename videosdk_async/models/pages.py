"""Paged list responses."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import Field

from .._constants import MAX_PAGE
from ._base import APIModel
from .jobs import EncodingJob, StoredFile

T = TypeVar("T")


class PageInfo(APIModel):
    """Where a page sits in the listing.

    ``last_page`` is required: without it a listing cannot be walked.
    """

    current_page: int = Field(default=1, ge=0, le=MAX_PAGE)
    per_page: int = Field(default=0, ge=0)
    last_page: int = Field(ge=0, le=MAX_PAGE)


class Page(APIModel, Generic[T]):
    """One page of a listing: ``page_info`` and ``data``, both required.

    An object without them is not a page, whatever its status.
    """

    page_info: PageInfo
    data: list[T]

    @property
    def has_next(self) -> bool:
        """True when a later page exists (robust to ``lastPage`` 0 and to an empty page)."""
        info = self.page_info
        return bool(self.data) and info.current_page < info.last_page


JobPage = Page[EncodingJob]
FilePage = Page[StoredFile]
