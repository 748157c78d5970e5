"""Pages that fetch the pages after them, and the paginator ``jobs.list()`` returns.

As in openai's SDK: ``await client.jobs.list()`` is one page (an `AsyncJobPage`: a
``JobPage`` that is also an `AsyncPage`), which knows
`AsyncPage.has_next_page`, `AsyncPage.get_next_page` and
`AsyncPage.iter_pages`; ``async for job in page`` (or straight
``async for job in client.jobs.list()``) walks every item from there on. A page's way back to
the client is kept beside its fields, like ``raw_response``: equality and ``model_dump()``
ignore it. A page built locally (``AsyncJobPage.model_validate(...)``) has none, and
`AsyncPage.get_next_page` says so.

Walking forward is not safe while deleting what it yields (each delete shifts later jobs onto
pages already read); ``client.jobs.iterate()`` is.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator
from typing import Generic, TypeVar, cast

from pydantic import BaseModel
from typing_extensions import Self

from .errors import ClientStateError
from .models import EncodingJob, JobPage, Page

__all__ = ["AsyncJobPage", "AsyncPage", "AsyncPaginator", "link_page"]

T = TypeVar("T")
P = TypeVar("P", bound=AsyncIterable[object])  # a page: async-iterable over its items
M = TypeVar("M", bound=BaseModel)

_NEXT = "_fetch_page"  # the key, in a page's __dict__, of its way back to the client


class AsyncPage(Page[T], Generic[T]):
    """One page of a listing (``data``, ``page_info``) that can fetch the pages after it."""

    def has_next_page(self) -> bool:
        """True when a later page exists (robust to ``lastPage`` 0 and to an empty page)."""
        return self.has_next

    async def get_next_page(self) -> Self:
        """Fetch the page after this one, with the same filters, page size and extras.

        Raises:
            ClientStateError: This is the last page (check `has_next_page` first), or
                the page was built locally and has no client to fetch with.
        """
        info = self.page_info
        if not self.has_next_page():
            raise ClientStateError(
                f"page {info.current_page} of {info.last_page} is the last page; "
                "check has_next_page() before get_next_page()"
            )
        fetch = cast("Callable[[int], Awaitable[Self]] | None", self.__dict__.get(_NEXT))
        if fetch is None:
            raise ClientStateError(
                "this page was built locally, not returned by client.jobs.list(), so it has "
                f"no client to fetch page {info.current_page + 1} with; call "
                f"client.jobs.list(page={info.current_page + 1}) instead"
            )
        return await fetch(info.current_page + 1)

    async def iter_pages(self) -> AsyncIterator[Self]:
        """This page, then each following page, fetched one at a time as you iterate."""
        page = self
        yield page
        while page.has_next_page():
            page = await page.get_next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        """Every item of this page, then of each following page, fetched lazily."""
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncJobPage(AsyncPage[EncodingJob], JobPage):
    """A page of jobs from ``client.jobs.list()``: a ``JobPage`` that can fetch the next ones.

    Fetch them with `get_next_page`, `iter_pages` or ``async for job in page``.
    """


def link_page(page: M, fetch: Callable[[int], Awaitable[M]]) -> M:
    """Give ``page`` its way back to the client: ``await fetch(n)`` is page ``n``."""
    page.__dict__[_NEXT] = fetch
    return page


class AsyncPaginator(Generic[T, P]):
    """What ``client.jobs.list()`` returns: await it for the page, or iterate over its items.

    ``async for`` over it gives every item from that page on (openai's ``AsyncPaginator``).

    Each ``await`` (and each ``async for``) fetches the page afresh.
    """

    __slots__ = ("_fetch",)

    def __init__(self, fetch: Callable[[], Awaitable[P]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[object, None, P]:
        return self._get().__await__()

    async def _get(self) -> P:
        return await self._fetch()

    async def __aiter__(self) -> AsyncIterator[T]:
        """Every item of the page asked for and of each following page, fetched lazily."""
        async for item in await self._fetch():
            yield cast("T", item)

    def __repr__(self) -> str:
        return "AsyncPaginator(await it for the page, or async-for it for every item)"
