# ruff: noqa: F811 (mworld, the imported fixture, is each test's argument)
"""The meeting pages through the real URLs: who may open what, and the whole loop done by page
POSTs (propose → vet → meeting → attendance → hold → discuss → slip → issue → countersign →
binding), with the refusals answering 403 / 404 / 409 / 400 and writing nothing."""

from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings.models import (
    Meeting,
    MeetingState,
    Minutes,
    Signature,
    Slip,
    SlipState,
    Topic,
    TopicState,
)
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.orgs.models import Person, Unit
from gongzhi.testing.factories import UserFactory

PRESENT = ("secretary", "jwh", "ywh", "wy", "mj", "cg")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen():
    with clock.freeze(NOW):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def problem(mworld):
    return case_create(
        actor=mworld.users["jwh"],
        intake=Intake(
            node=mworld.tree.b1,
            text="3号楼楼道堆满旧家具，多次清理又堆回来",
            source=Source.PATROL,
            category=mworld.cases.category,
        ),
    )


def propose_and_approve(mworld, case) -> Topic:
    jwh = client_for(mworld.users["jwh"])
    page = jwh.get("/meetings/topics/?at=S-R1")
    assert page.status_code == 200 and case.number in page.content.decode()
    response = jwh.post(
        "/meetings/topics/propose/",
        {"node": "S-R1", "title": "3号楼楼道堆物反复回潮", "business": "bottleneck", "cases": [case.pk]},
    )
    assert response.status_code == 303
    topic = Topic.objects.get()
    assert topic.state == TopicState.PROPOSED and list(topic.cases.all()) == [case]

    secretary = client_for(mworld.users["secretary"])
    queue = secretary.get("/meetings/topics/vet/")
    assert queue.status_code == 200 and topic.title in queue.content.decode()
    assert jwh.get("/meetings/topics/vet/").status_code == 403  # not the Party organisation
    assert jwh.post(f"/meetings/topics/{topic.pk}/vet/", {"verdict": "approve"}).status_code == 403
    assert secretary.post(f"/meetings/topics/{topic.pk}/vet/", {"verdict": "approve"}).status_code == 303
    topic.refresh_from_db()
    assert topic.state == TopicState.APPROVED
    return topic


def held_meeting(mworld, topic, present=PRESENT) -> Meeting:
    jwh = client_for(mworld.users["jwh"])
    response = jwh.post(
        "/meetings/new/",
        {"kind": "juwuhui", "node": "S-R1", "starts_at": "2026-11-25T14:00", "place": "居委会议室"},
    )
    assert response.status_code == 303, response.content.decode()
    meeting = Meeting.objects.get()
    assert response["Location"].startswith(f"/meetings/{meeting.pk}/")
    page = jwh.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200 and topic.title in page.content.decode()  # offered from the pool
    assert (
        jwh.post(f"/meetings/{meeting.pk}/act/", {"action": "schedule", "topic": topic.pk}).status_code == 303
    )

    by_user = {user.pk: name for name, user in mworld.users.items()}
    for p in meeting.participants.select_related("person"):
        name = by_user.get(p.person.user_id if p.person else None, "")
        mark = "present" if name in present else "absent"
        row = jwh.post(
            f"/meetings/{meeting.pk}/attend/",
            {"participant": p.pk, "attendance": mark, "delegate": ""},
            **HTMX,
        )
        assert row.status_code == 200 and "已保存" in row.content.decode()
    assert jwh.post(f"/meetings/{meeting.pk}/act/", {"action": "hold"}).status_code == 303
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    return meeting


def slip_form(mworld, topic, case, **extra):
    wy, cg = mworld.units["wy"], mworld.units["cg"]
    data = {
        "action": "slip",
        "topic": topic.pk,
        "action_text": "一周内清理3号楼楼道堆物并建立巡查机制",
        "due": "2026-12-15",
        f"role_{wy.pk}": "lead",
        f"task_{wy.pk}": "清理",
        f"role_{cg.pk}": "assist",
        "cases": [case.pk],
    }
    data.update(extra)
    return data


def issued_slip(mworld) -> tuple[Meeting, Slip]:
    case = problem(mworld)
    topic = propose_and_approve(mworld, case)
    meeting = held_meeting(mworld, topic)
    jwh = client_for(mworld.users["jwh"])
    response = jwh.post(
        f"/meetings/{meeting.pk}/act/",
        {"action": "discuss", "topic": topic.pk, "text": "物业牵头清理，城管配合"},
    )
    assert response.status_code == 303
    response = jwh.post(f"/meetings/{meeting.pk}/act/", slip_form(mworld, topic, case))
    assert response.status_code == 303, response.content.decode()
    slip = Slip.objects.get()
    assert response["Location"].startswith(f"/meetings/slips/{slip.pk}/")
    assert slip.state == SlipState.DRAFT and list(slip.cases.all()) == [case]
    response = jwh.post(f"/meetings/slips/{slip.pk}/act/", {"action": "issue", "seq": slip.seq})
    assert response.status_code == 303
    slip.refresh_from_db()
    assert slip.state == SlipState.SIGNING
    return meeting, slip


# --- the whole loop ----------------------------------------------------------------------------


def test_the_whole_loop_through_the_pages(mworld):
    meeting, slip = issued_slip(mworld)
    users = mworld.users

    page = client_for(users["jwh"]).get(f"/meetings/{meeting.pk}/")
    html = page.content.decode()
    assert "达到法定人数" in html and "未达到法定人数" not in html

    # a unit not named on the slip may not sign
    mj = client_for(users["mj"])
    assert 'value="agree"' not in mj.get(f"/meetings/slips/{slip.pk}/").content.decode()
    response = mj.post(
        f"/meetings/slips/{slip.pk}/act/",
        {"action": "sign", "verdict": "agree", "version": 1, "unit": mworld.units["mj"].pk},
    )
    assert response.status_code == 403 and not Signature.objects.exists()

    for name in ("wy", "cg"):
        client = client_for(users[name])
        page = client.get(f"/meetings/slips/{slip.pk}/").content.decode()
        assert 'value="agree"' in page  # the sign buttons for their unit
        response = client.post(
            f"/meetings/slips/{slip.pk}/act/",
            {"action": "sign", "verdict": "agree", "version": 1, "unit": mworld.units[name].pk},
        )
        assert response.status_code == 303
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING and Signature.objects.count() == 2

    page = client_for(users["secretary"]).get(f"/meetings/slips/{slip.pk}/").content.decode()
    assert slip.number in page and "已生效" in page
    assert Signature.objects.first().content_hash[:8] in page

    listing = client_for(users["jwh"]).get("/meetings/slips/").content.decode()
    assert slip.number in listing and "<progress" in listing

    # the public board: the decision, no names, no signatures, no login
    board = Client().get("/public/decisions/")
    assert board.status_code == 200
    html = board.content.decode()
    assert "一周内清理3号楼楼道堆物" in html and "东安居民区" in html
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    names = [*Person.objects.values_list("name", flat=True), *Unit.objects.values_list("name", flat=True)]
    assert "物业小王" in names and "东安物业" in names
    for name in names:
        if len(name) >= 3:  # the two-letter usernames of the test world match markup
            assert name not in main, name
    assert "content_hash" not in html and Signature.objects.first().content_hash[:8] not in html


def test_an_objection_a_revision_and_a_stale_signature(mworld):
    _meeting, slip = issued_slip(mworld)
    users = mworld.users
    cg = client_for(users["cg"])
    response = cg.post(
        f"/meetings/slips/{slip.pk}/act/",
        {"action": "sign", "verdict": "object", "version": 1, "unit": mworld.units["cg"].pk, "reason": ""},
    )
    assert response.status_code == 400 and not Signature.objects.exists()  # a reason is needed
    response = cg.post(
        f"/meetings/slips/{slip.pk}/act/",
        {
            "action": "sign",
            "verdict": "object",
            "version": 1,
            "unit": mworld.units["cg"].pk,
            "reason": "需房管认定",
        },
    )
    assert response.status_code == 303
    slip.refresh_from_db()
    assert slip.state == SlipState.RETURNED

    chair = client_for(users["secretary"])
    form = slip_form(mworld, slip.topic, slip.cases.get(), action="edit", seq=slip.seq, note="增加房管办认定")
    form[f"role_{mworld.units['fg'].pk}"] = "assist"
    response = chair.post(f"/meetings/slips/{slip.pk}/act/", form)
    assert response.status_code == 303, response.content.decode()
    slip.refresh_from_db()
    assert slip.version == 2 and slip.state == SlipState.SIGNING

    page = chair.get(f"/meetings/slips/{slip.pk}/").content.decode()
    assert "已失效（第1版）" in page

    # someone who read version 1 signs it: 409 with a clear message, nothing written
    response = client_for(users["wy"]).post(
        f"/meetings/slips/{slip.pk}/act/",
        {"action": "sign", "verdict": "agree", "version": 1, "unit": mworld.units["wy"].pk},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "第2版" in html and "刷新" in html
    assert Signature.objects.count() == 1

    # a stale revision form (someone else changed the slip meanwhile): 409
    response = chair.post(f"/meetings/slips/{slip.pk}/act/", {**form, "seq": 1})
    assert response.status_code == 409 and "已被他人更新" in response.content.decode()


def test_a_slip_without_deadline_is_refused_and_nothing_written(mworld):
    case = problem(mworld)
    topic = propose_and_approve(mworld, case)
    meeting = held_meeting(mworld, topic)
    jwh = client_for(mworld.users["jwh"])
    jwh.post(f"/meetings/{meeting.pk}/act/", {"action": "discuss", "topic": topic.pk, "text": "讨论"})
    response = jwh.post(f"/meetings/{meeting.pk}/act/", slip_form(mworld, topic, case, due=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写完成时限" in html and "一周内清理3号楼楼道堆物并建立巡查机制" in html  # kept in the form
    assert not Slip.objects.exists()


def test_without_quorum_the_page_says_so_and_no_slip_can_be_made(mworld):
    case = problem(mworld)
    topic = propose_and_approve(mworld, case)
    meeting = held_meeting(mworld, topic, present=("jwh", "ywh", "wy", "mj", "cg"))  # no Party organisation
    jwh = client_for(mworld.users["jwh"])
    html = jwh.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "未达到法定人数，决定不具约束力" in html
    jwh.post(f"/meetings/{meeting.pk}/act/", {"action": "discuss", "topic": topic.pk, "text": "讨论"})
    response = jwh.post(f"/meetings/{meeting.pk}/act/", slip_form(mworld, topic, case))
    assert response.status_code == 409 and not Slip.objects.exists()


def test_attendance_errors_and_conflicts(mworld):
    case = problem(mworld)
    topic = propose_and_approve(mworld, case)
    meeting = held_meeting(mworld, topic)
    jwh = client_for(mworld.users["jwh"])
    p = meeting.participants.first()
    row = jwh.post(f"/meetings/{meeting.pk}/attend/", {"participant": p.pk, "attendance": "delegate"}, **HTMX)
    assert row.status_code == 400 and "受托人" in row.content.decode()
    row = jwh.post(
        f"/meetings/{meeting.pk}/attend/",
        {"participant": p.pk, "attendance": "delegate", "delegate": "王副书记"},
        **HTMX,
    )
    assert row.status_code == 200 and 'id="quorum" hx-swap-oob="true"' in row.content.decode()
    p.refresh_from_db()
    assert p.delegate_name == "王副书记"
    # holding twice: the state does not allow it
    response = jwh.post(f"/meetings/{meeting.pk}/act/", {"action": "hold"})
    assert response.status_code == 409 and "刷新" in response.content.decode()


def test_minutes_written_finalised_by_the_chair_and_amended_with_a_reason(mworld):
    case = problem(mworld)
    topic = propose_and_approve(mworld, case)
    meeting = held_meeting(mworld, topic)
    jwh, chair = client_for(mworld.users["jwh"]), client_for(mworld.users["secretary"])
    url = f"/meetings/{meeting.pk}/act/"
    assert jwh.post(url, {"action": "minutes", "text": "纪要草稿"}).status_code == 303
    assert jwh.post(url, {"action": "finalise"}).status_code == 403  # only the chair
    assert chair.post(url, {"action": "finalise"}).status_code == 303
    response = chair.post(url, {"action": "amend", "text": "改后的纪要", "note": ""})
    assert response.status_code == 400 and Minutes.objects.count() == 1
    assert (
        chair.post(url, {"action": "amend", "text": "改后的纪要", "note": "补充出席人员"}).status_code == 303
    )
    assert Minutes.objects.filter(final=True).count() == 2


def test_a_bad_meeting_form_keeps_what_was_typed(mworld):
    jwh = client_for(mworld.users["jwh"])
    response = jwh.post(
        "/meetings/new/", {"kind": "juwuhui", "node": "S-R1", "starts_at": "", "place": "活动室"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写召开时间" in html and 'value="活动室"' in html
    response = jwh.post("/meetings/new/", {"kind": "joint", "node": "S-R1", "starts_at": "2026-11-25T14:00"})
    assert response.status_code == 400 and "联合居务会至少要联合一个相邻居民区" in response.content.decode()
    response = jwh.post(
        "/meetings/new/",
        {"kind": "joint", "node": "S-R1", "starts_at": "2026-11-25T14:00", "joint": ["S-R2"]},
    )
    assert response.status_code == 303
    assert list(Meeting.objects.get().joint_nodes.values_list("code", flat=True)) == ["S-R2"]


# --- who may open what -------------------------------------------------------------------------


def test_pages_per_role(mworld):
    _meeting, slip = issued_slip(mworld)
    meeting = slip.meeting
    users = mworld.users
    pages = [
        "/meetings/",
        "/meetings/topics/",
        "/meetings/slips/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/slips/{slip.pk}/",
    ]
    for name in ("jwh", "secretary", "wy"):
        client = client_for(users[name])
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (name, url)
            assert (
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                in response.content.decode()
            )
    assert client_for(users["secretary"]).get("/meetings/topics/vet/").status_code == 200

    outsider = client_for(mworld.cases.outsider)  # another area's committee
    assert outsider.get("/meetings/").status_code == 200
    assert meeting.title not in outsider.get("/meetings/?month=2026-11").content.decode()
    assert outsider.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert outsider.get(f"/meetings/slips/{slip.pk}/").status_code == 404
    assert outsider.post(f"/meetings/{meeting.pk}/act/", {"action": "hold"}).status_code == 404
    assert outsider.get("/meetings/topics/vet/").status_code == 403
    assert outsider.get("/meetings/99999999999999999999/").status_code == 404

    nobody = client_for(UserFactory(username="resident-x"))  # no post at all
    for url in ["/meetings/", "/meetings/topics/", "/meetings/slips/", "/meetings/topics/vet/"]:
        assert nobody.get(url).status_code == 403, url
    assert nobody.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert 'href="/meetings/"' not in nobody.get("/").content.decode()
    assert 'href="/meetings/"' in client_for(users["jwh"]).get("/").content.decode()

    anonymous = Client()
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert anonymous.get("/public/decisions/").status_code == 200


def test_calendar_lists_the_month_and_filters(mworld):
    jwh = client_for(mworld.users["jwh"])
    jwh.post("/meetings/new/", {"kind": "juwuhui", "node": "S-R1", "starts_at": "2026-11-25T14:00"})
    meeting = Meeting.objects.get()
    assert meeting.title in jwh.get("/meetings/?month=2026-11").content.decode()
    assert meeting.title not in jwh.get("/meetings/?month=2026-12").content.decode()
    assert meeting.title not in jwh.get("/meetings/?month=2026-11&kind=hearing").content.decode()
    assert meeting.title in jwh.get("/meetings/?month=2026-11&node=S-R1").content.decode()
    assert jwh.get("/meetings/?node=NOPE").status_code == 400
    assert jwh.get("/meetings/?month=garbage").status_code == 200


def test_calendar_month_grid_counts_each_day_and_links_to_it():
    from datetime import date

    from gongzhi.web.meetings.calendar import month_grid

    weeks = month_grid(date(2026, 11, 1), {date(2026, 11, 25): 2})
    assert len(weeks) == 6 and all(len(w) == 7 for w in weeks)  # 1 Nov 2026 is a Sunday
    assert weeks[0][:6] == [None] * 6 and weeks[0][6] == {"day": date(2026, 11, 1), "count": 0}
    cells = [c for w in weeks for c in w if c]
    assert len(cells) == 30 and sum(c["count"] for c in cells) == 2
    assert weeks[4][2] == {"day": date(2026, 11, 25), "count": 2}  # a Wednesday


def test_calendar_page_shows_the_grid(mworld):
    jwh = client_for(mworld.users["jwh"])
    jwh.post("/meetings/new/", {"kind": "juwuhui", "node": "S-R1", "starts_at": "2026-11-25T14:00"})
    page = jwh.get("/meetings/?month=2026-11").content.decode()
    assert 'href="#day-2026-11-25"' in page and 'id="day-2026-11-25"' in page


def test_rejection_needs_a_reason_on_the_vet_page(mworld):
    case = problem(mworld)
    jwh = client_for(mworld.users["jwh"])
    jwh.post(
        "/meetings/topics/propose/",
        {"node": "S-R1", "title": "楼道堆物", "business": "bottleneck", "cases": [case.pk]},
    )
    topic = Topic.objects.get()
    secretary = client_for(mworld.users["secretary"])
    response = secretary.post(f"/meetings/topics/{topic.pk}/vet/", {"verdict": "reject", "reason": " "})
    assert response.status_code == 400 and "不通过须说明理由" in response.content.decode()
    topic.refresh_from_db()
    assert topic.state == TopicState.PROPOSED
    response = secretary.post(
        f"/meetings/topics/{topic.pk}/vet/", {"verdict": "reject", "reason": "已有专项整治"}
    )
    assert response.status_code == 303
    # a topic without a title is refused and nothing is written
    response = jwh.post("/meetings/topics/propose/", {"node": "S-R1", "title": "", "business": "routine"})
    assert response.status_code == 400 and Topic.objects.count() == 1


def test_later_days_still_work(mworld):
    """The clock moves on: a meeting a week later still lists and opens."""
    with clock.freeze(NOW + timedelta(days=7)):
        jwh = client_for(mworld.users["jwh"])
        response = jwh.post(
            "/meetings/new/", {"kind": "juwuhui", "node": "S-R1", "starts_at": "2026-12-02T09:30"}
        )
        assert response.status_code == 303
        assert jwh.get(response["Location"].split("?")[0]).status_code == 200


def test_the_pages_in_english(mworld):
    from gongzhi.cases.models import Case
    from gongzhi.web.tests.test_english import leftover_chinese

    meeting, slip = issued_slip(mworld)
    typed = [meeting.title, meeting.place, *Topic.objects.values_list("title", flat=True)]
    typed += [slip.action, "清理", "物业牵头清理，城管配合", *Case.objects.values_list("text", flat=True)]
    for name in ("secretary", "wy"):
        client = client_for(mworld.users[name])
        assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
        for url in [
            "/meetings/?month=2026-11",
            f"/meetings/{meeting.pk}/",
            "/meetings/topics/",
            "/meetings/topics/vet/",
            "/meetings/slips/",
            f"/meetings/slips/{slip.pk}/",
            "/public/decisions/",
        ]:
            response = client.get(url)
            if response.status_code == 403:
                continue  # the vetting queue is the Party organisation's
            html = response.content.decode()
            assert '<html lang="en">' in html, url
            for value in sorted(typed, key=len, reverse=True):
                html = html.replace(value, " ")
            assert not leftover_chinese(html), (name, url, leftover_chinese(html))
        page = client.get(f"/meetings/slips/{slip.pk}/").content.decode()
        assert "Countersignatures" in page and "Deadline" in page


def test_the_meeting_and_slip_pages_link_their_documents_and_the_links_download(mworld):
    meeting, slip = issued_slip(mworld)
    secretary = client_for(mworld.users["secretary"])
    page = secretary.get(f"/meetings/{meeting.pk}/").content.decode()
    for url in (
        f"/meetings/{meeting.pk}/signin.docx",
        f"/meetings/{meeting.pk}/signin.pdf",
        f"/meetings/slips/{slip.pk}.docx",
    ):
        assert f'href="{url}"' in page
    assert f'href="/meetings/{meeting.pk}/minutes.docx"' not in page  # no minutes written yet
    slip_page = secretary.get(f"/meetings/slips/{slip.pk}/").content.decode()
    assert (
        f'href="/meetings/slips/{slip.pk}.docx"' in slip_page
        and f'href="/meetings/{meeting.pk}/"' in slip_page
    )
    word = secretary.get(f"/meetings/slips/{slip.pk}.docx")
    assert word.status_code == 200 and word.content[:2] == b"PK"  # a real Word (zip) file
