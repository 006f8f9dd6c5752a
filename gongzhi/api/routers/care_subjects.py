"""/api/v1/care: the care board, its subjects and what the committee keeps about them
(docs/care.md "API"): the subjects list with the last sign per signal, a subject's detail
(sensitive parts only for the posts that serve the subject and the auditor, each view logged
through care.details), enrolment, consent (multipart, with the scanned form; the scan read back,
logged) and its withdrawal, binding the home's devices, away periods, emergency contacts (add; reveal with a purpose, logged), the board's
counts and the map's counts per building. Every read is the page's selector (care.selectors,
cut by access.care_subjects_q: out of scope is a 404); every write a care.services call."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.api.shortcuts import MAX_ID, caller, found, refuse_number_in_url
from gongzhi.care import consent_forms, selectors, services
from gongzhi.care.details import details_logged
from gongzhi.care.models import AwayPeriod, CareSubject, Consent, EmergencyContact
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError, invalid
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Post

router = Router(tags=["care"])

SubjectId = Path(..., ge=1, le=MAX_ID)


class CareBoardQuery(Schema):
    node: str = Field("", max_length=60, description="居民区或网格编码：只看其下的关爱对象")


class CareSubjectsQuery(CareBoardQuery):
    after: int | None = Field(None, ge=1, le=MAX_ID, description="上一页 next_after：从其后继续")
    limit: int = Field(selectors.BOARD_PAGE, ge=1, le=200)


class CareSignOut(Schema):
    signal: str = Field(..., description="door / water / power / life（平安确认、探访、电话）")
    at: datetime | None = Field(None, description="最近一次活动")
    state: str = Field(
        ...,
        description="fresh（未过规则时限的一半）/ ageing / late（超过时限）/ never（尚无信号）/ off（未同意采集）",
    )


class CareSubjectRowOut(Schema):
    id: int
    name: str
    kind: str
    home: str
    visit_due_at: datetime
    watched: bool = Field(..., description="有有效的采集同意书")
    away: bool = Field(..., description="正在外出暂停中")
    open_alerts: int
    signs: list[CareSignOut]


class CareSubjectPageOut(Schema):
    rows: list[CareSubjectRowOut]
    next_after: int | None = Field(None, description="下一页的 after；最后一页为 null")


class CareAssignmentOut(Schema):
    post: str
    title: str
    holder: str
    duty: str


class CareConsentOut(Schema):
    id: int
    given_by: str
    guardian: str = Field("", description="监护人姓名（脱敏）")
    guardian_relation: str
    given_on: date
    signals: list[str]
    recorded_at: datetime


class CareContactOut(Schema):
    id: int
    relation: str
    name: str = Field(..., description="脱敏姓名")
    phone: str = Field(..., description="脱敏电话")


class CareAwayOut(Schema):
    id: int
    reason: str | None = Field(None, description="原因：仅责任岗位和审计员可见")
    starts_at: datetime
    ends_at: datetime
    note: str | None = Field(None, description="备注：仅责任岗位和审计员可见")


class CareSubjectOut(Schema):
    id: int
    name: str
    kind: str
    home: str
    home_code: str
    visit_every_days: int
    visit_due_at: datetime
    enrolled_at: datetime
    ended_at: datetime | None
    signals: list[str] = Field(..., description="有效同意书采集的信号（无则为空）")
    posts: list[CareAssignmentOut]
    consent: CareConsentOut | None
    contacts: list[CareContactOut]
    away: list[CareAwayOut]
    signs: list[CareSignOut]
    open_alerts: int
    details: bool = Field(..., description="是否含敏感信息（责任岗位和审计员；每次查看均记录）")


class CarePostIn(Schema):
    post: str = Field(..., min_length=1, max_length=40, description="岗位编码（三定名册）")
    duty: str = Field(
        ..., max_length=20, description="grid（网格员）/ building_head（楼组长）/ volunteer / other"
    )


class CareContactIn(Schema):
    relation: str = Field(..., max_length=20)
    name: str = Field(..., max_length=30)
    phone: str = Field(..., max_length=20)


class CareEnrolIn(Schema):
    person: int = Field(..., ge=1, le=MAX_ID, description="居民 id")
    kind: str = Field(..., max_length=20, description="alone_80 / alone_60 / disabled / hardship / other")
    posts: list[CarePostIn] = Field(..., max_length=10, description="责任岗位，至少一个")
    visit_every_days: int = Field(7, ge=1, le=services.MAX_VISIT_EVERY)
    contacts: list[CareContactIn] = Field([], max_length=services.MAX_CONTACTS)
    note: str = Field("", max_length=200)


class CareConsentIn(Schema):
    given_by: str = Field(..., max_length=10, description="subject（本人）/ guardian（监护人）")
    signals: list[str] = Field(..., max_length=4, description="door / water / power / alarm，可重复字段")
    given_on: date
    guardian_name: str = Field("", max_length=30)
    guardian_relation: str = Field("", max_length=20)


class CareWithdrawIn(Schema):
    confirm: bool = Field(..., description="须为 true：撤回将删除此人的全部原始设备数据")


class CareDeviceIn(Schema):
    serial: str = Field(..., min_length=1, max_length=64, description="本户已登记设备的编号")


class CareDeviceOut(Schema):
    serial: str
    kind: str = Field(..., description="door / water_meter / power_meter / sos / smoke / gas")
    bound_at: datetime | None


class CareWithdrawOut(Schema):
    events_deleted: int


class CareAwayIn(Schema):
    reason: str = Field(..., max_length=20, description="hospital / family / travel / other")
    starts_at: datetime | None = Field(None, description="不填为现在")
    ends_at: datetime
    note: str = Field("", max_length=200)


class CarePurposeIn(Schema):
    purpose: str = Field(..., max_length=200, description="查看用途（会记录）")


class CareContactRevealOut(Schema):
    relation: str
    name: str
    phone: str


class CareAlertCountsOut(Schema):
    open: int
    acknowledged: int
    visiting: int


class CarePostOverdueOut(Schema):
    post: str
    title: str
    holder: str
    node: str
    overdue: int


class CareBoardOut(Schema):
    subjects: int
    watched: int
    away: int
    alerts: CareAlertCountsOut
    overdue: int
    overdue_per_post: list[CarePostOverdueOut]


class CareCandidatesQuery(Schema):
    name: str = Field("", max_length=30, description="按姓名查找（包含）；不填为系统建议")


class CareCandidateOut(Schema):
    person: int
    name: str
    home: str
    kind: str


# --- helpers ---------------------------------------------------------------------------------------


def _under(user: Actor, code: str) -> Node | None:
    return selectors.board_node(user=user, code=code)


def _require_board(user: Actor) -> None:
    if not access.has_power(user, access.VIEW_CARE):
        raise PermissionDeniedError(_("您无权查看关爱看板"))


def _subject(user: Actor, pk: int) -> CareSubject:
    return found(selectors.subject_get(user=user, pk=pk))


def _signs(row: selectors.BoardRow) -> list[dict[str, Any]]:
    return [{"signal": s.signal, "at": s.at, "state": s.state} for s in row.signs]


def _row_out(row: selectors.BoardRow) -> dict[str, Any]:
    s = row.subject
    return {
        "id": s.pk,
        "name": s.person.name,
        "kind": s.kind,
        "home": s.home.name,
        "visit_due_at": s.visit_due_at,
        "watched": bool(s.signals),
        "away": row.away,
        "open_alerts": row.open_alerts,
        "signs": _signs(row),
    }


def _consent_out(c: Consent | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "id": c.pk,
        "given_by": c.given_by,
        "guardian": c.guardian_name_masked,
        "guardian_relation": c.guardian_relation,
        "given_on": c.given_on,
        "signals": c.signals,
        "recorded_at": c.recorded_at,
    }


def _contact_out(c: EmergencyContact) -> dict[str, Any]:
    return {"id": c.pk, "relation": c.relation, "name": c.name_masked, "phone": c.phone_masked}


def _away_out(a: AwayPeriod, details: bool) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reason": a.reason if details else None,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "note": a.note if details else None,
    }


def _subject_out(user: Actor, subject: CareSubject) -> dict[str, Any]:
    details = details_logged(user, subject, field="detail")
    row = selectors.board_row(subject=subject)
    return {
        "id": subject.pk,
        "name": subject.person.name,
        "kind": subject.kind,
        "home": subject.home.name,
        "home_code": subject.home.code,
        "visit_every_days": subject.visit_every_days,
        "visit_due_at": subject.visit_due_at,
        "enrolled_at": subject.enrolled_at,
        "ended_at": subject.ended_at,
        "signals": subject.signals,
        "posts": [
            {"post": a.post.code, "title": a.post.title, "holder": a.post.person.name, "duty": a.duty}
            for a in subject.assignments.select_related("post__person")
        ],
        "consent": _consent_out(selectors.consent_in_force(subject=subject)),
        "contacts": [_contact_out(c) for c in selectors.contacts(subject=subject)],
        "away": [_away_out(a, details) for a in selectors.away_periods(subject=subject)],
        "signs": _signs(row),
        "open_alerts": row.open_alerts,
        "details": details,
    }


# --- the board ---------------------------------------------------------------------------------------


@router.get("/board", response=CareBoardOut, summary="关爱看板：对象、预警、逾期探访的计数")
def care_board_summary(request: HttpRequest, filters: Query[CareBoardQuery]) -> dict[str, Any]:
    """The page's figures (VIEW_CARE: the committee, the secretary, the cadres, the auditor)."""
    user = caller(request)
    _require_board(user)
    under = _under(user, filters.node)
    summary = selectors.board_summary(user=user, under=under)
    per_post = selectors.overdue_per_post(user=user, under=under)[:50]
    return {
        "subjects": summary.subjects,
        "watched": summary.watched,
        "away": summary.away,
        "alerts": summary.alerts,
        "overdue": summary.overdue,
        "overdue_per_post": [
            {"post": p.code, "title": p.title, "holder": p.person.name, "node": p.node.name, "overdue": n}
            for p, n in per_post
        ],
    }


@router.get("/board/map", response=dict[str, Any], summary="有未关闭预警的楼栋（GeoJSON 点，只有计数）")
def care_board_map_counts(request: HttpRequest, filters: Query[CareBoardQuery]) -> dict[str, Any]:
    """One point per building with open alerts: `code`, `name` (the building's) and `open`.
    No person, no household."""
    user = caller(request)
    _require_board(user)
    return selectors.alert_buildings_geojson(user=user, under=_under(user, filters.node))


@router.get(
    "/candidates", response=list[CareCandidateOut], summary="建议纳入关爱的居民（只是建议，不会自动纳入）"
)
def care_candidates(request: HttpRequest, filters: Query[CareCandidatesQuery]) -> list[dict[str, Any]]:
    """Without `name`, the suggestions (60+ living alone); with it, the residents of that name
    (contains) not yet enrolled, for those the suggestions leave out (`kind` empty). By name
    only: a number in the query string is refused (400)."""
    user = caller(request)
    if filters.name.strip():
        refuse_number_in_url(filters.name)
        people = selectors.enrol_search(user=user, name=filters.name)
        return [{"person": p.pk, "name": p.name, "home": p.home.name, "kind": ""} for p in people if p.home]
    return [
        {"person": c.person.pk, "name": c.person.name, "home": c.person.home.name, "kind": c.kind}
        for c in selectors.candidates(user=user)
        if c.person.home is not None
    ]


# --- subjects ------------------------------------------------------------------------------------------


@router.get(
    "/subjects", response=CareSubjectPageOut, summary="关爱对象及最近信号（按辖区排序，翻页用 after）"
)
def care_subject_list(request: HttpRequest, filters: Query[CareSubjectsQuery]) -> dict[str, Any]:
    """The subjects the caller sees: a grid worker or a volunteer their own, the committee its
    area, a department none."""
    user = caller(request)
    page = selectors.board_rows(
        user=user, under=_under(user, filters.node), after=filters.after, size=filters.limit
    )
    return {"rows": [_row_out(r) for r in page.rows], "next_after": page.next_cursor}


@router.get("/subjects/{subject_id}", response=CareSubjectOut, summary="关爱对象详情")
def care_subject_detail(request: HttpRequest, subject_id: int = SubjectId) -> dict[str, Any]:
    """Away reasons and notes only for the posts that serve the subject and the auditor
    (`details`), each such answer logged; contacts masked (reveal them one by one)."""
    user = caller(request)
    return _subject_out(user, _subject(user, subject_id))


@router.post("/subjects", response={201: CareSubjectOut}, summary="纳入关爱（MANAGE_CARE）")
def care_subject_enrol(request: HttpRequest, payload: CareEnrolIn) -> Status:
    """422: no responsible post, a post not in office or not serving the home, a bad contact,
    the person already enrolled; 403 outside the caller's MANAGE_CARE subtrees."""
    user = caller(request)
    person = org_selectors.person_get(user=user, pk=payload.person)
    if person is None:
        raise invalid("person", _("没有这个居民"))
    by_code = {
        p.code: p
        for p in Post.objects.filter(code__in=[p.post for p in payload.posts]).select_related("node")
    }
    unknown = [p.post for p in payload.posts if p.post not in by_code]
    if unknown:
        raise ValidationError({"posts": [_("没有这个岗位：%(code)s") % {"code": code} for code in unknown]})
    subject = services.subject_enrol(
        actor=user,
        person=person,
        kind=payload.kind,
        posts=[(by_code[p.post], p.duty) for p in payload.posts],
        visit_every_days=payload.visit_every_days,
        contacts=[
            services.ContactIn(relation=c.relation, name=c.name, phone=c.phone) for c in payload.contacts
        ],
        note=payload.note,
    )
    return Status(201, _subject_out(user, _subject(user, subject.pk)))


@router.post(
    "/subjects/{subject_id}/consent", response={201: CareConsentOut}, summary="登记采集同意书（multipart）"
)
def care_consent_record(
    request: HttpRequest,
    payload: Form[CareConsentIn],
    form: UploadedFile | None = File(None),  # noqa: B008 (ninja's parameter marker)
    subject_id: int = SubjectId,
) -> Status:
    """Multipart: the fields and `form`, the signed scan (PDF, JPEG, PNG or WebP). 422 when the
    form is missing or unreadable, the signals are not chosen, a guardian is not named, or a
    consent is already in force."""
    user = caller(request)
    subject = _subject(user, subject_id)
    consent = services.consent_record(
        actor=user,
        subject=subject,
        given_by=payload.given_by,
        signals=payload.signals,
        given_on=payload.given_on,
        form=form,
        guardian_name=payload.guardian_name,
        guardian_relation=payload.guardian_relation,
    )
    return Status(201, _consent_out(consent))


@router.post("/subjects/{subject_id}/consent/withdraw", response=CareWithdrawOut, summary="撤回采集同意")
def care_consent_withdraw(
    request: HttpRequest, payload: CareWithdrawIn, subject_id: int = SubjectId
) -> dict[str, Any]:
    """Stops collection at once: the devices are unbound and the subject's raw events deleted
    (their number is answered). `confirm` must be true."""
    user = caller(request)
    subject = _subject(user, subject_id)
    if not payload.confirm:
        raise invalid("confirm", _("请确认撤回：撤回后立即停止采集，并删除此人的全部原始设备数据"))
    return {"events_deleted": services.consent_withdraw(actor=user, subject=subject)}


@router.get(
    "/consents/{consent_id}/form",
    summary="下载签字的同意书扫描件（责任岗位、本辖区关爱管理、审计员；留痕）",
    response={200: None},
)
def care_consent_form(request: HttpRequest, consent_id: int = Path(..., ge=1, le=MAX_ID)) -> FileResponse:
    """The stored scan (PDF or image) with `Cache-Control: no-store`; the access-log row
    (`care.consent` / `form`) is written before it leaves. 404 out of scope or when the file is
    gone, 403 for others who see the subject (a department sees none)."""
    user = caller(request)
    consent = found(selectors.consent_get(user=user, pk=consent_id))
    handle, content_type, filename = found(consent_forms.form_open(actor=user, consent=consent))
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/subjects/{subject_id}/devices", response={201: CareDeviceOut}, summary="绑定设备（须有有效同意书）"
)
def care_device_bind(request: HttpRequest, payload: CareDeviceIn, subject_id: int = SubjectId) -> Status:
    """Bind a device registered at the subject's home. 422 when the serial is not registered
    there, the device is bound already (to anyone), or the consent does not cover its signal;
    403 outside the caller's MANAGE_CARE subtrees."""
    user = caller(request)
    subject = _subject(user, subject_id)
    device = selectors.device_for(subject=subject, serial=payload.serial)
    if device is None:
        raise invalid("serial", _("此住处没有登记这个设备编号"))
    bound = services.device_bind(actor=user, device=device, subject=subject)
    return Status(201, {"serial": bound.serial, "kind": bound.kind, "bound_at": bound.bound_at})


@router.post("/subjects/{subject_id}/away", response={201: CareAwayOut}, summary="登记外出暂停")
def care_away_record(request: HttpRequest, payload: CareAwayIn, subject_id: int = SubjectId) -> Status:
    """422 when the return is not after the start (or now), or more than a year away."""
    user = caller(request)
    subject = _subject(user, subject_id)
    away = services.away_record(
        actor=user,
        subject=subject,
        reason=payload.reason,
        starts_at=payload.starts_at or clock.now(),
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return Status(201, _away_out(away, access.can_see_care_details(user, subject)))


@router.post("/away/{away_id}/end", response=CareAwayOut, summary="结束外出暂停（已返回）")
def care_away_end(request: HttpRequest, away_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    user = caller(request)
    away = found(selectors.away_get(user=user, pk=away_id))
    ended = services.away_end(actor=user, away=away)
    return _away_out(ended, access.can_see_care_details(user, away.subject))


@router.post("/subjects/{subject_id}/contacts", response={201: CareContactOut}, summary="添加紧急联系人")
def care_contact_add(request: HttpRequest, payload: CareContactIn, subject_id: int = SubjectId) -> Status:
    user = caller(request)
    subject = _subject(user, subject_id)
    contact = services.contact_add(
        actor=user,
        subject=subject,
        contact=services.ContactIn(relation=payload.relation, name=payload.name, phone=payload.phone),
    )
    return Status(201, _contact_out(contact))


@router.post(
    "/contacts/{contact_id}/reveal", response=CareContactRevealOut, summary="查看紧急联系人（记录用途）"
)
def care_contact_reveal(
    request: HttpRequest, payload: CarePurposeIn, contact_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """For the posts that serve the subject and the auditor (403 for others); the purpose is
    logged before the values leave (422 without one)."""
    user = caller(request)
    contact = found(selectors.contact_get(user=user, pk=contact_id))
    name, phone = services.contact_reveal(actor=user, contact=contact, purpose=payload.purpose)
    return {"relation": contact.relation, "name": name, "phone": phone}
