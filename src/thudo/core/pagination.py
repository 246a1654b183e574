"""The one paginator of the API: ninja's limit/offset with a bounded offset.

Without an upper bound, an offset beyond the database's integer range (e.g. ``offset=10**30``)
reached the SQL ``OFFSET`` clause and failed with a server error; now it is a 422 like any other
invalid parameter. ``limit`` is bounded by ``NINJA_PAGINATION_MAX_LIMIT`` (settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from ninja import Field
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(NinjaLimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Shaped[T, R]:
    """A queryset whose rows are turned into API dicts only for the page asked for.

    Returning ``[shape(d) for d in qs]`` to ``@paginate`` reads every visible row and slices the
    Python list; this wrapper lets the paginator count in SQL and fetch one page with ``LIMIT``.
    """

    def __init__(self, qs: QuerySet[T], shape: Callable[[T], R]):
        self.qs, self.shape = qs, shape

    def all(self) -> QuerySet[T]:  # the paginator counts through ``.all().count()``
        return self.qs.all()

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, page: slice) -> list[R]:
        return [self.shape(row) for row in self.qs[page]]
