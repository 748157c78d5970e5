"""Paged list responses."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import Field

from ._base import APIModel
from .jobs import EncodingJob, StoredFile

T = TypeVar("T")


class PageInfo(APIModel):
    """Where a page sits in the listing."""

    current_page: int = 1
    per_page: int = 0
    last_page: int = 0


class Page(APIModel, Generic[T]):
    """One page of a listing: ``page_info`` and ``data``."""

    page_info: PageInfo = Field(default_factory=PageInfo)
    data: list[T] = Field(default_factory=list)

    @property
    def has_next(self) -> bool:
        """True when a later page exists (robust to ``lastPage`` 0 and to an empty page)."""
        info = self.page_info
        return bool(self.data) and info.current_page < info.last_page


JobPage = Page[EncodingJob]
FilePage = Page[StoredFile]
