"""/api/v1/people: scoped lists and search, masked values, reveal with an access-log row."""

import re

import pytest

from gongzhi.core.models import PiiAccessLog

from .conftest import LI_PHONE, ZHANG_ID, ZHANG_PHONE

CLEAR = re.compile(r"(?<![\d*])(1\d{10}|\d{17}[\dX])(?![\d*])")


@pytest.mark.parametrize(
    ("who", "count", "sees_zhang", "sees_li"),
    [
        ("street", 9, True, True),
        ("admin", 9, True, True),
        ("block", 4, True, False),
        ("committee", 3, True, False),
        ("grid", 2, True, False),
        ("dept", 7, False, False),  # post-holders only: departments never see the register
        ("auditor", 7, False, False),
        ("resident", 1, True, False),  # only themselves
        ("nobody", 0, False, False),
    ],
)
def test_people_scoped_searched_and_masked(api, world, who, count, sees_zhang, sees_li):
    listing = api("GET", "/people", as_=who)
    assert listing.json()["count"] == count
    assert not CLEAR.search(listing.text)
    for person, phone, sees in ((world.zhang, ZHANG_PHONE, sees_zhang), (world.li, LI_PHONE, sees_li)):
        search = api("POST", "/people/search", as_=who, json={"number": phone})
        assert search.json()["count"] == int(sees)  # no leak through search counts
        detail = api("GET", f"/people/{person.pk}", as_=who)
        assert detail.status_code == (200 if sees else 404)
        assert not CLEAR.search(detail.text)
    by_id = api("POST", "/people/search", as_=who, json={"number": ZHANG_ID}).json()
    assert by_id["count"] == int(sees_zhang)
    assert PiiAccessLog.objects.filter(actor__username=who, subject_model="search.person").count() == 3
    by_name = api("GET", "/people", as_=who, params={"q": "阿婆"}).json()
    assert by_name["count"] == int(sees_zhang)
    if sees_zhang:
        assert by_name["items"][0]["phone_masked"] == "138****8000"
        assert by_name["items"][0]["id_masked"] == "3101**********1234"


def test_number_search_is_logged_with_masked_number_purpose_and_hits(api, world):
    r = api("POST", "/people/search", as_="grid", json={"number": "138 0013 8000", "purpose": "电话联系"})
    assert r.status_code == 200 and [p["name"] for p in r.json()["items"]] == ["张阿婆"]
    assert not CLEAR.search(r.text)
    row = PiiAccessLog.objects.get()
    assert (row.actor.username, row.field, row.subject_label, row.purpose) == (
        "grid",
        "search_phone",
        "按手机号查找 138****8000，命中 1 人",
        "电话联系",
    )
    by_id = api("POST", "/people/search", as_="committee", json={"number": ZHANG_ID.lower()})
    assert by_id.json()["count"] == 1
    assert PiiAccessLog.objects.latest("id").subject_label == "按身份证号查找 3101**********1234，命中 1 人"
    log = api("GET", "/audit/pii-access", as_="auditor").json()["items"]
    assert [i["field"] for i in log] == ["search_id_number", "search_phone"]
    assert not CLEAR.search(str(log))


def test_a_number_on_get_is_refused_pointing_at_the_post(api, world):
    for number in (ZHANG_PHONE, ZHANG_ID, "138-0013-8000"):
        r = api("GET", "/people", as_="street", params={"q": number})
        assert r.status_code == 400 and "POST /api/v1/people/search" in r.json()["detail"]
        assert number not in r.text  # inputs are never echoed back
    english = api(
        "GET", "/people", as_="street", params={"q": ZHANG_PHONE}, headers={"Accept-Language": "en"}
    )
    assert english.json()["detail"].startswith(
        "Search by a phone or ID number with POST /api/v1/people/search"
    )
    assert not PiiAccessLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"number": "张阿婆"}, 422, "number"),  # names are GET ?q=
        ({"number": "1380013800"}, 422, "number"),  # ten digits: not a whole number
        ({}, 422, "number"),
        ({"number": ZHANG_PHONE, "purpose": "x" * 201}, 422, "purpose"),
        ({"number": ZHANG_PHONE, "limit": 0}, 422, "limit"),
    ],
)
def test_number_search_refusals_write_nothing(api, world, body, status, field):
    r = api("POST", "/people/search", as_="street", json=body)
    assert r.status_code == status and r.json()["detail"][0]["loc"][-1] == field
    assert not PiiAccessLog.objects.exists()
    assert api("POST", "/people/search", json={"number": ZHANG_PHONE}).status_code == 401


def test_unknown_and_hidden_person_look_the_same(api, world):
    hidden = api("GET", f"/people/{world.li.pk}", as_="committee")
    unknown = api("GET", "/people/987654321", as_="committee")
    assert hidden.status_code == unknown.status_code == 404 and hidden.json() == unknown.json()


def test_reveal_returns_clear_value_and_logs_once(api, world):
    r = api(
        "POST", f"/people/{world.zhang.pk}/reveal", as_="grid", json={"field": "phone", "purpose": "上门探视"}
    )
    assert r.status_code == 200
    assert r.json() == {"field": "phone", "value": ZHANG_PHONE}
    log = PiiAccessLog.objects.get()
    assert (log.actor.username, log.subject_id, log.field, log.purpose) == (
        "grid",
        world.zhang.pk,
        "phone",
        "上门探视",
    )
    id_number = api(
        "POST",
        f"/people/{world.zhang.pk}/reveal",
        as_="committee",
        json={"field": "id_number", "purpose": "核对身份"},
    )
    assert id_number.json()["value"] == ZHANG_ID
    assert PiiAccessLog.objects.count() == 2


def test_reveal_refusals_write_nothing(api, world):
    grid_person = api("GET", "/posts/POST-grid", as_="dept").json()["person"]["id"]
    cases = [
        ("committee", world.li.pk, {"field": "phone", "purpose": "好奇"}, 404),  # out of scope
        ("dept", world.zhang.pk, {"field": "phone", "purpose": "联系"}, 404),  # not in the register
        ("dept", grid_person, {"field": "id_number", "purpose": "联系"}, 403),  # roster: phone only
        ("nobody", world.zhang.pk, {"field": "phone", "purpose": "联系"}, 404),
        ("grid", world.zhang.pk, {"field": "email", "purpose": "联系"}, 422),
        ("grid", world.zhang.pk, {"field": "phone", "purpose": " "}, 422),
        ("grid", world.zhang.pk, {"field": "phone", "purpose": "x" * 201}, 422),
        ("grid", world.zhang.pk, {"field": "phone"}, 422),
    ]
    for who, pk, body, status in cases:
        r = api("POST", f"/people/{pk}/reveal", as_=who, json=body)
        assert r.status_code == status, (who, body, r.text)
        assert "value" not in r.json()
    assert not PiiAccessLog.objects.exists()
    missing = api(
        "POST", f"/people/{world.zhang.pk}/reveal", as_="grid", json={"field": "phone", "purpose": ""}
    )
    assert missing.json()["detail"] == [
        {"type": "value_error", "loc": ["body", "payload", "purpose"], "msg": "请填写查看用途"}
    ]


def test_roster_phone_may_be_revealed_by_whoever_sees_the_post(api, world):
    grid_person = api("GET", "/posts/POST-grid", as_="dept").json()["person"]["id"]
    r = api(
        "POST", f"/people/{grid_person}/reveal", as_="dept", json={"field": "phone", "purpose": "联系网格员"}
    )
    assert r.status_code == 200 and CLEAR.fullmatch(r.json()["value"])
    assert PiiAccessLog.objects.count() == 1


def test_resident_reveals_own_phone(api, world):
    r = api(
        "POST",
        f"/people/{world.zhang.pk}/reveal",
        as_="resident",
        json={"field": "phone", "purpose": "本人核对"},
    )
    assert r.json()["value"] == ZHANG_PHONE
