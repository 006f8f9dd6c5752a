"""The community pages: a member applies from the phone, the secretary confirms from the
queue; committee staff propose points, the secretary approves; the member sees the statement
and appeals; the branch page shows the 亮丑 side as branch aggregates only. Bad input is a 422
page with the Chinese message and writes nothing; out of scope is a 404."""

from django.test import Client

from gongzhi.community.models import PointClaim, PointEntry
from gongzhi.community.tests.ledger.conftest import T0, photo
from gongzhi.core import clock
from gongzhi.orgs.models import DualRegistration, Unit
from gongzhi.orgs.roles import MemberType


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_applies_on_the_phone_and_the_secretary_confirms(cworld):
    me = client_for(cworld.users[MemberType.IN_SERVICE])
    page = me.get("/community/apply/")
    assert page.status_code == 200 and "东安居民区" in page.content.decode()
    with clock.freeze(T0):
        r = me.post(
            "/community/apply/",
            {
                "who": "self",
                "node": "S-R1",
                "kind_0": "post",
                "title_0": "楼组长",
                "per_year_0": "1",
                "unit_0": "times",
            },
        )
    assert r.status_code == 302
    registration = DualRegistration.objects.get(member=cworld.members[MemberType.IN_SERVICE])
    secretary = client_for(cworld.users["secretary"])
    queue = secretary.get("/community/queue/").content.decode()
    assert "楼组长" in queue and "确认报到" in queue
    assert "楼组长" not in client_for(cworld.users["committee"]).get("/community/queue/").content.decode()
    assert (
        client_for(cworld.users["secretary_r3"])
        .post(f"/community/registrations/{registration.pk}/decide/", {"confirm": "1"})
        .status_code
        == 404
    )
    secretary.post(f"/community/registrations/{registration.pk}/decide/", {"confirm": "1"})
    registration.refresh_from_db()
    assert registration.state == DualRegistration.State.CONFIRMED


def test_someone_at_a_unit_is_offered_the_units_area_and_applies_for_it(cworld):
    """The unit's representative neither manages an area nor is a member: the page offers the
    area the unit is located in (it offered none before), and only that one."""
    rep = client_for(cworld.users["unit_rep"])
    page = rep.get("/community/apply/").content.decode()
    assert 'value="S-R1"' in page and "东安医院" in page
    assert 'value="S-R3"' not in page and 'value="self"' not in page
    with clock.freeze(T0):
        r = rep.post(
            "/community/apply/",
            {
                "who": f"unit:{cworld.unit.pk}",
                "node": "S-R1",
                "kind_0": "service",
                "title_0": "义诊",
                "per_year_0": "4",
                "unit_0": "times",
            },
        )
    assert r.status_code == 302
    registration = DualRegistration.objects.get(unit=cworld.unit)
    assert (registration.node.code, registration.state) == ("S-R1", DualRegistration.State.APPLIED)
    assert "义诊" in client_for(cworld.users["secretary"]).get("/community/queue/").content.decode()


def test_a_unit_placed_at_the_street_may_register_with_any_of_its_areas(cworld):
    Unit.objects.filter(pk=cworld.unit.pk).update(node=cworld.tree.street)
    page = client_for(cworld.users["unit_rep"]).get("/community/apply/").content.decode()
    assert all(f'value="{code}"' in page for code in ("S-R1", "S-R2", "S-R3"))


def test_a_bad_application_is_a_422_page_and_writes_nothing(cworld):
    me = client_for(cworld.users[MemberType.IN_SERVICE])
    r = me.post(
        "/community/apply/",
        {
            "who": "self",
            "node": "S-R1",
            "title_0": "义诊",
            "per_year_0": "-3",
            "kind_0": "service",
            "unit_0": "times",
        },
    )
    assert r.status_code == 422 and "每年数量须大于0" in r.content.decode()
    assert not DualRegistration.objects.exists()


def test_points_are_proposed_approved_seen_and_appealed(cworld):
    member = cworld.members[MemberType.IN_SERVICE]
    staff = client_for(cworld.users["committee"])
    form = staff.get(f"/community/members/{member.pk}/claim/").content.decode()
    assert (
        "志愿服务" in form and "垃圾分类不到位" in form and "违规饲养宠物" not in form
    )  # the pets rule is the secretary's
    with clock.freeze(T0):
        # a deduction without evidence: 422 with the message, nothing written
        r = staff.post(
            f"/community/members/{member.pk}/claim/",
            {"rule": "D01", "occurred_on": "2026-06-10", "note": "乱扔垃圾"},
        )
        assert r.status_code == 422 and "佐证" in r.content.decode() and not PointClaim.objects.exists()
        r = staff.post(
            f"/community/members/{member.pk}/claim/",
            {"rule": "D01", "occurred_on": "2026-06-10", "note": "未分类投放", "evidence": photo()},
        )
        assert r.status_code == 302
        secretary = client_for(cworld.users["secretary"])
        assert "未分类投放" in secretary.get("/community/approvals/").content.decode()
        claim = PointClaim.objects.get()
        secretary.post(f"/community/claims/{claim.pk}/decide/", {"approve": "1"})
        entry = PointEntry.objects.get()
        me = client_for(cworld.users[MemberType.IN_SERVICE])
        mine = me.get("/community/ledger/?year=2026&month=6").content.decode()
        assert "未分类投放" in mine and "申诉" in mine
        assert me.post(f"/community/entries/{entry.pk}/appeal/", {"statement": "当天出差"}).status_code == 302
        assert "当天出差" in secretary.get("/community/approvals/").content.decode()
    # someone else's ledger is not there for another member
    other = client_for(cworld.users[MemberType.RETIRED])
    assert other.get(f"/community/members/{member.pk}/").status_code == 404


def test_the_branch_page_shames_branches_never_people(cworld):
    member = cworld.members[MemberType.IN_SERVICE]
    with clock.freeze(T0):
        from gongzhi.community import ledger

        ledger.claim_propose(
            actor=cworld.users["secretary"],
            member=member,
            rule=cworld.rules["waste"],
            occurred_on=T0.date(),
            note="未分类投放",
            evidence=photo(),
        )
        page = client_for(cworld.users["secretary"]).get("/community/branch/?node=S-R1&year=2026&half=1")
    html = page.content.decode()
    shame = html.split("亮丑（支部汇总）")[1].split("</table>")[0]
    assert "东安一村党支部" in shame and "扣分 1 次" in shame and member.person.name not in shame
    assert client_for(cworld.users["secretary_r3"]).get("/community/branch/?node=S-R1").status_code == 404


def test_the_yearly_letter_carries_the_ledgers_figures(cworld):
    from io import BytesIO

    from docx import Document

    from gongzhi.community import ledger, registrations

    member = cworld.members[MemberType.IN_SERVICE]
    with clock.freeze(T0):
        r = registrations.registration_apply(
            actor=cworld.users["committee"],
            node=cworld.tree.r1,
            member=member,
            commitments=[
                registrations.CommitmentIn(kind="hours", title="志愿服务", per_year=24, unit="hours")
            ],
        )
        registrations.registration_decide(actor=cworld.users["secretary"], registration=r, confirm=True)
        registrations.service_record(
            actor=cworld.users["committee"], commitment=r.commitments.get(), done_on=T0.date(), quantity=6
        )
        for _ in range(2):
            ledger.claim_propose(
                actor=cworld.users["secretary"],
                member=member,
                rule=cworld.rules["volunteer"],
                occurred_on=T0.date(),
                note="义诊",
            )
    response = client_for(cworld.users["secretary"]).get(
        f"/community/members/{member.pk}/letter.docx?year=2026"
    )
    assert response.status_code == 200
    doc = Document(BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "东安一村党支部" in text and "东安居民区" in text and "本年度积分：6分" in text and "合格" in text
    assert cells[3:] == ["志愿服务", "24.0小时", "6.0小时"]
    # a member does not download letters, not even their own
    assert (
        client_for(cworld.users[MemberType.RETIRED])
        .get(f"/community/members/{member.pk}/letter.docx")
        .status_code
        == 404
    )
