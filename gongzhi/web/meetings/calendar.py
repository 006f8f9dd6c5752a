"""The meetings calendar (a month grid with the day's meetings, filtered by place) and the
invitations list. Reads go through gongzhi.meetings.selectors."""

from collections import OrderedDict
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock
from gongzhi.meetings import selectors
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import (
    Meeting,
)
from gongzhi.orgs import access
from gongzhi.web.http import page, require_power
from gongzhi.web.meetings.common import convene_nodes, filter_nodes, joint_options, node_filter


def _month(value: str) -> date:
    try:
        year, month = (int(x) for x in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        today = timezone.localtime(clock.now()).date()
        return today.replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def calendar_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    errors: list[str] = []
    first = _month(request.GET.get("month", ""))
    if not date(2000, 1, 1) <= first <= date(2099, 12, 1):
        first = timezone.localtime(clock.now()).date().replace(day=1)
    node = node_filter(request, errors)
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    rows = selectors.meeting_list(
        user=user,
        node_path=node.path if node else "",
        start=first,
        end=_next_month(first) - timedelta(days=1),
        kind=kind,
    )
    days: OrderedDict[date, list[Meeting]] = OrderedDict()
    for m in sorted(rows, key=lambda m: m.starts_at):
        days.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    can_convene = access.has_power(user, access.CONVENE)
    query = {"node": node.code if node else "", "kind": kind}
    return {
        "days": list(days.items()),
        "weeks": month_grid(first, {day: len(ms) for day, ms in days.items()}),
        "weekday_names": WEEKDAY_NAMES,
        "month": first,
        "prev_month": (first - timedelta(days=1)).replace(day=1),
        "next_month": _next_month(first),
        "values": {"node": node.code if node else "", "kind": kind},
        "query": urlencode({k: v for k, v in query.items() if v}),
        "kinds": MeetingKind.choices,
        "nodes": filter_nodes(user),
        "filter_errors": errors,
        "can_convene": can_convene,
        "convene_nodes": convene_nodes(user) if can_convene else [],
        "joint_nodes": joint_options(user) if can_convene else [],
        "today": timezone.localtime(clock.now()).date(),
        "typed": {},
        "errors": {},
        **extra,
    }


WEEKDAY_NAMES = (
    pgettext_lazy("星期", "一"),
    pgettext_lazy("星期", "二"),
    pgettext_lazy("星期", "三"),
    pgettext_lazy("星期", "四"),
    pgettext_lazy("星期", "五"),
    pgettext_lazy("星期", "六"),
    pgettext_lazy("星期", "日"),
)


def month_grid(first: date, counts: dict[date, int]) -> list[list[dict[str, Any] | None]]:
    """The month as Monday-first weeks of {day, count} (None outside the month): the grid on
    top of the agenda, each day linking to its meetings below."""
    weeks: list[list[dict[str, Any] | None]] = []
    week: list[dict[str, Any] | None] = [None] * first.weekday()
    day = first
    while day.month == first.month:
        week.append({"day": day, "count": counts.get(day, 0)})
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks


@page
def calendar(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    if request.GET.get("todo") == "invited":
        return invitations(request)
    context = calendar_context(request)
    return render(
        request, "web/meetings/calendar.html", context, status=400 if context["filter_errors"] else 200
    )


def invitations(request: HttpRequest) -> HttpResponse:
    """?todo=invited: the planned meetings I am invited to and not yet marked for, soonest
    first, by day (the home page's 会议邀请)."""
    days: OrderedDict[date, list[Meeting]] = OrderedDict()
    for m in selectors.invitations(user=request.user, now=clock.now()):
        days.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    today = timezone.localtime(clock.now()).date()
    return render(request, "web/meetings/invitations.html", {"days": list(days.items()), "today": today})
