"""/api/v1/volunteers: register as a volunteer (or, for committee staff, register a resident),
my volunteer record with the time-bank balance and entries, changing my skills, weekly
availability, limits and days away (PUT /me), the open tasks of my area and
accepting one (docs/mobilisation.md "Volunteers"). Writes go through community.volunteers."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from gongzhi.api.auth import DEFAULT_AUTH
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.community import volunteers
from gongzhi.community.models import HoursEntry, Volunteer, VolunteerTask
from gongzhi.core.errors import invalid
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Unit

router = Router(tags=["volunteers"], auth=DEFAULT_AUTH)


class AvailabilitySlotIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 = 星期一")
    start_hour: int = Field(..., ge=0, le=23)
    end_hour: int = Field(..., ge=1, le=24)


class VolunteerRegisterIn(Schema):
    area: str = Field(..., max_length=40, description="服务居民区编码")
    kind: str = Field(..., max_length=12, description="resident / member / unit_staff")
    person: int | None = Field(
        None, ge=1, le=MAX_ID, description="代为登记时：人员编号（须有管理共建的权限）"
    )
    unit: str | None = Field(None, max_length=40, description="单位职工：单位编码")
    skills: list[str] = Field(default_factory=list, max_length=20)
    availability: list[AvailabilitySlotIn] = Field(default_factory=list, max_length=21)
    max_hours_day: int = Field(8, ge=1, le=24)
    max_hours_week: int = Field(24, ge=1, le=168)
    min_rest_hours: int = Field(8, ge=0, le=24)


class VolunteerAbsenceIn(Schema):
    starts_on: date = Field(..., description="开始日期（含）")
    ends_on: date = Field(..., description="结束日期（含），不早于开始日期")
    reason: str = Field(..., max_length=100, description="原因")


class VolunteerUpdateIn(Schema):
    skills: list[str] = Field(default_factory=list, max_length=20)
    availability: list[AvailabilitySlotIn] = Field(
        default_factory=list, max_length=21, description="每周可服务时段，同一天的时段不能重叠"
    )
    absences: list[VolunteerAbsenceIn] | None = Field(
        None, max_length=20, description="暂停服务的日期段（整体替换；不传则不变），互不重叠"
    )
    max_hours_day: int = Field(8, ge=1, le=24)
    max_hours_week: int = Field(24, ge=1, le=168)
    min_rest_hours: int = Field(8, ge=0, le=24)


class VolunteerSlotOut(Schema):
    weekday: int
    start_hour: int
    end_hour: int


class VolunteerAbsenceOut(Schema):
    starts_on: date
    ends_on: date
    reason: str


class HoursEntryOut(Schema):
    occurred_on: date
    source: str
    hours: Decimal
    label: str


class VolunteerRecordOut(Schema):
    id: int
    name: str
    kind: str
    area: str
    skills: list[str]
    availability: list[VolunteerSlotOut]
    absences: list[VolunteerAbsenceOut]
    max_hours_day: int
    max_hours_week: int
    min_rest_hours: int
    balance: Decimal
    entries: list[HoursEntryOut]


class VolunteerTaskOut(Schema):
    id: int
    title: str
    starts_at: Any
    ends_at: Any
    need: int
    skills: list[str]


def _out(v: Volunteer) -> dict[str, Any]:
    entries = HoursEntry.objects.filter(volunteer=v).order_by("-occurred_on", "-id")[:100]
    return {
        "id": v.pk,
        "name": v.person.name,
        "kind": v.kind,
        "area": v.area.code,
        "skills": v.skills,
        "availability": [
            {"weekday": a.weekday, "start_hour": a.start_hour, "end_hour": a.end_hour}
            for a in v.availability.order_by("weekday", "start_hour")
        ],
        "absences": [
            {"starts_on": a.starts_on, "ends_on": a.ends_on, "reason": a.reason}
            for a in v.absences.order_by("starts_on")
        ],
        "max_hours_day": v.max_hours_day,
        "max_hours_week": v.max_hours_week,
        "min_rest_hours": v.min_rest_hours,
        "balance": volunteers.balance(v),
        "entries": [
            {"occurred_on": e.occurred_on, "source": e.source, "hours": e.hours, "label": e.label}
            for e in entries
        ],
    }


@router.post("", response={201: VolunteerRecordOut}, summary="登记志愿者")
def volunteer_register(request: HttpRequest, payload: VolunteerRegisterIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    area = Node.objects.filter(code=payload.area).first()
    if area is None:
        raise invalid("area", _("没有这个辖区"))
    if payload.person is not None:
        person = (
            Person.objects.filter(access.people_q(user), pk=payload.person).select_related("home").first()
        )
    else:
        own = access.scope(user).person_id
        person = Person.objects.filter(pk=own).select_related("home").first() if own else None
    if person is None:
        raise invalid("person", _("没有这个人员"))
    unit = Unit.objects.filter(code=payload.unit).first() if payload.unit else None
    if payload.unit and unit is None:
        raise invalid("unit", _("没有这个单位"))
    v = volunteers.volunteer_register(
        actor=user,
        person=person,
        kind=payload.kind,
        area=area,
        unit=unit,
        skills=payload.skills,
        availability=[volunteers.Slot(s.weekday, s.start_hour, s.end_hour) for s in payload.availability],
        max_hours_day=payload.max_hours_day,
        max_hours_week=payload.max_hours_week,
        min_rest_hours=payload.min_rest_hours,
    )
    return 201, _out(v)


@router.get("/me", response=VolunteerRecordOut, summary="我的志愿服务：时间银行余额与记录")
def volunteer_me(request: HttpRequest) -> dict[str, Any]:
    return _out(found(volunteers.my_volunteer(caller(request))))


@router.put("/me", response=VolunteerRecordOut, summary="修改我的技能、每周可服务时段、上限和暂停服务日期")
def volunteer_me_update(request: HttpRequest, payload: VolunteerUpdateIn) -> dict[str, Any]:
    user = caller(request)
    mine = found(volunteers.my_volunteer(user))
    absences = (
        [volunteers.Away(a.starts_on, a.ends_on, a.reason) for a in payload.absences]
        if payload.absences is not None
        else None
    )
    v = volunteers.volunteer_update(
        actor=user,
        volunteer=mine,
        skills=payload.skills,
        availability=[volunteers.Slot(s.weekday, s.start_hour, s.end_hour) for s in payload.availability],
        max_hours_day=payload.max_hours_day,
        max_hours_week=payload.max_hours_week,
        min_rest_hours=payload.min_rest_hours,
        absences=absences,
    )
    return _out(v)


@router.get("/tasks", response=list[VolunteerTaskOut], summary="本居民区招募中的志愿任务")
def task_list(request: HttpRequest) -> list[dict[str, Any]]:
    mine = volunteers.my_volunteer(caller(request))
    if mine is None:
        return []
    return [
        {
            "id": t.pk,
            "title": t.title,
            "starts_at": t.starts_at,
            "ends_at": t.ends_at,
            "need": t.need,
            "skills": t.skills,
        }
        for t in volunteers.open_tasks(mine)[:100]
    ]


@router.post("/tasks/{task_id}/accept", summary="接受志愿任务")
def task_accept(request: HttpRequest, task_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    mine = volunteers.my_volunteer(caller(request))
    task = VolunteerTask.objects.filter(pk=task_id, area=mine.area if mine else None).first()
    signup = volunteers.task_accept(actor=caller(request), task=found(task))
    return {"id": signup.pk, "state": signup.state}
