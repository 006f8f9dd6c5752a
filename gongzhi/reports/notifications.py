"""Who hears about a new 日报 / 周报: the staff posted at the report's node (those who see its
cases), and the group robots whose scope covers the node. Figures only, no personal data."""

from typing import Any

from django.urls import NoReverseMatch, reverse

from gongzhi.cases.notifications import users_of
from gongzhi.core.outbox import OutboxSpec
from gongzhi.orgs import access
from gongzhi.orgs.models import Post
from gongzhi.reports.models import Report, ReportKind


def link(report: Report) -> str:
    try:
        return reverse("web:reports_detail", args=[report.pk])
    except NoReverseMatch:  # the pages are not mounted
        return f"/reports/{report.pk}/"


def staff(report: Report) -> list[Any]:
    """Holders and deputies of the active posts at exactly the report's node that see cases."""
    roles = [role for role, powers in access.ROLE_POWERS.items() if access.VIEW_CASES in powers]
    posts = Post.objects.filter(access.active_posts_q(), node=report.node, role__in=roles).select_related(
        "person__user", "deputy__user"
    )
    return users_of(posts)


def summary(report: Report) -> str:
    t = report.figures.get("totals", {})
    return (
        f"新增 {t.get('new', 0)} 件，结案 {t.get('closed', 0)} 件，超期 {t.get('overdue', 0)} 件，"
        f"上报 {t.get('escalated', 0)} 件；召开会议 {report.figures.get('meetings_held', 0)} 次。"
    )


def report_ready(report: Report) -> list[OutboxSpec]:
    name = "日报" if report.kind == ReportKind.DAILY else "周报"
    kind = f"report.{report.kind}"
    subject = f"【{name}】{report.node.name} {report.figures.get('period', '')}"
    payload = {"report_id": report.pk, "link": link(report)}
    specs = [
        OutboxSpec(kind=kind, subject=subject, body=summary(report), recipient=u, payload=payload)
        for u in staff(report)
    ]
    specs.append(
        OutboxSpec(
            kind=kind, subject=subject, body=summary(report), node_path=report.node_path, payload=payload
        )
    )
    return specs
