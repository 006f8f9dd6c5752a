"""The community pages through Django's test client on the real database: a need listed and
matched, a project built, published, claimed, signed by both sides, delivered and finished,
evaluated once per device on the public page; the public pages hold no personal data; the
Excel export and import; refusals are clear pages that write nothing."""

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import Workbook, load_workbook

from gongzhi.community import pledges, resources
from gongzhi.community.imports import NEEDS
from gongzhi.community.models import (
    Match,
    Need,
    PledgeSignature,
    Project,
    ProjectEvaluation,
    ProjectState,
    Resource,
    ResourceKind,
    ServiceField,
)
from gongzhi.community.tests.lists.conftest import CommunityWorld, claimed_and_signed, open_project
from gongzhi.core import clock
from gongzhi.orgs.imports.workbook import workbook_bytes
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg
from gongzhi.orgs.roles import MemberType, PartyOrgKind
from gongzhi.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

RESIDENT = "王秀英"
RESIDENT_PHONE = "13812345678"
MEMBER = "李建国"


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def as_(w: CommunityWorld, key: str) -> Client:
    client = Client()
    client.force_login(w.users[key])
    return client


def test_need_to_finished_project_through_the_pages(world: CommunityWorld) -> None:
    w = world
    committee, unit, secretary = as_(w, "committee"), as_(w, "logistics"), as_(w, "secretary")
    resources.resource_create(
        actor=w.users["logistics"],
        draft=resources.ResourceDraft(
            title="送餐车辆",
            kind=ResourceKind.EQUIPMENT,
            field=ServiceField.ELDERLY,
            unit=w.unit("logistics"),
        ),
    )
    answer = committee.post(
        "/community/needs/new/",
        {
            "origin": "staff",
            "title": "独居老人助餐",
            "field": "elderly",
            "node": w.tree.r1.code,
            "beneficiaries": "80岁以上独居老人",
            "beneficiary_count": "12",
            "urgency": "3",
            "window_from": "2026-03-01",
        },
    )
    need = Need.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/community/needs/{need.pk}/"
    page = committee.get(f"/community/needs/{need.pk}/").content.decode()
    assert "送餐车辆" in page and "同一居民区" in page
    resource = Resource.objects.get()
    committee.post(f"/community/needs/{need.pk}/match/", {"resource": resource.pk, "decision": "confirm"})
    assert Match.objects.get().resource == resource

    answer = committee.post(
        "/community/projects/new/",
        {
            "title": "助餐送餐",
            "summary": "为独居老人送午餐",
            "field": "elderly",
            "node": w.tree.r1.code,
            "budget": "5000",
            "starts_on": "2026-03-05",
            "ends_on": "2026-05-31",
            "needs": [str(need.pk)],
            "resources": [str(resource.pk)],
            "step_title_0": "试运行一个月",
            "step_due_0": "2026-04-05",
        },
    )
    project = Project.objects.get()
    assert answer.status_code == 302
    act = f"/community/projects/{project.pk}/act/"
    assert committee.post(act, {"action": "publish"}).status_code == 302
    assert (
        unit.post(
            act, {"action": "claim", "unit": w.unit("logistics").pk, "commitments": "每天送餐"}
        ).status_code
        == 302
    )
    page = unit.get(f"/community/projects/{project.pk}/").content.decode()
    assert "每天送餐" in page and 'data-side="unit"' in page
    assert unit.post(act, {"action": "sign", "version": "1", "side": "unit"}).status_code == 302
    assert secretary.post(act, {"action": "sign", "version": "1", "side": "community"}).status_code == 302
    assert Project.objects.get().state == ProjectState.ACTIVE
    assert (
        unit.post(act, {"action": "milestone", "milestone": "1", "evidence": "已送餐22天"}).status_code == 302
    )
    assert committee.post(act, {"action": "finish"}).status_code == 302
    assert Project.objects.get().state == ProjectState.DONE

    resident = Client()
    first = resident.get(f"/public/community/projects/{project.pk}/?street=S")
    assert first.status_code == 200 and "居民评议" in first.content.decode()
    answer = resident.post(f"/public/community/projects/{project.pk}/evaluate/?street=S", {"rating": "good"})
    assert answer.status_code == 302
    again = resident.post(f"/public/community/projects/{project.pk}/evaluate/?street=S", {"rating": "poor"})
    assert again.status_code == 409 and "只能评议一次" in again.content.decode()
    assert ProjectEvaluation.objects.count() == 1
    board = Client().get("/public/community/?street=S").content.decode()  # the world has two streets
    assert "助餐送餐" in board and "1 位居民评议，满意度 100%" in board


def test_refusals_are_clear_and_write_nothing(world: CommunityWorld) -> None:
    w = world
    committee = as_(w, "committee")
    answer = committee.post(
        "/community/needs/new/", {"origin": "staff", "title": "", "field": "nope", "node": w.tree.r1.code}
    )
    assert answer.status_code == 422 and "请填写需求" in answer.content.decode() and not Need.objects.exists()
    answer = committee.post(
        "/community/needs/new/", {"origin": "case", "case": "2026030200000999", "title": "x"}
    )
    assert answer.status_code == 422 and "没有找到该工单" in answer.content.decode()

    project = claimed_and_signed(w, open_project(w))
    act = f"/community/projects/{project.pk}/act/"
    other = as_(w, "hospital")
    answer = other.post(act, {"action": "claim", "unit": w.unit("hospital").pk, "commitments": "也想认领"})
    assert answer.status_code == 404  # an active project of another unit is not theirs to see
    assert as_(w, "committee_r3").get(f"/community/projects/{project.pk}/").status_code == 404

    open_one = open_project(w, title="第二个项目")
    pledges.project_claim(
        actor=w.users["logistics"], project=open_one, unit=w.unit("logistics"), commitments="承诺"
    )
    pledge = open_one.pledge
    pledges.pledge_revise(actor=w.users["committee"], pledge=pledge, commitments="承诺（修订）", note="改")
    answer = as_(w, "secretary").post(
        f"/community/projects/{open_one.pk}/act/", {"action": "sign", "version": "1", "side": "community"}
    )
    assert answer.status_code == 409 and "第2版" in answer.content.decode()
    assert not PledgeSignature.objects.filter(pledge=pledge).exists()


def test_public_pages_hold_no_personal_data(world: CommunityWorld) -> None:
    w = world
    PersonFactory(name=RESIDENT, phone=RESIDENT_PHONE, home=w.tree.h1)
    org = PartyOrg.objects.create(
        code="PO-R1", name="东安居民区党总支", kind=PartyOrgKind.GENERAL_BRANCH, node=w.tree.r1
    )
    person = PersonFactory(name=MEMBER, phone="13900001111", home=w.tree.h1)
    member = PartyMember.objects.create(person=person, org=org, member_type=MemberType.IN_SERVICE)
    DualRegistration.objects.create(member=member, node=w.tree.r1, registered_on=date(2025, 1, 1))
    resources.resource_create(
        actor=w.users["committee"],
        draft=resources.ResourceDraft(
            title=f"{MEMBER}提供法律咨询，电话{RESIDENT_PHONE[:3]} {RESIDENT_PHONE[3:7]} {RESIDENT_PHONE[7:]}",
            kind=ResourceKind.PROFESSIONAL,
            field=ServiceField.LEGAL,
            member=member,
        ),
    )
    as_(w, "committee").post(
        "/community/needs/new/",
        {
            "origin": "staff",
            "title": f"3号楼502室{RESIDENT}需要助餐，联系{RESIDENT_PHONE}",
            "field": "elderly",
            "node": w.tree.r1.code,
            "beneficiaries": f"{RESIDENT}等独居老人",
            "urgency": "2",
        },
    )
    project = claimed_and_signed(w, open_project(w, title=f"为{RESIDENT}所在楼道装扶手"))
    signers = set(
        PledgeSignature.objects.filter(pledge__project=project).values_list("signer_name", flat=True)
    )
    assert Need.objects.count() == 1 and Resource.objects.count() == 1 and signers

    pages = [
        Client().get("/public/community/?street=S").content.decode(),
        Client().get(f"/public/community/projects/{project.pk}/?street=S").content.decode(),
    ]
    for html in pages:
        assert RESIDENT not in html and MEMBER not in html
        assert RESIDENT_PHONE not in html and "1381234" not in html and "502室" not in html
        for name in signers:
            assert f">{name}<" not in html and f" {name} " not in html
    assert "党员志愿者" in pages[0] and "助餐" in pages[0] and "装扶手" in pages[0]


def test_export_and_import_of_the_lists(world: CommunityWorld) -> None:
    w = world
    committee = as_(w, "committee")
    book = Workbook()
    sheet = book.active
    sheet.title = NEEDS.sheet
    sheet.append([c.header for c in NEEDS.columns])
    sheet.append(
        ["助浴服务", "为老服务", "", w.tree.r1.code, "失能老人", 5, "较急", "2026-03-01", "", "", ""]
    )
    sheet.append(["", "为老服务", "", "NOPE", "x", "", "紧急", "", "", "", ""])
    data = BytesIO()
    book.save(data)
    upload = BytesIO(data.getvalue())
    upload.name = "needs.xlsx"
    answer = committee.post("/community/import/", {"kind": "needs", "file": upload})
    text = answer.content.decode()
    assert answer.status_code == 422 and "地点 NOPE 不存在" in text and not Need.objects.exists()

    book.active.delete_rows(3)
    data = BytesIO()
    book.save(data)
    upload = BytesIO(data.getvalue())
    upload.name = "needs.xlsx"
    answer = committee.post("/community/import/", {"kind": "needs", "file": upload})
    assert answer.status_code == 200 and Need.objects.get().title == "助浴服务"

    template = committee.get("/community/import/needs/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert workbook_bytes(NEEDS)[:2] == b"PK"
    exported = committee.get("/community/needs/export.xlsx")
    rows = list(
        load_workbook(
            BytesIO(b"".join(exported.streaming_content if exported.streaming else [exported.content]))
        ).active.values
    )
    assert rows[1][1] == "助浴服务" and rows[1][6] == w.tree.r1.name
    assert (
        as_(w, "committee_r3").get("/community/needs/export.csv").getvalue().decode("utf-8-sig").count("\n")
        == 1
    )
    assert as_(w, "logistics").get("/community/needs/export.xlsx").status_code == 403
    assert clock.now().year == 2026
