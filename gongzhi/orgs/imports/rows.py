"""What the planners share: a per-row error collector, the plan entry, and the scope check."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.templates import Template
from gongzhi.orgs.imports.workbook import SheetRow

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Names travel on into every workbook and list the product writes; one that a spreadsheet
# would run as a formula is refused at the door (exports neutralise what else gets in).
NAME_FIELDS = frozenset(("name", "title"))
NAME_FORMULA_START = ("=", "+", "-", "@")
LOOKUP_CHUNK = 5000  # codes per query: SQLite allows ~32k bound variables, a sheet may hold 100k rows

M = TypeVar("M", bound=Model)


def fetch_by_code(queryset: QuerySet[M], codes: Iterable[str]) -> dict[str, M]:
    """The rows of `queryset` with these codes, keyed by code, a chunk of codes per query."""
    wanted = sorted(set(codes) - {""})
    found: dict[str, M] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for obj in queryset.filter(code__in=wanted[start : start + LOOKUP_CHUNK]):
            found[obj.code] = obj  # type: ignore[attr-defined]
    return found


# What a planned row does once the whole file has passed: called with the actor, inside the
# import's transaction (None: the command line, the system).
Write = Callable[[Actor | None], object]


@dataclass
class Planned:
    row: SheetRow
    action: str  # CREATED / UPDATED / UNCHANGED
    write: Write | None = None


def formula_name_message() -> str:
    return _("不能以 = + - @ 开头（表格软件会把它当作公式）")


class RowCheck:
    """Parses one row's cells and files each problem under its column header."""

    def __init__(self, template: Template, report: ImportReport, row: SheetRow) -> None:
        self.template, self.report, self.row = template, report, row
        self.bad: set[str] = set()
        for column in template.columns:
            value = row.values.get(column.field)
            if column.must_fill and value is None:
                self.error(column.field, _("“%(h)s”不能为空") % {"h": column.header})
            elif column.max_length and len(cells.text(value)) > column.max_length:
                self.error(column.field, _("最多 %(n)s 个字") % {"n": column.max_length})
            elif column.field in NAME_FIELDS and cells.text(value).startswith(NAME_FORMULA_START):
                self.error(column.field, formula_name_message())

    @property
    def ok(self) -> bool:
        return not self.bad

    def error(self, field: str, reason: str) -> None:
        self.bad.add(field)
        self.report.add(self.template.sheet, self.row.number, self.template.header_for(field), reason)

    def get(self, field: str, parse: Callable[..., Any] = cells.text, *args: Any) -> Any:
        """The parsed cell, or None when it is empty, already wrong, or fails to parse."""
        if field in self.bad:
            return None
        value = self.row.values.get(field)
        try:
            return parse(value, *args) if value is not None else None
        except cells.CellError as exc:
            self.error(field, exc.reason)
            return None

    def choice(self, field: str) -> str | None:
        """The stored value for a label cell of a column that names its choices."""
        column = self.template.column_for(field)
        assert column is not None and column.choices is not None, field
        return self.get(field, cells.choice, column.choices)

    def validation(self, exc: ValidationError) -> None:
        """A service's field errors, each under the column of that field (a cell already
        reported keeps its first, more specific reason)."""
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                for message in messages if field not in self.bad else ():
                    self.error(field, message)
        else:
            for message in exc.messages:
                self.error("", message)


def check_unique_code(check: RowCheck, code: str | None, seen: dict[str, int]) -> None:
    if not code:
        return
    if code in seen:
        check.error("code", _("编码 %(c)s 在本文件中重复（第 %(n)s 行已有）") % {"c": code, "n": seen[code]})
    else:
        seen[code] = check.row.number


def check_scope(check: RowCheck, user: Actor | None, power: str, *nodes: Node | None) -> None:
    """The importing user must hold `power` over every node the row writes to (None: the
    command line, which acts for the whole street)."""
    if user is None:
        return
    for node in nodes:
        if node is not None and not access.can(user, power, node):
            check.error("code", _("无权导入：“%(n)s”不在您的管辖范围内") % {"n": node.name or node.code})
            return


def missing(what: str, code: str) -> str:
    return _("%(what)s %(code)s 不存在") % {"what": what, "code": code}
