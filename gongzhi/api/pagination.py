"""Limit/offset pages. `count` is counted on the scoped queryset, so it never reveals what
lies outside the caller's scope."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

from gongzhi.core import replicas

MAX_LIMIT = 200
# Bounded so a silly offset is a 422, not an integer overflow in the database.
MAX_OFFSET = 10_000_000

T = TypeVar("T")


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过条数")


class Page(Schema, Generic[T]):
    count: int
    items: list[T]


def paginate(
    qs: QuerySet[Any], params: PageParams, out: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """The page's count and rows, each row through `out` (the answer's shape) when given. Read
    from a replica when the caller asks (`?replica=1` or `X-Gongzhi-Replica: 1`, core.replicas)."""
    with replicas.read_if_asked() as alias:
        qs = qs.using(alias)
        count = qs.count()
        rows = list(qs[params.offset : params.offset + params.limit])
    return {"count": count, "items": [out(row) for row in rows] if out else rows}
