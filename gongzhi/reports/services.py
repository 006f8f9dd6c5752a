"""Writes of reports: generating a 日报 / 周报 and adding commentary to it.

Generation is idempotent. The first run for (kind, node, period) stores the figures and tells
the node's staff through the outbox. A later run for the same period (a re-run, a late cron)
re-derives the figures and replaces them only while nobody has commented: once a person has
written commentary the report is frozen as they read it, and nothing is sent twice. Figures
are never edited by a person; only ReportNote rows are written by people.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock, outbox, replicas
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.reports import notifications, rollup, summaries
from gongzhi.reports.models import Report, ReportKind, ReportNote
from gongzhi.reports.periods import Period, day_of, today, week_of

REPORT_LEVELS = (Level.DISTRICT, Level.STREET, Level.BLOCK, Level.AREA)  # 区, 街道, 块区, 居民区
MAX_NOTE = 4000
VOLATILE = ("as_of",)  # what changes on every run without the facts changing


def period_for(kind: str, start: date) -> Period:
    if kind == ReportKind.DAILY:
        return day_of(start)
    if kind == ReportKind.WEEKLY:
        return week_of(start)
    raise ValidationError({"kind": [_("报表类型应为日报（daily）或周报（weekly）")]})


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = lambda x: {k: v for k, v in x.items() if k not in VOLATILE}  # noqa: E731
    return strip(a) == strip(b)


@dataclass
class Generated:
    report: Report
    outcome: str  # created / refreshed / kept (commented or unchanged)


def report_generate(*, kind: str, node: Node, start: date) -> Generated:
    """Store the report of `node` for the period holding `start` (a day, or its week)."""
    period = period_for(kind, start)
    if node.level not in REPORT_LEVELS:
        raise ValidationError({"node": [_("日报周报只生成到区、街道、块区和居民区")]})
    rollup.catch_up(limit=None)
    now = clock.now()
    with replicas.read(fresh=True):  # a replica only if it holds what the catch-up just wrote
        figures = summaries.figures(node, period, now)
    with transaction.atomic():
        existing = Report.objects.select_for_update().filter(kind=kind, node=node, start=period.start).first()
        if existing is None:
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        kind=kind,
                        node=node,
                        node_path=node.path,
                        start=period.start,
                        end=period.end,
                        figures=figures,
                        generated_at=now,
                    )
            except IntegrityError:  # another run created it meanwhile: theirs stands
                return Generated(Report.objects.get(kind=kind, node=node, start=period.start), "kept")
            outbox.enqueue_all(notifications.report_ready(report))
            return Generated(report, "created")
        if existing.notes.exists() or _same(existing.figures, figures):
            return Generated(existing, "kept")
        existing.figures = figures
        existing.generated_at = now
        existing.revision += 1
        existing.save(update_fields=["figures", "generated_at", "revision"])
        return Generated(existing, "refreshed")


@dataclass
class Run:
    created: int = 0
    refreshed: int = 0
    kept: int = 0

    def __str__(self) -> str:
        return f"新生成 {self.created} 份，更新 {self.refreshed} 份，保持不变 {self.kept} 份"


def reports_generate(*, kind: str, start: date | None = None) -> Run:
    """The reports of every district, street, block area and residential area for one period
    (default: yesterday, or last week). The KPI tables are brought up to date first."""
    if start is None:
        start = today() - timedelta(days=1 if kind == ReportKind.DAILY else 7)
    period_for(kind, start)  # a bad kind fails before any work
    rollup.refresh()
    run = Run()
    for node in Node.objects.filter(level__in=REPORT_LEVELS).order_by("path"):
        outcome = report_generate(kind=kind, node=node, start=start).outcome
        setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def may_comment(user: Any, report: Report) -> bool:
    """The staff who run the node (convene its meetings or dispatch its cases) comment."""
    return access.can(user, access.CONVENE, report.node) or access.can(user, access.DISPATCH, report.node)


def report_note_add(*, actor: Any, report: Report, text: str) -> ReportNote:
    if not may_comment(actor, report):
        raise PermissionDeniedError(_("您无权点评该报表"))
    body = (text or "").strip()
    if not body:
        raise ValidationError({"text": [_("请填写点评内容")]})
    if len(body) > MAX_NOTE:
        raise ValidationError({"text": [_("点评不能超过%(n)d字") % {"n": MAX_NOTE}]})
    person = getattr(actor, "person", None)
    name = person.name if person is not None else actor.get_username()
    return ReportNote.objects.create(report=report, text=body, by=actor, by_name=name[:50], at=clock.now())
