"""What the three lists export (docs/exports.md): needs, resources and projects, each as the
page lists them for the same user (community.selectors). Needs and projects name places and
units, never people (numbers typed into a text are masked all the same); the resource list
names the Party member who offers a resource, so it is personal and each export is logged."""

from typing import Any

from django.utils.translation import gettext_lazy

from gongzhi.community.models import (
    Milestone,
    NeedSource,
    NeedState,
    ProjectState,
    ResourceKind,
    ServiceField,
    Urgency,
)
from gongzhi.core.exports import Column, Spec, column, label_column, local
from gongzhi.core.scrub import numbers_masked

NEEDS = Spec(
    stem="community-needs",
    title=gettext_lazy("需求清单"),
    columns=(
        Column(
            gettext_lazy("编号"), ("id", "created_at"), lambda r: f"XQ{r['created_at']:%Y}{r['id']:06d}", 14
        ),
        column(gettext_lazy("需求"), "title", numbers_masked, 24),
        label_column(gettext_lazy("服务领域"), "field", ServiceField),
        label_column(gettext_lazy("所需资源"), "wants", ResourceKind, empty=gettext_lazy("不限")),
        label_column(gettext_lazy("来源"), "source", NeedSource),
        column(gettext_lazy("来源说明"), "source_label", numbers_masked, 16),
        column(gettext_lazy("地点"), "node__name", width=16),
        column(gettext_lazy("地点编码"), "node__code", width=14),
        column(gettext_lazy("受益对象"), "beneficiaries", numbers_masked, 16),
        column(gettext_lazy("受益人数"), "beneficiary_count", width=8),
        label_column(gettext_lazy("紧急程度"), "urgency", Urgency, 8),
        column(gettext_lazy("需求开始"), "window_from", width=12),
        column(gettext_lazy("需求截止"), "window_until", width=12),
        label_column(gettext_lazy("状态"), "state", NeedState, 8),
        column(gettext_lazy("需求说明"), "text", numbers_masked, 40),
        column(gettext_lazy("登记时间"), "created_at", local, 17),
    ),
    personal=False,
)


def _provider(row: dict[str, Any]) -> str:
    return row["unit__name"] or row["member__person__name"] or ""


RESOURCES = Spec(
    stem="community-resources",
    title=gettext_lazy("资源清单"),
    columns=(
        Column(
            gettext_lazy("编号"), ("id", "created_at"), lambda r: f"ZY{r['created_at']:%Y}{r['id']:06d}", 14
        ),
        column(gettext_lazy("资源"), "title", numbers_masked, 24),
        label_column(gettext_lazy("资源类型"), "kind", ResourceKind),
        label_column(gettext_lazy("服务领域"), "field", ServiceField),
        Column(gettext_lazy("提供方"), ("unit__name", "member__person__name"), _provider, 18),
        column(gettext_lazy("单位编码"), "unit__code", width=14),
        column(gettext_lazy("服务范围"), "node__name", width=16),
        column(gettext_lazy("服务范围编码"), "node__code", width=14),
        column(gettext_lazy("数量"), "quantity", width=10),
        column(gettext_lazy("计量单位"), "measure", width=8),
        column(gettext_lazy("可用开始"), "available_from", width=12),
        column(gettext_lazy("可用截止"), "available_until", width=12),
        column(gettext_lazy("可用时段"), "schedule", numbers_masked, 16),
        Column(gettext_lazy("有效"), ("active",), lambda r: "是" if r["active"] else "否", 6),
        column(gettext_lazy("资源说明"), "text", numbers_masked, 40),
    ),
    personal=True,
)


def _progress(chunk: list[dict[str, Any]]) -> None:
    """Each project's milestones done / total (one query per chunk)."""
    counts: dict[int, list[int]] = {}
    rows = Milestone.objects.filter(project_id__in=[r["id"] for r in chunk]).values_list(
        "project_id", "done_at"
    )
    for project_id, done_at in rows:
        pair = counts.setdefault(project_id, [0, 0])
        pair[1] += 1
        pair[0] += done_at is not None
    for row in chunk:
        done, total = counts.get(row["id"], [0, 0])
        row["progress"] = f"{done}/{total}"


PROJECTS = Spec(
    stem="community-projects",
    title=gettext_lazy("项目清单"),
    columns=(
        Column(
            gettext_lazy("编号"), ("id", "created_at"), lambda r: f"XM{r['created_at']:%Y}{r['id']:06d}", 14
        ),
        column(gettext_lazy("项目名称"), "title", numbers_masked, 24),
        label_column(gettext_lazy("服务领域"), "field", ServiceField),
        column(gettext_lazy("实施地点"), "node__name", width=16),
        column(gettext_lazy("预算（元）"), "budget", width=12),
        label_column(gettext_lazy("状态"), "state", ProjectState),
        column(gettext_lazy("认领单位"), "claimed_by__name", width=18),
        column(gettext_lazy("开始日期"), "starts_on", width=12),
        column(gettext_lazy("结束日期"), "ends_on", width=12),
        Column(gettext_lazy("节点完成"), (), lambda r: r["progress"], 10),
        column(gettext_lazy("认领时间"), "claimed_at", local, 17),
        column(gettext_lazy("完成时间"), "done_at", local, 17),
    ),
    personal=False,
    enrich=_progress,
)

SPECS = {"needs": NEEDS, "resources": RESOURCES, "projects": PROJECTS}
