"""Declaring, planning and closing an incident (docs/mobilisation.md "The incident").

A street or block cadre (MOBILISE over every node of the zone) declares it, alone or from a
联合居务会 decision (a binding slip: its units go on duty). Declaring lists what must be
covered: a duty post for each entrance in the zone, each care subject living there as a
household to reach, each building as a door-to-door check; the lead adds supplies, other
households and posts, and plans the shifts. Closing confirms the volunteers' hours into the time
bank (community.volunteers) and freezes the record the after-action report reads.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.care.models import CareSubject
from gongzhi.community import volunteers
from gongzhi.community.choices import HoursSource
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.models import Node
from gongzhi.meetings.models import Slip, SlipState
from gongzhi.mobilisation import duty, zone
from gongzhi.mobilisation.choices import AssignmentState, IncidentKind, IncidentState, ItemKind
from gongzhi.mobilisation.models import (
    Assignment,
    CoverageItem,
    DutyPost,
    Entrance,
    Incident,
    IncidentEvent,
    Shift,
)
from gongzhi.orgs import access
from gongzhi.orgs.models import Unit

SLIP_IN_FORCE = (SlipState.BINDING, SlipState.CONFIRMING, SlipState.DONE)
SHIFT_HOURS = (4, 6, 8, 12)
MAX_DAYS = 14
DEFAULT_NEED = 2


# --- who may ---------------------------------------------------------------------------------------


def zone_paths(incident: Incident) -> list[str]:
    return list(incident.zone.values_list("path", flat=True))


def may_lead(actor: Actor, incident: Incident) -> bool:
    """The incident's lead, or whoever holds MOBILISE over its whole zone (the cadre above)."""
    if getattr(actor, "pk", None) == incident.lead_id and getattr(actor, "is_authenticated", False):
        return True
    paths = zone_paths(incident)
    return bool(paths) and all(access.can_under(actor, access.MOBILISE, p) for p in paths)


def require_lead(actor: Actor, incident: Incident) -> None:
    if not may_lead(actor, incident):
        raise PermissionDeniedError(_("只有动员负责人可以进行此操作"))


def require_active(incident: Incident) -> None:
    if incident.state != IncidentState.ACTIVE:
        raise ConflictError(_("该动员已结束"))


def record(incident: Incident, action: str, actor: Actor | None, note: str = "", **data: Any) -> None:
    incident.seq += 1
    incident.save(update_fields=["seq"])
    IncidentEvent.objects.create(
        incident=incident,
        action=action,
        actor=actor if isinstance(actor, User) else None,
        at=clock.now(),
        note=note[:500],
        data=data,
    )


# --- declaring -------------------------------------------------------------------------------------


def _slip_zone(slip: Slip) -> list[Node]:
    if slip.state not in SLIP_IN_FORCE:
        raise invalid("slip", _("该任务流转单尚未生效"))
    joint = list(slip.meeting.joint_nodes.all())
    return joint or [slip.node]


def _units(street: Node, units: Sequence[Unit], slip: Slip | None) -> list[Unit]:
    chosen = {u.pk: u for u in units}
    if slip is not None:
        chosen.update({p.unit.pk: p.unit for p in slip.parties.select_related("unit__node")})
    outside = [u.name for u in chosen.values() if not u.node.path.startswith(street.path)]
    if outside:
        raise invalid("units", _("单位不在本街道：%(names)s") % {"names": "、".join(outside[:3])})
    return list(chosen.values())


def incident_declare(
    *,
    actor: Actor,
    kind: str,
    title: str,
    nodes: Sequence[Node] = (),
    slip: Slip | None = None,
    units: Sequence[Unit] = (),
    note: str = "",
) -> Incident:
    if not access.has_power(actor, access.MOBILISE):
        raise PermissionDeniedError(_("只有街道或块区干部可以启动应急动员"))
    if kind not in IncidentKind.values:
        raise invalid("kind", _("请选择事件类型"))
    cleaned = (title or "").strip()
    if not cleaned or len(cleaned) > 100:
        raise invalid("title", _("请填写动员名称（100字以内）"))
    if len(note or "") > 500:
        raise invalid("note", _("最多%(n)s个字符") % {"n": 500})
    from_slip = _slip_zone(slip) if slip is not None else []
    places = list(nodes) or from_slip
    street = zone.check(actor, places)
    if slip is not None and not slip.node_path.startswith(street.path):
        raise invalid("slip", _("该任务流转单不属于本街道"))
    on_duty = _units(street, units, slip)
    with transaction.atomic():
        incident = Incident.objects.create(
            kind=kind,
            title=cleaned,
            street=street,
            slip=slip,
            lead=recorded(actor),
            note=(note or "").strip(),
            declared_at=clock.now(),
        )
        incident.zone.set(places)
        incident.units.set(on_duty)
        paths = [n.path for n in places]
        posts = _entrance_posts(incident, paths)
        items = _coverage(incident, paths)
        record(
            incident,
            "declared",
            actor,
            data={
                "zone": [n.code for n in places],
                "posts": posts,
                "items": items,
                "slip": slip.pk if slip else None,
            },
        )
    return incident


def _entrance_posts(incident: Incident, paths: list[str]) -> int:
    entrances = (
        Entrance.objects.filter(active=True).filter(zone.under_q(paths, "node__path")).select_related("node")
    )
    DutyPost.objects.bulk_create(
        DutyPost(
            incident=incident,
            entrance=e,
            node=e.node,
            name=f"{e.node.name}{e.name}",
            lat=e.lat,
            lon=e.lon,
            opens=e.opens,
            closes=e.closes,
            need=DEFAULT_NEED,
        )
        for e in entrances
    )
    return len(entrances)


def _coverage(incident: Incident, paths: list[str]) -> int:
    subjects = (
        CareSubject.objects.filter(ended_at__isnull=True)
        .filter(zone.under_q(paths, "node_path"))
        .select_related("home")
    )
    rows = [
        CoverageItem(
            incident=incident,
            kind=ItemKind.HOUSEHOLD,
            node=s.home,
            node_path=s.node_path,
            care_subject=s,
            label=f"{s.home.name}（{s.get_kind_display()}）",
        )
        for s in subjects
    ]
    rows += [
        CoverageItem(incident=incident, kind=ItemKind.DOOR_CHECK, node=b, node_path=b.path, label=b.name)
        for b in zone.buildings(paths)
    ]
    CoverageItem.objects.bulk_create(rows)
    return len(rows)


# --- what to cover ---------------------------------------------------------------------------------


def _in_zone(incident: Incident, node: Node, field: str = "node") -> None:
    if not any(node.path.startswith(p) for p in zone_paths(incident)):
        raise invalid(field, _("该位置不在动员范围内"))


def post_add(
    *,
    actor: Actor,
    incident: Incident,
    name: str,
    node: Node,
    opens: time,
    closes: time,
    need: int = DEFAULT_NEED,
    skills: Sequence[str] = (),
) -> DutyPost:
    require_lead(actor, incident)
    require_active(incident)
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > 60:
        raise invalid("name", _("请填写值守点名称（60字以内）"))
    if not 1 <= need <= 20:
        raise invalid("need", _("每班人数应为1–20"))
    _in_zone(incident, node)
    skill_list = volunteers.clean_skills(skills)
    with transaction.atomic():
        post = DutyPost.objects.create(
            incident=incident,
            node=node,
            name=cleaned,
            opens=opens,
            closes=closes,
            need=need,
            skills=skill_list,
        )
        record(incident, "post_added", actor, cleaned)
    return post


def item_add(
    *, actor: Actor, incident: Incident, kind: str, node: Node, label: str, quantity: int = 1
) -> CoverageItem:
    """A household flagged by hand (not a care subject), a supply to deliver, a door check."""
    require_lead(actor, incident)
    require_active(incident)
    if kind not in ItemKind.values:
        raise invalid("kind", _("请选择事项类型"))
    cleaned = (label or "").strip()
    if not cleaned or len(cleaned) > 100:
        raise invalid("label", _("请填写内容（100字以内）"))
    if not 1 <= quantity <= 100000:
        raise invalid("quantity", _("数量应为1–100000"))
    _in_zone(incident, node)
    with transaction.atomic():
        item = CoverageItem.objects.create(
            incident=incident, kind=kind, node=node, node_path=node.path, label=cleaned, quantity=quantity
        )
        record(incident, "item_added", actor, cleaned, kind=kind)
    return item


def may_cover(actor: Actor, item: CoverageItem) -> bool:
    """Who records an item done: the lead, VIEW_MOBILISATION at its place (the committee, the
    grid), or anyone on the incident's rota."""
    if may_lead(actor, item.incident) or access.can_under(actor, access.VIEW_MOBILISATION, item.node_path):
        return True
    person_id = access.scope(actor).person_id
    return (
        person_id is not None
        and Assignment.objects.filter(shift__post__incident=item.incident, person_id=person_id).exists()
    )


def item_done(*, actor: Actor, item: CoverageItem, note: str = "") -> CoverageItem:
    if not may_cover(actor, item):
        raise PermissionDeniedError(_("您无权登记该事项"))
    require_active(item.incident)
    if len(note or "") > 300:
        raise invalid("note", _("最多%(n)s个字符") % {"n": 300})
    with transaction.atomic():
        locked = CoverageItem.objects.select_for_update().get(pk=item.pk)
        if locked.done_at is not None:
            raise ConflictError(_("该事项已完成"))
        locked.done_at, locked.done_by, locked.note = clock.now(), recorded(actor), (note or "").strip()
        locked.save(update_fields=["done_at", "done_by", "note"])
    return locked


# --- shifts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def post_windows(post: DutyPost, first_day: datetime, days: int) -> list[Window]:
    """The post's guarded hours on each day: opens → closes, across midnight when closes is
    earlier, all day when equal."""
    tz = timezone.get_default_timezone()
    out = []
    for offset in range(days):
        day = (first_day + timedelta(days=offset)).date()
        start = datetime.combine(day, post.opens, tzinfo=tz)
        end = datetime.combine(day, post.closes, tzinfo=tz)
        if end <= start:
            end += timedelta(days=1)
        out.append(Window(start, end))
    return out


def shifts_plan(*, actor: Actor, incident: Incident, days: int, shift_hours: int = 8) -> int:
    """Cut every post's guarded hours over the next `days` days into shifts of `shift_hours`
    (the last of a window may be shorter), from now on. Replaces the planned shifts while no
    rota is published; afterwards the rota holds them."""
    require_lead(actor, incident)
    require_active(incident)
    if not 1 <= days <= MAX_DAYS:
        raise invalid("days", _("天数应为1–%(n)d") % {"n": MAX_DAYS})
    if shift_hours not in SHIFT_HOURS:
        raise invalid("shift_hours", _("班次时长应为4、6、8或12小时"))
    posts = list(incident.posts.all())
    if not posts:
        raise invalid("days", _("请先添加值守点"))
    now = clock.now()
    local = timezone.localtime(now)
    first_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(hours=shift_hours)
    rows = []
    for post in posts:
        for w in post_windows(post, first_day, days):
            t = w.start
            while t < w.end:
                end = min(t + step, w.end)
                if end > now:
                    rows.append(Shift(post=post, starts_at=max(t, now), ends_at=end, need=post.need))
                t = end
    with transaction.atomic():
        if Assignment.objects.filter(shift__post__incident=incident).exists():
            raise ConflictError(_("已发布排班，不能重新生成班次"))
        Shift.objects.filter(post__incident=incident).delete()
        Shift.objects.bulk_create(rows)
        record(
            incident, "shifts_planned", actor, data={"days": days, "hours": shift_hours, "shifts": len(rows)}
        )
    return len(rows)


# --- closing ---------------------------------------------------------------------------------------


def incident_close(*, actor: Actor, incident: Incident, note: str = "") -> Incident:
    """Close: whoever is still checked in is checked out at the end of their shift (or now),
    and the lead's close confirms every volunteer's served hours into the time bank."""
    require_lead(actor, incident)
    if len(note or "") > 500:
        raise invalid("note", _("最多%(n)s个字符") % {"n": 500})
    lead = recorded(actor)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        require_active(locked)
        now = clock.now()
        still_in = Assignment.objects.filter(shift__post__incident=locked, state=AssignmentState.CHECKED_IN)
        for a in still_in.select_related("shift"):
            a.checked_out_at = min(now, a.shift.ends_at)
            a.state = AssignmentState.CHECKED_OUT
            a.save(update_fields=["checked_out_at", "state"])
        served = Assignment.objects.filter(
            shift__post__incident=locked, state=AssignmentState.CHECKED_OUT, volunteer__isnull=False
        ).select_related("shift__post", "volunteer")
        posted = 0
        for a in served:
            hours = duty.served_hours(a)
            if hours <= 0 or a.volunteer is None:
                continue
            volunteers.hours_record(
                confirmed_by=lead,
                volunteer=a.volunteer,
                hours=hours,
                occurred_on=timezone.localtime(a.shift.starts_at).date(),
                source=HoursSource.SHIFT,
                source_key=f"mobilisation:assignment:{a.pk}",
                label=f"{locked.title} {a.shift.post.name}",
            )
            posted += 1
        locked.state, locked.closed_at = IncidentState.CLOSED, now
        locked.save(update_fields=["state", "closed_at"])
        record(locked, "closed", actor, (note or "").strip(), hours_posted=posted)
    return locked
