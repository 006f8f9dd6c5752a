"""项目清单: a project is built by the committee from needs and resources (budget, milestones, a
lead post), published for claiming (项目认领), bound by its pledge (community.pledges), delivered
milestone by milestone with evidence, finished by the committee, and evaluated by residents
(community.evaluations). Late milestones remind the claiming unit once a day (`follow_up`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.community import common, notifications, workflow
from gongzhi.community.models import (
    Milestone,
    Need,
    NeedState,
    Project,
    ProjectState,
    Resource,
    ServiceField,
)
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import invalid
from gongzhi.geo import streets as geo_streets
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Post

MAX_MILESTONES = 12
REMIND_EVERY = timedelta(hours=20)  # once a day, whatever minute the sweep runs at


@dataclass
class Step:
    title: str
    due: date | None


@dataclass
class ProjectDraft:
    title: str
    summary: str
    field: str
    node: Node | None
    starts_on: date | None
    ends_on: date | None
    budget: Any = 0
    lead: Post | None = None
    needs: Sequence[Need] = ()
    resources: Sequence[Resource] = ()
    milestones: Sequence[Step] = ()


def kinds(actor: Actor, project: Project, *, claiming: bool = False) -> set[str]:
    """Who the actor is to this project (workflow.STAFF / UNIT)."""
    out: set[str] = set()
    if common.may_manage(actor, project.node):
        out.add(workflow.STAFF)
    units = access.held_unit_ids(actor) if actor is not None else frozenset()
    if (claiming and units) or (project.claimed_by_id is not None and project.claimed_by_id in units):
        out.add(workflow.UNIT)
    return out


def validate_steps(steps: Sequence[Step], starts_on: date, ends_on: date) -> list[Step]:
    if not steps:
        raise invalid("milestones", _("项目至少要有一个节点"))
    if len(steps) > MAX_MILESTONES:
        raise invalid("milestones", _("项目节点最多%(n)s个") % {"n": MAX_MILESTONES})
    cleaned = []
    for i, step in enumerate(steps):
        title = common.text(step.title, f"milestones.{i}.title", _("请填写节点名称"), limit=100)
        if step.due is None:
            raise invalid(f"milestones.{i}.due", _("请填写节点的计划完成日期"))
        if not starts_on <= step.due <= ends_on:
            raise invalid(f"milestones.{i}.due", _("节点日期须在项目起止日期之内"))
        cleaned.append(Step(title, step.due))
    return sorted(cleaned, key=lambda s: s.due or date.min)


def _validate(actor: Actor, draft: ProjectDraft) -> tuple[Decimal, list[Step]]:
    common.text(draft.title, "title", _("请填写项目名称"), limit=100)
    common.text(draft.summary, "summary", _("请填写项目内容"), limit=2000)
    common.choice(draft.field, "field", ServiceField, _("请选择服务领域"))
    if draft.node is None:
        raise invalid("node", _("请选择项目实施地点"))
    common.require_manage(actor, draft.node)
    if draft.starts_on is None:
        raise invalid("starts_on", _("请填写开始日期"))
    if draft.ends_on is None:
        raise invalid("ends_on", _("请填写结束日期"))
    common.window(draft.starts_on, draft.ends_on, "ends_on")
    budget = common.amount(draft.budget, "budget", allow_none=False)
    assert budget is not None
    street = geo_streets.street_path(draft.node.path) or draft.node.path  # a district: its streets
    for need in draft.needs:
        if not common.may_manage(actor, need.node):
            raise invalid("needs", _("只能选择本辖区的需求"))
        if need.state not in (NeedState.OPEN, NeedState.MATCHED):
            raise invalid("needs", _("需求“%(title)s”已立项或办结") % {"title": need.title})
    for resource in draft.resources:
        if not resource.active or not resource.node_path.startswith(street):
            raise invalid("resources", _("资源“%(title)s”已撤回或不在本街道") % {"title": resource.title})
    if draft.lead is not None and not access.can(actor, access.VIEW_ROSTER, draft.lead.node):
        raise invalid("lead", _("负责岗位须是本辖区的岗位"))
    return budget, validate_steps(draft.milestones, draft.starts_on, draft.ends_on)


def project_create(*, actor: Actor, draft: ProjectDraft) -> Project:
    budget, steps = _validate(actor, draft)
    assert draft.node is not None and draft.starts_on and draft.ends_on
    with transaction.atomic():
        project = Project.objects.create(
            title=draft.title.strip(),
            summary=draft.summary.strip(),
            field=draft.field,
            node=draft.node,
            node_path=draft.node.path,
            budget=budget,
            lead=draft.lead,
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            created_by=recorded(actor),
            created_at=clock.now(),
        )
        project.needs.set(draft.needs)
        project.resources.set(draft.resources)
        write_milestones(project, steps)
        Need.objects.filter(pk__in=[n.pk for n in draft.needs]).update(state=NeedState.PROJECT)
        common.record(project, "create", actor, frm="", needs=[n.pk for n in draft.needs])
    return project


def write_milestones(project: Project, steps: Sequence[Step]) -> None:
    project.milestones.all().delete()
    rows = []
    for i, step in enumerate(steps):
        assert step.due is not None  # validate_steps refused a step without one
        rows.append(Milestone(project=project, seq=i + 1, title=step.title, due=step.due))
    Milestone.objects.bulk_create(rows)


def _locked(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("node", "claimed_by")
        .get(pk=project.pk)
    )


def project_publish(*, actor: Actor, project: Project) -> Project:
    """Open the project for claiming (it shows on the public board's project list)."""
    with transaction.atomic():
        project = _locked(project)
        before = project.state
        project.state = workflow.step(project.state, "publish", kinds(actor, project))
        common.record(project, "publish", actor, frm=before)
    return project


def project_cancel(*, actor: Actor, project: Project, reason: str) -> Project:
    with transaction.atomic():
        project = _locked(project)
        before = project.state
        project.state = workflow.step(project.state, "cancel", kinds(actor, project))
        note = common.text(reason, "reason", _("撤销项目须说明理由"), limit=500)
        project.needs.filter(state=NeedState.PROJECT).update(state=NeedState.OPEN)
        common.record(project, "cancel", actor, frm=before, note=note)
    return project


def milestone_done(*, actor: Actor, milestone: Milestone, evidence: str) -> Milestone:
    """The claiming unit (or the committee) reports a milestone done, with what was done."""
    with transaction.atomic():
        project = _locked(milestone.project)
        workflow.step(project.state, "milestone_done", kinds(actor, project))
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.done_at is not None:
            raise invalid("milestone", _("该节点已报告完成"))
        text = common.text(evidence, "evidence", _("请填写完成情况作为佐证"), limit=1000)
        milestone.done_at = clock.now()
        milestone.evidence = text
        milestone.done_by = recorded(actor)
        milestone.save(update_fields=["done_at", "evidence", "done_by"])
        common.record(project, "milestone_done", actor, frm=project.state, milestone=milestone.seq)
    return milestone


def project_finish(*, actor: Actor, project: Project, note: str = "") -> Project:
    """The committee confirms delivery once every milestone is done; the needs it served are met."""
    with transaction.atomic():
        project = _locked(project)
        before = project.state
        to = workflow.step(project.state, "finish", kinds(actor, project))
        if project.milestones.filter(done_at__isnull=True).exists():
            raise invalid("milestones", _("尚有未完成的项目节点，不能完成项目"))
        if len(note or "") > 500:
            raise invalid("note", _("最多%(n)s个字符") % {"n": 500})
        project.state = to
        project.done_at = clock.now()
        project.needs.update(state=NeedState.MET)
        common.record(project, "finish", actor, frm=before, note=(note or "").strip())
        outbox.enqueue_all(notifications.finished(project))
    return project


def late_milestones(now: datetime | None = None) -> QuerySet[Milestone]:
    """Milestones of projects under way whose date has passed without a report."""
    today = (now or clock.now()).date()
    return Milestone.objects.filter(
        project__state=ProjectState.ACTIVE, done_at__isnull=True, due__lt=today
    ).select_related("project", "project__claimed_by", "project__node")


def follow_up(now: datetime | None = None) -> int:
    """The sweep (beat daily, or `gongzhi community_follow_up`): each late milestone reminds the
    claiming unit and the committee, at most once a day; returns the reminders written."""
    now = now or clock.now()
    due = late_milestones(now).exclude(reminded_at__gte=now - REMIND_EVERY)
    reminded = 0
    for milestone in due.order_by("pk"):
        with transaction.atomic():
            project = _locked(milestone.project)
            fresh = Milestone.objects.select_for_update().get(pk=milestone.pk)
            if project.state != ProjectState.ACTIVE or fresh.done_at is not None:
                continue
            if fresh.reminded_at is not None and fresh.reminded_at >= now - REMIND_EVERY:
                continue
            workflow.step(project.state, "remind", {workflow.SYSTEM})
            fresh.reminded_at = now
            fresh.save(update_fields=["reminded_at"])
            common.record(project, "remind", None, frm=project.state, milestone=fresh.seq)
            outbox.enqueue_all(notifications.late(project, fresh))
            reminded += 1
    return reminded
