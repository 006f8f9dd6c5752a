"""Paging for long lists: a capped count and keyset ("after this row") pages.

A street holds a million cases. Counting every match on each page view costs more than the
page itself, and an OFFSET deep in the list reads and throws away every row before it. So a
list counts up to COUNT_CAP rows ("10,000+" beyond, which is all a person needs to know), and
the next page starts after the last row shown, found through the list's own index, however far
down it is. Lists are ordered newest first by (created_at, id); the cursor carries both.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_CAP = 10_000


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(rows, more): the rows up to `cap`, and whether there are more than that."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def cursor_of(row: Any) -> str:
    return f"{row.created_at.isoformat()}~{row.pk}"


def parse_cursor(text: str, field: str = "cursor") -> tuple[datetime, int]:
    try:
        moment, pk = text.rsplit("~", 1)
        parsed = datetime.fromisoformat(moment)
        number = int(pk)
    except ValueError:
        raise ValidationError({field: [_("翻页标记无效，请从第一页重新开始")]}) from None
    if parsed.tzinfo is None or number < 1:
        raise ValidationError({field: [_("翻页标记无效，请从第一页重新开始")]})
    return parsed, number


def after(qs: QuerySet[Any], cursor: str) -> QuerySet[Any]:
    """The rows after the cursor in newest-first order. `created_at <= t` is what the index
    range uses; the OR only breaks ties on the cursor's own moment."""
    moment, pk = parse_cursor(cursor)
    return qs.filter(created_at__lte=moment).filter(Q(created_at__lt=moment) | Q(pk__lt=pk))


@dataclass
class KeysetPage:
    rows: list[Any]
    count: int  # matching rows, at most COUNT_CAP
    more_than_count: bool  # "10,000+"
    next_cursor: str | None  # None on the last page


def keyset_page(qs: QuerySet[Any], *, cursor: str = "", size: int = 50, count: bool = True) -> KeysetPage:
    """One page of `qs` (ordered newest first) after `cursor`, with the capped count of the
    whole list (not only what lies after the cursor). `count=False` skips it."""
    total, more = capped_count(qs) if count else (0, False)
    page_qs = after(qs, cursor) if cursor else qs
    rows = list(page_qs.order_by("-created_at", "-pk")[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, total, more, cursor_of(rows[-1]) if has_next and rows else None)


class CappedPaginator(Paginator):
    """Django's paginator with the capped count: page numbers up to COUNT_CAP rows, and
    `count_more` for the "10,000+" a page shows instead of a full count."""

    cap = COUNT_CAP
    count_more = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):  # a list: nothing to save by capping
            return len(rows)
        n, self.count_more = capped_count(rows, self.cap)
        return n
