from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PaginationBase


def capped_count(queryset, cap: int, *, in_order: bool = False) -> tuple[int, bool]:
    """How many rows ``queryset`` has, counting no further than ``cap``: ``(min(n, cap), n > cap)``.

    One query, ``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``: the database stops after ``cap + 1``
    matches instead of counting them all (a surname over a million people), and small results stay exact.
    ``in_order``: keep the queryset's order in that subquery, for a list whose order an index gives, so that
    the count walks the same index as the page and stops at the cap.
    """
    found = (queryset if in_order else queryset.order_by())[: cap + 1].count()
    return (cap, True) if found > cap else (found, False)


class PageNumber(PaginationBase):
    """`?page=1&page_size=20` → {"items", "count", "page", "page_size"}."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从1开始")
        page_size: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE,
            description="每页条数",
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


class CappedPageNumber(PageNumber):
    """PageNumber for searches that can match very many rows: ``count`` stops at ``count_cap`` and
    ``count_capped`` says there are more. Pages past the cap still work (an empty page ends the list).
    Override ``count`` for another way of counting (it returns ``(count, capped)``)."""

    count_cap: int = 1000

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="匹配条数；count_capped 为 true 时表示“至少这么多”")
        count_capped: bool = Field(..., description="匹配条数超过上限，count 为上限而非实际条数")
        page: int
        page_size: int

    def paginate_queryset(self, queryset, pagination: PageNumber.Input, request, **params):
        offset = (pagination.page - 1) * pagination.page_size
        count, capped = self.count(queryset)
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": count,
            "count_capped": capped,
            "page": pagination.page,
            "page_size": pagination.page_size,
        }

    def count(self, queryset) -> tuple[int, bool]:
        return capped_count(queryset, self.count_cap)
