"""The one paginator of the API: ninja's limit/offset with a bounded offset.

Without an upper bound, an offset beyond the database's integer range (e.g. ``offset=10**30``)
reached the SQL ``OFFSET`` clause and failed with a server error; now it is a 422 like any other
invalid parameter. ``limit`` is bounded by ``NINJA_PAGINATION_MAX_LIMIT`` (settings).
"""

from __future__ import annotations

from ninja import Field
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(NinjaLimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
