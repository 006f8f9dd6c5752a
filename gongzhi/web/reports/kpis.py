"""统计 pages: the KPIs of a node, unit or post for a period, each figure opening onto its cases;
the rankings of areas and units with the 点赞榜 / 亮丑榜 (the 日报 / 周报: web.reports.periodic).

Every read goes through gongzhi.reports (subjects check orgs.access: a node outside the
user's case scope is the 403 page; an unknown code or a reversed period the 400 page). The
period on these pages is [start, end], both days included, read by periods.from_query like the
command centre's (`to`, the old name of `end`, is still read; the API's `end` is exclusive).
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core import replicas
from gongzhi.core.actors import Actor
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.reports import (
    community_figures,
    definitions,
    direct_figures,
    drill,
    kpis,
    mobilisation_figures,
    order_figures,
    periods,
    rankings,
    rollup,
    volunteer_figures,
)
from gongzhi.reports.subjects import Subject, subject_for
from gongzhi.web.http import is_htmx, page, require_power

PAGE_SIZE = 50
COMMUNITY_KINDS = frozenset(community_figures.KPI_ROWS.values()) | frozenset(
    community_figures.COUNT_ROWS.values()
)
MAX_NODES = 300


def period_of(request: HttpRequest) -> periods.Period:
    """[start, end] from the query, both days included (the old `to` still read as `end`),
    this month by default: the command centre's parser."""
    return periods.from_query(request.GET)


def subject_of(request: HttpRequest) -> Subject:
    g = request.GET
    return subject_for(request.user, node=g.get("node", ""), unit=g.get("unit", ""), post=g.get("post", ""))


def query_of(subject: Subject, period: periods.Period, **extra: str) -> str:
    values = {**subject.query(), **periods.page_params(period), **extra}
    return urlencode({k: v for k, v in values.items() if v})


def period_choices() -> list[tuple[str, periods.Period]]:
    """The period chips: today, the last 7 and 30 days, this month, last month, this year."""
    today = periods.today()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        (_("今天"), periods.day_of(today)),
        (_("近7天"), periods.last_days(7)),
        (_("近30天"), periods.last_days(30)),
        (_("本月"), periods.Period(first, today + timedelta(days=1))),
        (_("上月"), periods.Period(last_month_end.replace(day=1), first)),
        (_("本年"), periods.Period(today.replace(month=1, day=1), today + timedelta(days=1))),
    ]


def quick_periods(subject: Subject) -> list[dict[str, str]]:
    """The chips' links for a subject's pages."""
    return [
        {"label": str(label), "query": query_of(subject, p), **periods.page_params(p)}
        for label, p in period_choices()
    ]


def place_options(user: Actor) -> list[Node]:
    """The street, block areas and residential areas whose cases the user sees."""
    nodes: list[Node] = []
    for root in access.root_nodes(user, access.VIEW_CASES):
        nodes.extend(
            geo_selectors.descendants(root).filter(level__lte=Level.AREA).order_by("path")[:MAX_NODES]
        )
    return nodes[:MAX_NODES]


@page
@replicas.reading
def kpi_page(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CASES)
    subject = subject_of(request)
    period = period_of(request)
    found = kpis.kpi_set(subject, period, viewer=request.user)
    context = {
        "subject": subject,
        "period": period,
        "kpis": found,
        "query": query_of(subject, period),
        "subject_query": urlencode(subject.query()),
        "quick": quick_periods(subject),
        "places": place_options(request.user),
        "rank_ok": subject.node is not None and subject.by_area and subject.post_ids is None,
        "period_query": urlencode(periods.page_params(period)),  # the 共建 per-area table's links
        # 订单服务: counts by module, for those who see the place's orders (reports.order_figures)
        "orders": order_figures.figures(subject, period)
        if order_figures.may_see(request.user, subject)
        else None,
        "direct": direct_figures.figures(subject, period)
        if direct_figures.may_see(request.user, subject)
        else None,
        # 志愿服务: hours by source and area, for VIEW_COMMUNITY over the place
        "volunteers": volunteer_figures.figures(subject, period)
        if volunteer_figures.may_see(request.user, subject)
        else None,
        # 应急动员: per incident, for VIEW_MOBILISATION over the place
        "mobilisation": mobilisation_figures.figures(subject, period)
        if mobilisation_figures.may_see(request.user, subject)
        else None,
    }
    template = "web/reports/_kpi_panel.html" if is_htmx(request) else "web/reports/kpis.html"
    return render(request, template, context)


@page
@replicas.reading
def kpi_cases(request: HttpRequest, key: str) -> HttpResponse:
    require_power(request, access.VIEW_CASES)
    subject = subject_of(request)
    period = period_of(request)
    part = request.GET.get("part", "denominator")[:20]
    bucket = request.GET.get("bucket", "")[:10]
    found = drill.drill(subject, period, key[:40], part, user=request.user, bucket=bucket)
    split = _split(subject, period, found, request.user) if part == drill.DENOMINATOR and not bucket else []
    query = query_of(subject, period, part=part, bucket=bucket)
    return _drill_page(request, found, subject, period, query, split=split)


@page
@replicas.reading
def figure_cases(request: HttpRequest, measure: str) -> HttpResponse:
    """The cases (meetings, slips) behind one figure of a 日报/周报 or of the command centre:
    `?node=&start=&end=` as on the KPI pages, `category=` (小类) or `group=` (大类), `none`
    for the cases with no 小类."""
    require_power(request, access.VIEW_CASES)
    subject = subject_of(request)
    period = period_of(request)
    category, group = request.GET.get("category", "")[:20], request.GET.get("group", "")[:20]
    rule = request.GET.get("rule", "")[:20]  # the care figures: one alert rule
    member_type = request.GET.get("member_type", "")[:20]  # the community's points: one member type
    source = request.GET.get("source", "")[:20]  # the volunteer hours: one source
    kind = request.GET.get("kind", "")[:20]  # the 直报: one kind
    found = drill.figure(
        subject,
        period,
        measure[:40],
        user=request.user,
        category=category,
        group=group,
        rule=rule,
        member_type=member_type,
        source=source,
        kind=kind,
    )
    query = query_of(
        subject,
        period,
        category=category,
        group=group,
        rule=rule,
        member_type=member_type,
        source=source,
        kind=kind,
    )
    return _drill_page(request, found, subject, period, query)


def _split(
    subject: Subject, period: periods.Period, found: drill.DrillDown, viewer: Actor
) -> list[dict[str, Any]]:
    """A rate's denominator list shows its numerator and the rest beside it, each a link."""
    if found.kpi is None or found.kpi.kind not in {definitions.RATE, definitions.COUNT, definitions.BACKLOG}:
        return []
    key = found.kpi.key
    figures = kpis.kpi_set(subject, period, only=(key,), catch_up=False, viewer=viewer)[key]
    numerator, denominator = figures.numerator or 0, figures.denominator or 0
    return [
        {"part": drill.NUMERATOR, "label": drill.part_label(found.kpi, drill.NUMERATOR), "count": numerator},
        {
            "part": drill.REST,
            "label": drill.part_label(found.kpi, drill.REST),
            "count": denominator - numerator,
        },
    ]


def _drill_page(
    request: HttpRequest,
    found: drill.DrillDown,
    subject: Subject,
    period: periods.Period,
    query: str,
    *,
    split: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    rows = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/reports/cases.html",
        {
            "drill": found,
            "rows": rows,
            "subject": subject,
            "period": period,
            "split": split or [],
            "back": query_of(subject, period),
            "query": query,
            "community_kinds": COMMUNITY_KINDS,
        },
    )


@page
@replicas.reading
def ranking_page(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_CASES)
    subject = subject_of(request)
    period = period_of(request)
    kpi = request.GET.get("kpi", definitions.COMPOSITE)[:30]
    rollup.catch_up()
    rows = rankings.totals_by_post(subject, period)  # summed once for the two or three rankings
    areas = rankings.ranking(subject, period, by=rankings.AREAS, kpi=kpi, rows=rows)
    units = rankings.ranking(subject, period, by=rankings.UNITS, kpi=kpi, rows=rows)
    streets = (
        rankings.ranking(subject, period, by=rankings.STREETS, kpi=kpi, rows=rows)
        if rankings.covers_streets(subject)
        else None
    )
    choices = [(definitions.COMPOSITE, _("综合得分")), *((k.key, k.label) for k in definitions.RANKABLE)]
    return render(
        request,
        "web/reports/rankings.html",
        {
            "subject": subject,
            "period": period,
            "streets": streets,
            "areas": areas,
            "units": units,
            "kpi": kpi,
            "choices": choices,
            "query": query_of(subject, period),
            "period_query": urlencode(periods.page_params(period)),
            "quick": quick_periods(subject),
            "places": place_options(request.user),
            "rank_min": definitions.rank_min(),
        },
    )
