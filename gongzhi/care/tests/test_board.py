"""The committee's care board and the pages around a subject, through the Django test client:
the counts, the last sign per signal coloured against the rules, the map's counts per building
(no names), the scope (a grid worker sees only their subjects, a department none), the
enrolment from the suggestions, consent (recorded with its scan, withdrawn after a
confirmation), away periods, emergency contacts (added; revealed with a logged purpose). Bad
input gets its message and writes nothing."""

from datetime import date, timedelta

import pytest
from django.test import Client

from gongzhi.care import selectors, services
from gongzhi.care.choices import AlertState, ConsentBy, Door, Duty, SubjectKind
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import AwayPeriod, CareSubject, Consent, EmergencyContact, Event
from gongzhi.care.tests.conftest import T0, build_world, png_form
from gongzhi.core import clock, pii
from gongzhi.core.models import PiiAccessLog
from gongzhi.geo.models import Node
from gongzhi.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def item(response, element_id: str) -> str:
    """The text of one list item of a page, by its id."""
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</li>", start)]


def signs(row: selectors.BoardRow) -> dict[str, str]:
    return {s.signal: s.state for s in row.signs}


def test_board_rows_colour_each_signal_against_its_rule(world):
    with clock.freeze(T0 + timedelta(hours=1)):
        ingest([Incoming(device="DEV-door", event_id="d1", at=T0 + timedelta(hours=1))], door=Door.HTTP)
    with clock.freeze(T0 + timedelta(hours=30)):
        (row,) = selectors.board_rows(user=world.users["committee"]).rows
        # door 29 h of 48 (past half), power bound at T0 and silent 30 h of 24, water never
        # reported, no visit yet and the weekly one is not due
        assert signs(row) == {"door": "ageing", "water": "never", "power": "late", "life": "never"}
        assert (row.away, row.open_alerts) == (False, 0)
    with clock.freeze(T0 + timedelta(days=7, hours=1)):
        assert signs(selectors.board_rows(user=world.users["committee"]).rows[0])["life"] == "late"


def test_a_signal_without_consent_is_off(db):
    w = build_world(consent=False)
    with clock.freeze(T0):
        (row,) = selectors.board_rows(user=w.users["committee"]).rows
    assert signs(row) == {"door": "off", "water": "off", "power": "off", "life": "never"}


def test_summary_alerts_and_the_map_count_per_building(world):
    Node.objects.filter(pk=world.tree.b1.pk).update(
        geometry={"type": "Point", "coordinates": [121.44, 31.21]}
    )
    with clock.freeze(T0):
        ingest([Incoming(device="DEV-sos", event_id="s1", at=T0)], door=Door.HTTP)
        summary = selectors.board_summary(user=world.users["committee"])
        assert (summary.subjects, summary.watched, summary.away, summary.overdue) == (1, 1, 0, 0)
        assert summary.alerts == {AlertState.OPEN: 1, AlertState.ACKNOWLEDGED: 0, AlertState.VISITING: 0}
        body = client_for(world.users["committee"]).get("/care/board/map.json").json()
    (feature,) = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.44, 31.21]}
    assert feature["properties"] == {"code": "S-R1-B1", "name": "东安一村1号楼", "open": 1}
    assert "张阿婆" not in str(body)  # a building and a number, never a person
    with clock.freeze(T0):
        other = client_for(world.users["committee_r3"]).get("/care/board/map.json").json()
    assert other["features"] == []


def test_the_board_page_is_for_view_care_and_cut_by_scope(world):
    with clock.freeze(T0):
        page = client_for(world.users["committee"]).get("/care/board/")
        assert page.status_code == 200
        assert "张阿婆" in page.content.decode() and 'id="caremap"' in page.content.decode()
        assert client_for(world.users["grid"]).get("/care/board/").status_code == 403
        assert client_for(world.users["dept"]).get("/care/board/").status_code == 403
        assert client_for(world.users["dept"]).get("/care/board/map.json").status_code == 403
        r3 = client_for(world.users["committee_r3"]).get("/care/board/")
        assert r3.status_code == 200 and "张阿婆" not in r3.content.decode()
        assert [r.subject for r in selectors.board_rows(user=world.users["grid"]).rows] == [world.subject]
        assert selectors.board_rows(user=world.users["grid_other"]).rows == []
        assert selectors.board_rows(user=world.users["dept"]).rows == []


def test_filter_by_grid_and_bad_filters(world):
    c = client_for(world.users["committee"])
    with clock.freeze(T0):
        assert "张阿婆" not in c.get("/care/board/?node=S-R1-G2").content.decode()
        assert "张阿婆" in c.get("/care/board/?node=S-R1-G1").content.decode()
        assert c.get("/care/board/?node=NOPE").status_code == 400
        assert c.get("/care/board/?after=abc").status_code == 400


def test_keyset_pages_follow_the_places(world):
    with clock.freeze(T0):
        for name in ("赵阿婆", "钱老伯", "孙阿婆"):
            person = PersonFactory(
                name=name, home=world.tree.h1, birth_date=date(1941, 1, 1), lives_alone=True
            )
            services.subject_enrol(
                actor=world.users["committee"],
                person=person,
                kind=SubjectKind.ALONE_80,
                posts=[(world.post("grid"), Duty.GRID)],
            )
        user = world.users["committee"]
        seen, after = [], None
        while True:
            page = selectors.board_rows(user=user, after=after, size=3)
            seen += [r.subject.pk for r in page.rows]
            if page.next_cursor is None:
                break
            after = page.next_cursor
    assert seen == list(CareSubject.objects.order_by("node_path", "pk").values_list("pk", flat=True))
    assert len(seen) == 4


def test_enrolment_from_the_suggestions(world):
    zhao = PersonFactory(name="赵阿婆", home=world.tree.h1, birth_date=date(1938, 1, 1), lives_alone=True)
    c = client_for(world.users["committee"])
    with clock.freeze(T0):
        listing = c.get("/care/enrol/").content.decode()
        assert "赵阿婆" in listing and "80岁以上独居" in listing
        assert client_for(world.users["grid"]).get("/care/enrol/").status_code == 403
        form = c.get(f"/care/enrol/{zhao.pk}/")
        assert form.status_code == 200 and "POST-grid" not in form.content.decode()
        refused = c.post(f"/care/enrol/{zhao.pk}/", {"kind": "alone_80", "visit_every_days": "7"})
        assert refused.status_code == 422
        assert "请至少指定一个责任岗位" in refused.content.decode()
        assert not CareSubject.objects.filter(person=zhao).exists()
        done = c.post(
            f"/care/enrol/{zhao.pk}/",
            {
                "kind": "alone_80",
                "visit_every_days": "14",
                f"post_{Duty.GRID}": str(world.post("grid").pk),
                "contact_relation_0": "儿子",
                "contact_name_0": "赵大",
                "contact_phone_0": "13700001111",
            },
        )
    subject = CareSubject.objects.get(person=zhao)
    assert done.status_code == 302 and done["Location"] == f"/care/subjects/{subject.pk}/"
    assert subject.visit_every_days == 14 and subject.signals == []  # no consent: nothing watched
    contact = EmergencyContact.objects.get(subject=subject)
    assert contact.phone_masked == "137****1111" and pii.decrypt(contact.phone_enc) == "13700001111"


def test_consent_recorded_with_its_scan_and_withdrawn_after_confirmation(db):
    w = build_world(consent=False)
    c = client_for(w.users["committee"])
    url = f"/care/subjects/{w.subject.pk}/consent/"
    base = {"given_by": ConsentBy.SUBJECT, "signals": ["door", "alarm"], "given_on": "2026-03-01"}
    with clock.freeze(T0):
        missing = c.post(url, base)
        assert missing.status_code == 422 and "请上传签字的同意书扫描件" in missing.content.decode()
        assert not Consent.objects.exists()
        bad_day = c.post(url, {**base, "given_on": "03/01/2026", "form": png_form()})
        assert bad_day.status_code == 422 and not Consent.objects.exists()
        assert client_for(w.users["grid"]).post(url, {**base, "form": png_form()}).status_code == 403
        assert c.post(url, {**base, "form": png_form()}).status_code == 302
        w.subject.refresh_from_db()
        assert w.subject.signals == ["door", "alarm"]
        services.device_bind(actor=w.users["committee"], device=w.devices["door"], subject=w.subject)
        ingest([Incoming(device="DEV-door", event_id="d1", at=T0)], door=Door.HTTP)
        assert Event.objects.count() == 1
        page = c.get(url).content.decode()
        assert "删除此人的全部原始设备数据" in page
        unconfirmed = c.post(f"{url}withdraw/", {})
        assert unconfirmed.status_code == 422 and Consent.objects.get().withdrawn_at is None
        done = c.post(f"{url}withdraw/", {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == f"{url}?deleted=1"
    assert Consent.objects.get().withdrawn_at is not None and not Event.objects.exists()


def test_away_recorded_and_ended(world):
    c = client_for(world.users["committee"])
    url = f"/care/subjects/{world.subject.pk}/away/"
    with clock.freeze(T0):
        before = c.post(url, {"reason": "hospital", "starts_on": "2026-03-05", "ends_on": "2026-03-03"})
        assert before.status_code == 422 and "返回时间应晚于开始时间" in before.content.decode()
        assert not AwayPeriod.objects.exists()
        assert c.post(url, {"reason": "hospital", "ends_on": "2026-03-10"}).status_code == 302
        away = AwayPeriod.objects.get()
        assert selectors.board_summary(user=world.users["committee"]).away == 1
        # the committee does not serve her: the reason stays hidden; the grid worker's view is logged
        assert "住院" not in item(c.get(url), f"away-{away.pk}")
        assert "住院" in item(client_for(world.users["grid"]).get(url), f"away-{away.pk}")
        assert PiiAccessLog.objects.filter(subject_model="care.caresubject", field="away").count() == 1
    with clock.freeze(T0 + timedelta(days=2)):
        assert c.post(f"/care/away/{away.pk}/end/").status_code == 302
    away.refresh_from_db()
    assert away.ends_at == T0 + timedelta(days=2)


def test_contacts_added_and_revealed_with_a_logged_purpose(world):
    url = f"/care/subjects/{world.subject.pk}/contacts/"
    committee, grid = client_for(world.users["committee"]), client_for(world.users["grid"])
    bad = committee.post(url, {"relation": "侄子", "name": "王强", "phone": "12"})
    assert bad.status_code == 422 and "电话应为7到12位数字" in bad.content.decode()
    assert (
        committee.post(url, {"relation": "侄子", "name": "王强", "phone": "13811112222"}).status_code == 302
    )
    contact = EmergencyContact.objects.get(relation="侄子")
    assert "13811112222" not in committee.get(url).content.decode()
    reveal = f"/care/contacts/{contact.pk}/reveal/"
    assert committee.post(reveal, {"purpose": "紧急情况联系"}).status_code == 403  # does not serve her
    assert grid.post(reveal, {"purpose": ""}).status_code == 400
    assert not PiiAccessLog.objects.filter(subject_model="care.emergencycontact").exists()
    shown = grid.post(reveal, {"purpose": "紧急情况联系"})
    assert shown.status_code == 200 and "13811112222" in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    log = PiiAccessLog.objects.get(subject_model="care.emergencycontact")
    assert log.purpose == "紧急情况联系" and log.subject_id == contact.pk
    assert client_for(world.users["dept"]).post(reveal, {"purpose": "紧急情况联系"}).status_code == 404


def test_the_home_page_links_the_board_and_counts_the_alerts_to_act_on(world):
    with clock.freeze(T0):
        ingest([Incoming(device="DEV-sos", event_id="s1", at=T0)], door=Door.HTTP)
        committee = client_for(world.users["committee"]).get("/").content.decode()
        assert 'href="/care/board/"' in committee
        tile = committee[committee.index("todo-care") : committee.index("</a>", committee.index("todo-care"))]
        assert "warn" in tile and '<b class="todo-count">1</b>' in tile and 'href="/care/"' in committee
        listed = client_for(world.users["committee"]).get("/care/").content.decode()
        assert listed.count('class="care-alert"') == 1
        grid = client_for(world.users["grid"]).get("/").content.decode()
        assert '<b class="todo-count">1</b><span>关爱预警</span>' in grid
        assert 'href="/care/board/"' not in grid  # no VIEW_CARE: their own subjects at /care/
        other = client_for(world.users["grid_other"]).get("/").content.decode()
        assert '<b class="todo-count">0</b><span>关爱预警</span>' in other
        assert "关爱预警" not in client_for(world.users["dept"]).get("/").content.decode()
