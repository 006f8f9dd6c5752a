"""What the case lists export (docs/exports.md): the columns of the staff case lists, of the
overdue list and of the public closed-case list, and the streamed CSV of a street's cases.

Staff files carry the contact's name as the case page shows it and the masked phone, never
the ciphertext; descriptions keep their words but lose any phone or ID number
(core.scrub.numbers_masked). The public file carries what the public board shows: category,
area, closing day and the text through core.scrub.public_text, nothing about who reported.
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import selectors
from gongzhi.cases.models import Case
from gongzhi.cases.states import Rung, Satisfaction, Source, State
from gongzhi.core import exports
from gongzhi.core.actors import Actor
from gongzhi.core.exports import Column, Spec, column, label_column, local, localized_column
from gongzhi.core.scrub import numbers_masked, public_text
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.orgs.models import Category

PUBLIC_MAX_ROWS = 20_000  # the public page shows 1,000 pages of 20: the file holds no more


def _number(row: dict[str, Any]) -> str:
    """Case.number (report day in the site's zone + id), without a zone lookup per row; the
    tests hold the two equal."""
    day = local(row["created_at"])
    return f"{day.year:04d}{day.month:02d}{day.day:02d}{row['id']:08d}" if day else ""


CASE_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("工单编号"), ("id", "created_at"), _number, 18),
    label_column(gettext_lazy("状态"), "state", State),
    localized_column(gettext_lazy("分类"), "category__name", 16, empty=gettext_lazy("未分类")),
    column(gettext_lazy("位置"), "node__name", width=20),
    column(gettext_lazy("位置编码"), "node__code", width=16),
    column(gettext_lazy("问题描述"), "text", numbers_masked, 50),
    column(gettext_lazy("地址描述"), "address", width=20),
    label_column(gettext_lazy("来源"), "source", Source),
    label_column(gettext_lazy("处置层级"), "rung", Rung),
    column(gettext_lazy("责任单位"), "post__unit__name", width=18),
    column(gettext_lazy("责任岗位"), "post__title", width=14),
    column(gettext_lazy("上报时间"), "created_at", local, 17),
    column(gettext_lazy("处置时限"), "handle_due", local, 17),
    column(gettext_lazy("结案时间"), "closed_at", local, 17),
    label_column(gettext_lazy("满意度"), "satisfaction", Satisfaction),
    column(gettext_lazy("返工次数"), "rework_count", width=8),
    column(gettext_lazy("联系人"), "contact_name", width=10),
    column(gettext_lazy("联系电话（脱敏）"), "contact_phone_masked", width=14),
)

CASES = Spec(stem="cases", title=gettext_lazy("工单列表"), columns=CASE_COLUMNS, personal=True)
QUEUE = Spec(stem="case-queue", title=gettext_lazy("待办工单"), columns=CASE_COLUMNS, personal=True)
MINE = Spec(stem="my-cases", title=gettext_lazy("我的工单"), columns=CASE_COLUMNS, personal=True)
OVERDUE = Spec(
    stem="overdue-cases",
    title=gettext_lazy("超期工单"),
    columns=(
        *CASE_COLUMNS[:2],
        column(gettext_lazy("超期起算"), "overdue_since", local, 17),
        *CASE_COLUMNS[2:],
    ),
    personal=True,
)


def filter_errors(*, state: str = "", category: str = "") -> list[str]:
    """An export refuses filter values the list would silently ignore: a file that quietly
    holds more than was asked for is worse than a clear error."""
    errors = []
    if state and state not in State.values:
        errors.append(_("状态取值无效：%(value)s") % {"value": state[:20]})
    if category and not Category.objects.filter(code=category).exists():
        errors.append(_("没有该分类：%(value)s") % {"value": category[:20]})
    return errors


def case_csv(
    *, user: Actor, filters: dict[str, Any] | None = None, chunk_size: int = exports.CHUNK
) -> Iterator[bytes]:
    """The case list (cases.selectors.case_search: the user's scope, the list's filters, newest
    first) as CSV bytes, streamed: what the web and API exports send, without the access-log
    row they write first. Memory stays flat whatever the number of rows; the benchmark reads
    a street's 1,000,000 cases through it."""
    qs = selectors.case_search(user=user, filters=filters or {})
    return exports.csv_stream(CASES, exports.rows(CASES, qs, chunk_size=chunk_size))


# --- the public closed-case list (公示) ------------------------------------------------------------


def _area_of() -> Any:
    """node path -> the residential area's name, as the public page shows it (household and
    building never named): one query for the areas, then a dictionary per distinct path."""
    areas = {
        n.code: n.name
        for s in geo_selectors.children(None)
        for n in geo_selectors.descendants(s, level=Level.AREA)
    }
    found: dict[str, str] = {}

    def area(path: str) -> str:
        name = found.get(path)
        if name is None:
            names = [areas[c] for c in path.strip("/").split("/") if c in areas]
            name = found[path] = names[-1] if names else _("本街道")
        return name

    return area


def public_spec() -> Spec:
    """The public list's columns; the area names are read once per export."""
    area = _area_of()

    def enrich(chunk: list[dict[str, Any]]) -> None:
        for row in chunk:
            row["area"] = area(row["node_path"])

    return Spec(
        stem="public-cases",
        title=gettext_lazy("问题解决公示"),
        columns=(
            localized_column(gettext_lazy("分类"), "category__name", 16, empty=gettext_lazy("其他")),
            Column(gettext_lazy("居民区"), ("node_path",), lambda r: r["area"], 16),
            column(gettext_lazy("办结日期"), "closed_at", exports.local_day, 12),
            column(gettext_lazy("问题描述"), "text", public_text, 60),
        ),
        personal=False,
        enrich=enrich,
    )


def public_cases(under: str = "") -> QuerySet[Case]:
    """The public page's rows (of one street: `under`, its path), newest closed first; read at
    most PUBLIC_MAX_ROWS of them."""
    return selectors.public_closed_cases(under)
