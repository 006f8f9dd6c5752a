"""直报 services: the only writers of DirectReport and its events, follow-ups and photos
(docs/mobilisation.md "直报", ADR 0029).

直报 is the one path that skips the resolve-locally ladder by design: a grid worker or the
committee (DIRECT_REPORT) reports a fire, an injury, a collapse, an epidemic contact or a
crowd dispute, and the street's duty roster hears at once (mobilisation.direct_chain). Every
service validates first, raises ValidationError with Chinese field messages, and writes in
one transaction with the report row locked.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import attachments
from gongzhi.cases.choices import MAX_PHOTOS
from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import clock, outbox
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo import locate, streets
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct_chain, direct_hooks, direct_workflow
from gongzhi.mobilisation.direct_roster import duty_day_of, on_duty_for, street_of
from gongzhi.mobilisation.models.direct import (
    ConvertedTo,
    DirectFollowUp,
    DirectKind,
    DirectPhoto,
    DirectReport,
)
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Post

MAX_TEXT = 2000
MAX_REASON = 200
MAX_RESULT = 500


# --- who -----------------------------------------------------------------------------------------


def reporting_posts(user: Actor) -> list[Post]:
    """The user's active posts (held or deputised) that may send 直报."""
    ids = access.scope(user).post_ids
    if not ids:
        return []
    posts = Post.objects.filter(pk__in=ids).select_related("node", "unit").order_by("node__path", "pk")
    return [p for p in posts if access.DIRECT_REPORT in access.ROLE_POWERS.get(p.role, ())]


def may_report(user: Actor) -> bool:
    return access.has_power(user, access.DIRECT_REPORT)


def report_streets(user: Actor) -> list[Node]:
    """The streets the user may report in: those of their DIRECT_REPORT posts (a superuser:
    every street)."""
    if access.scope(user).superuser:
        return streets.streets()
    seen: dict[int, Node] = {}
    for post in reporting_posts(user):
        street = street_of(post.node)
        seen.setdefault(street.pk, street)
    return list(seen.values())


def kinds_of(user: Actor, report: DirectReport) -> set[str]:
    """Who the user is to this report: its reporter's side, the duty roster, or neither."""
    kinds: set[str] = set()
    if report.reporter_user_id == getattr(user, "pk", None) or access.can_under(
        user, access.DIRECT_REPORT, report.node_path
    ):
        kinds.add(direct_workflow.REPORTER)
    if on_duty_for(user, report):
        kinds.add(direct_workflow.DUTY)
    return kinds


def actions_for(user: Actor, report: DirectReport) -> list[str]:
    """What the user may do now (the page's buttons and the API's `actions`)."""
    actions = direct_workflow.allowed(report.state, kinds_of(user, report))
    if report.misuse and "mark_misuse" in actions:
        actions.remove("mark_misuse")
    if report.acknowledged_at is None:
        actions = [a for a in actions if a not in ("close", "convert_case", "convert_mobilisation")]
    if not direct_hooks.available() and "convert_mobilisation" in actions:
        actions.remove("convert_mobilisation")
    return actions


# --- reporting -------------------------------------------------------------------------------------


def _check_photos(files: list[Any], errors: dict[str, list[str]]) -> None:
    if len(files) > MAX_PHOTOS:
        errors["files"] = [_("最多上传%(n)d张照片") % {"n": MAX_PHOTOS}]
        return
    try:
        attachments.validate_files(files)
    except ValidationError as exc:
        errors["files"] = exc.message_dict.get("files", [])


def _check_text(text: str, field: str, errors: dict[str, list[str]], empty: str) -> str:
    text = (text or "").strip()
    if not text:
        errors[field] = [empty]
    elif len(text) > MAX_TEXT:
        errors[field] = [_("最多%(n)d字") % {"n": MAX_TEXT}]
    return text


def _place(
    user: Actor, node: Node | None, lat: float | None, lon: float | None, errors: dict[str, list[str]]
) -> tuple[Node | None, Node | None]:
    """(the place, its street): the node chosen or the one under the point, inside a street the
    user may report in; a point must lie inside that street too."""
    streets = {s.pk: s for s in report_streets(user)}
    located: Node | None = None
    if (lat is None) != (lon is None):
        errors["lat"] = [_("请同时提供经度和纬度")]
    elif lat is not None and lon is not None:
        located = locate.node_for_point(lat, lon)
        if located is None:
            errors["lat"] = [_("该位置不在本街道范围内")]
    place = node or located
    if place is None:
        if "lat" not in errors:
            errors["node"] = [_("请选择事发地点")]
        return None, None
    street = street_of(place)
    if street.pk not in streets:
        errors["node"] = [_("事发地点不在您所在的街道")]
        return None, None
    if located is not None and not located.path.startswith(street.path):
        errors["lat"] = [_("该位置不在本街道范围内")]
    return place, street


def _store_photos(report: DirectReport, files: list[Any], now: datetime, follow_up: Any = None) -> None:
    for upload in files:
        name = (getattr(upload, "name", "") or "photo")[-80:]
        content_type = attachments.image_content_type(upload) or "image/jpeg"
        photo = DirectPhoto(
            report=report, follow_up=follow_up, content_type=content_type, size=upload.size, at=now
        )
        photo.file.save(name, upload, save=False)
        photo.thumbnail.save(f"thumb_{name}.jpg", attachments.thumbnail(upload), save=False)
        photo.save()


def _reporter_post(user: Actor, place: Node) -> Post | None:
    """The post the report is sent from: the one whose area holds the place, else the first
    of the user's reporting posts in that street."""
    posts = reporting_posts(user)
    covering = [p for p in posts if place.path.startswith(p.node.path)]
    if covering:
        return max(covering, key=lambda p: len(p.node.path))
    in_street = [p for p in posts if place.path.startswith(street_of(p.node).path)]
    return in_street[0] if in_street else None


def report_create(
    *,
    actor: Actor,
    kind: str,
    text: str,
    node: Node | None = None,
    lat: float | None = None,
    lon: float | None = None,
    files: list[Any] | None = None,
) -> DirectReport:
    """Send a 直报: the duty officer and the day's leader hear at once on every channel."""
    if not may_report(actor):
        raise PermissionDeniedError(_("只有网格员和居委会工作人员可以直报"))
    files = list(files or [])
    errors: dict[str, list[str]] = {}
    if kind not in DirectKind.values:
        errors["kind"] = [_("请选择事件类型")]
    text = _check_text(text, "text", errors, _("请简要说明现场情况"))
    place, street = _place(actor, node, lat, lon, errors)
    _check_photos(files, errors)
    if errors:
        raise ValidationError(errors)
    assert place is not None and street is not None
    user = recorded(actor)
    now = clock.now()
    with transaction.atomic():
        report = DirectReport.objects.create(
            street=street,
            node=place,
            node_path=place.path,
            lat=lat,
            lon=lon,
            kind=kind,
            text=text,
            reporter_user=user,
            reporter_post=_reporter_post(actor, place),
            reported_at=now,
            duty_day=duty_day_of(now),
            follow_up_due_at=now + timedelta(minutes=direct_chain.follow_up_minutes()),
        )
        direct_chain.append(report, "report", actor=user, at=now, data={"photos": len(files)})
        _store_photos(report, files, now)
        direct_chain.start(report, now)
    return report


# --- answering ------------------------------------------------------------------------------------


def _locked(report: DirectReport) -> DirectReport:
    found = (
        DirectReport.objects.select_for_update(of=("self",))
        .select_related("node", "street", "reporter_post__unit", "reporter_user")
        .filter(pk=report.pk)
        .first()
    )
    if found is None:
        raise ConflictError(_("该直报已不存在"))
    return found


def _tell_reporter(report: DirectReport, subject: str, body: str) -> None:
    outbox.enqueue(
        outbox.OutboxSpec(
            kind="direct.answered",
            recipient=report.reporter_user,
            subject=subject,
            body=body,
            node_path=report.node_path,
            payload={"direct_id": report.pk, "link": direct_chain.report_link(report.pk)},
        )
    )


@transaction.atomic
def report_acknowledge(*, actor: Actor, report: DirectReport) -> DirectReport:
    """The duty officer (or a leader) has it: the chain stops; the reporter hears who took it."""
    report = _locked(report)
    from_state = report.state
    report.state = direct_workflow.step(report.state, "acknowledge", kinds_of(actor, report))
    now, user = clock.now(), recorded(actor)
    report.acknowledged_at, report.acknowledged_by = now, user
    direct_chain.stop(report)
    report.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "next_escalation_at"])
    direct_chain.append(report, "acknowledge", actor=user, at=now, from_state=from_state)
    minutes = int((now - report.reported_at).total_seconds() // 60)
    _tell_reporter(
        report,
        f"直报已确认：{DirectKind(report.kind).label}（{report.node.name}）",
        f"街道值班已于上报后 {minutes} 分钟确认收到，请按时书面续报。",
    )
    return report


@transaction.atomic
def follow_up_add(
    *, actor: Actor, report: DirectReport, text: str, files: list[Any] | None = None
) -> DirectFollowUp:
    """续报: what is known now, in writing, with photos; due within the hour of the report."""
    report = _locked(report)
    files = list(files or [])
    errors: dict[str, list[str]] = {}
    text = _check_text(text, "text", errors, _("请填写续报内容"))
    _check_photos(files, errors)
    if errors:
        raise ValidationError(errors)
    from_state = report.state
    report.state = direct_workflow.step(report.state, "follow_up", kinds_of(actor, report))
    now, user = clock.now(), recorded(actor)
    first = report.followed_up_at is None
    if first:
        report.followed_up_at = now
    report.save(update_fields=["state", "followed_up_at"])
    follow_up = DirectFollowUp.objects.create(report=report, text=text, at=now, by=user)
    _store_photos(report, files, now, follow_up=follow_up)
    late = now > report.follow_up_due_at
    direct_chain.append(
        report, "follow_up", actor=user, at=now, from_state=from_state, data={"first": first, "late": late}
    )
    if report.acknowledged_by_id is not None:
        outbox.enqueue(
            outbox.OutboxSpec(
                kind="direct.followed_up",
                recipient=report.acknowledged_by,
                subject=f"直报续报：{DirectKind(report.kind).label}（{report.node.name}）",
                body=_("现场已书面续报，请查看。"),
                node_path=report.node_path,
                payload={"direct_id": report.pk, "link": direct_chain.report_link(report.pk)},
            )
        )
    return follow_up


def _expect_acknowledged(report: DirectReport) -> None:
    if report.acknowledged_at is None:
        raise ConflictError(_("请先确认收到此直报"), allowed=["acknowledge"])


@transaction.atomic
def report_close(*, actor: Actor, report: DirectReport, result: str) -> DirectReport:
    """The incident is over: the result in a line, and the report leaves the command centre."""
    report = _locked(report)
    result = (result or "").strip()
    if not result:
        raise invalid("result", _("请填写处置结果"))
    if len(result) > MAX_RESULT:
        raise invalid("result", _("处置结果最多%(n)d字") % {"n": MAX_RESULT})
    from_state = report.state
    to_state = direct_workflow.step(report.state, "close", kinds_of(actor, report))
    _expect_acknowledged(report)
    now, user = clock.now(), recorded(actor)
    report.state, report.closed_at, report.closed_by, report.result = to_state, now, user, result
    direct_chain.stop(report)
    report.save(update_fields=["state", "closed_at", "closed_by", "result", "next_escalation_at"])
    direct_chain.append(report, "close", actor=user, at=now, from_state=from_state, note=result)
    return report


def _case_text(report: DirectReport) -> str:
    parts = [f"【直报转工单】{DirectKind(report.kind).label}：{report.text}"]
    parts += [f"【续报 {f.at:%m-%d %H:%M}】{f.text}" for f in report.follow_ups.order_by("at", "pk")]
    return "\n".join(parts)[:4000]


def _photo_files(report: DirectReport) -> list[Any]:
    """The scene photos as uploads for the case's first event (at most what a case takes)."""
    from django.core.files.base import ContentFile

    out = []
    for photo in report.photos.order_by("pk")[:MAX_PHOTOS]:
        with photo.file.open("rb") as handle:
            out.append(ContentFile(handle.read(), name=photo.file.name.rsplit("/", 1)[-1]))
    return out


@transaction.atomic
def report_convert_case(*, actor: Actor, report: DirectReport, category: Category | None) -> DirectReport:
    """One tap: a case at the report's place with its text, follow-ups and photos, in the
    chosen 小类, through the cases intake; the 直报 closes as converted."""
    report = _locked(report)
    if category is None or category.parent_id is None or not category.active:
        raise invalid("category", _("请选择一个启用的小类"))
    from_state = report.state
    to_state = direct_workflow.step(report.state, "convert_case", kinds_of(actor, report))
    _expect_acknowledged(report)
    now, user = clock.now(), recorded(actor)
    case = case_create(
        actor=actor,
        intake=Intake(
            node=report.node,
            text=_case_text(report),
            source=Source.PATROL,
            category=category,
            lat=report.lat,
            lon=report.lon,
            reporter=getattr(report.reporter_user, "person", None),
            external_id=f"direct-{report.pk}",
            files=_photo_files(report),
            data={"direct_report": report.pk},
        ),
    )
    report.state, report.converted_to, report.case = to_state, ConvertedTo.CASE, case
    report.closed_at, report.closed_by = now, user
    direct_chain.stop(report)
    report.save(
        update_fields=["state", "converted_to", "case", "closed_at", "closed_by", "next_escalation_at"]
    )
    direct_chain.append(
        report, "convert_case", actor=user, at=now, from_state=from_state, data={"case": case.pk}
    )
    _tell_reporter(
        report,
        f"直报已转为工单：{DirectKind(report.kind).label}（{report.node.name}）",
        f"工单号 {case.number}，后续按工单办理。",
    )
    return report


@transaction.atomic
def report_convert_mobilisation(*, actor: Actor, report: DirectReport) -> DirectReport:
    """One tap: an incident opened by the mobilisation side (mobilisation.direct_hooks)."""
    report = _locked(report)
    from_state = report.state
    to_state = direct_workflow.step(report.state, "convert_mobilisation", kinds_of(actor, report))
    _expect_acknowledged(report)
    if not direct_hooks.available():
        raise ConflictError(_("应急动员尚未启用，请转为工单"), allowed=["convert_case", "close"])
    opened = direct_hooks.mobilise(actor=actor, report=report)
    now, user = clock.now(), recorded(actor)
    report.state, report.converted_to = to_state, ConvertedTo.MOBILISATION
    report.incident_id = opened.incident_id
    report.closed_at, report.closed_by = now, user
    direct_chain.stop(report)
    report.save(
        update_fields=["state", "converted_to", "incident_id", "closed_at", "closed_by", "next_escalation_at"]
    )
    direct_chain.append(
        report,
        "convert_mobilisation",
        actor=user,
        at=now,
        from_state=from_state,
        data={"incident": opened.incident_id, "link": opened.link},
    )
    return report


@transaction.atomic
def report_mark_misuse(*, actor: Actor, report: DirectReport, reason: str) -> DirectReport:
    """An ordinary problem sent as 直报: marked with a reason (counted in the figures); the
    reporter hears why. Any state; once. The chain climbs no further (the duty roster has
    answered: no leader is rung for it); the report still waits to be acknowledged and closed."""
    report = _locked(report)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("请说明为何属于误用直报"))
    if len(reason) > MAX_REASON:
        raise invalid("reason", _("原因最多%(n)d字") % {"n": MAX_REASON})
    direct_workflow.step(report.state, "mark_misuse", kinds_of(actor, report))
    if report.misuse:
        raise ConflictError(_("该直报已标记为误用"))
    now, user = clock.now(), recorded(actor)
    report.misuse, report.misuse_reason, report.misuse_at, report.misuse_by = True, reason, now, user
    direct_chain.stop(report)
    report.save(update_fields=["misuse", "misuse_reason", "misuse_at", "misuse_by", "next_escalation_at"])
    direct_chain.append(report, "mark_misuse", actor=user, at=now, from_state=report.state, note=reason)
    _tell_reporter(
        report,
        f"直报被标记为误用：{DirectKind(report.kind).label}（{report.node.name}）",
        _(
            "一般问题请通过巡查上报或工单办理，直报只用于火灾、伤亡、倒塌、疫情接触、群体性纠纷等重大突发事件。"
        ),
    )
    return report


def follow_up_overdue(report: DirectReport, now: datetime | None = None) -> bool:
    """No 续报 yet and the hour is over (a closed or converted report is no longer chased)."""
    now = now or clock.now()
    return report.followed_up_at is None and report.is_open and now > report.follow_up_due_at


def followed_up_late(report: DirectReport) -> bool:
    return report.followed_up_at is not None and report.followed_up_at > report.follow_up_due_at


def case_of(report: DirectReport) -> Case | None:
    return report.case if report.case_id else None
