"""Planner of the working-calendar sheet: holidays and make-up workdays from the State Council's
notice, written through core.workdays (the street's entry wins over the package)."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core import workdays
from gongzhi.core.actors import Actor
from gongzhi.core.models import WorkDay
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.orgs import access
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import CREATED, UNCHANGED, UPDATED, Planned, RowCheck, Write
from gongzhi.orgs.imports.templates import CALENDAR
from gongzhi.orgs.imports.workbook import SheetRow

REST, WORK = "休息", "上班"


def may_set_calendar(user: Actor | None) -> bool:
    """The calendar is the street's: a street-level MANAGE_TREE grant (or the command line)."""
    if user is None:
        return True
    scope = access.scope(user)
    return scope.superuser or any(
        access.MANAGE_TREE in g.powers and g.level <= Level.STREET for g in scope.grants
    )


def calendar_street(user: Actor | None) -> str:
    """Whose calendar an import writes: in a deployment with districts, a street admin's goes to
    their street alone (its code); a district's admin, a superuser, the command line and a
    deployment of one street write the days of every street ("")."""
    if user is None or not streets.district_paths():
        return ""
    scope = access.scope(user)
    if scope.superuser:
        return ""
    levels = [g for g in scope.grants if access.MANAGE_TREE in g.powers and g.level <= Level.STREET]
    if not levels or min(g.level for g in levels) < Level.STREET:
        return ""
    return streets.street_code(levels[0].path)


def plan_calendar(rows: list[SheetRow], report: ImportReport, user: Actor | None) -> list[Planned]:
    if not may_set_calendar(user):
        report.add(CALENDAR.sheet, None, "", _("只有街道管理员可以导入工作日历"))
        return []
    street = calendar_street(user)
    days = [d for r in rows if (d := _quiet_day(r.values.get("date"))) is not None]
    stored = {w.date: w for w in WorkDay.objects.filter(date__in=days, street=street)}
    seen: dict[Any, int] = {}
    planned = []
    for row in rows:
        check = RowCheck(CALENDAR, report, row)
        day = check.get("date", cells.day)
        arrangement = check.get("arrangement")
        if arrangement is not None and arrangement not in (REST, WORK):
            check.error("arrangement", _("应填“休息”或“上班”"))
        if day is not None and day in seen:
            check.error("date", _("与第 %(n)s 行日期重复") % {"n": seen[day]})
        if not check.ok or day is None:
            continue
        seen[day] = row.number
        is_workday, note = arrangement == WORK, check.get("note") or ""
        old = stored.get(day)
        if old is None:
            action = CREATED
        elif (old.is_workday, old.note, old.source) == (is_workday, note, WorkDay.Source.ADMIN):
            action = UNCHANGED
        else:
            action = UPDATED
        planned.append(Planned(row, action, _writer(day, is_workday, note, street)))
    return planned


def _quiet_day(value: Any) -> date | None:
    try:
        return cells.day(value)
    except cells.CellError:
        return None


def _writer(day: date, is_workday: bool, note: str, street: str) -> Write:
    return lambda actor: workdays.workday_set(
        actor=actor, day=day, is_workday=is_workday, note=note, street=street
    )
