"""POST /api/v1/cases/{id}/reveal-contact over real HTTP: the contact phone for those who call
the reporter back, with a purpose, logged first; masked in every other answer."""

import pytest

from gongzhi.api import services as api_services
from gongzhi.core.models import PiiAccessLog
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import make_staff

PHONE = "13812345678"


@pytest.fixture
def case_id(api, world):
    """A report on S-R1-B1 routed to a property post at E1 (property staff have VIEW_CASES over
    their estate, no REVEAL_PII); a second property post at E1 sees it and is not its handler."""
    for key in ("handler", "bystander"):
        user = make_staff(key, PostRole.PROPERTY_STAFF, world.tree.e1, unit_kind=UnitKind.PROPERTY)
        world.keys[key] = api_services.token_create(user=user, name=key)[1]
    Post.objects.get(code="POST-handler").categories.set([Category.objects.get(code="LD01")])
    body = {"node": "S-R1-B1", "text": "楼道堆物", "category": "LD01", "contact_name": "王先生"}
    created = api("POST", "/cases", as_="grid", json={**body, "contact_phone": PHONE})
    assert created.status_code == 201 and created.json()["post"]["code"] == "POST-handler"
    return created.json()["id"]


def reveal(api, case_id, as_, body=None):
    return api(
        "POST",
        f"/cases/{case_id}/reveal-contact",
        as_=as_,
        json={"purpose": "电话回访"} if body is None else body,
    )


@pytest.mark.parametrize("who", ["grid", "committee", "block", "street", "handler"])
def test_reveal_returns_the_number_and_logs_the_case(api, world, case_id, who):
    r = reveal(api, case_id, who)
    assert r.status_code == 200 and r.json() == {"contact_name": "王先生", "contact_phone": PHONE}
    row = PiiAccessLog.objects.get()
    assert (row.actor.username, row.subject_model, row.subject_id, row.field, row.purpose) == (
        who,
        "cases.case",
        case_id,
        "contact_phone",
        "电话回访",
    )
    number = api("GET", f"/cases/{case_id}", as_=who).json()["number"]
    assert row.subject_label == f"工单 {number} 联系人 王先生"
    log = api("GET", "/audit/pii-access", as_="auditor").json()["items"]
    assert [(i["subject_model"], i["subject_id"], i["field"]) for i in log] == [
        ("cases.case", case_id, "contact_phone")
    ]
    assert number in log[0]["subject_label"] and PHONE not in str(log)


def test_masked_everywhere_else(api, world, case_id):
    detail = api("GET", f"/cases/{case_id}", as_="grid")
    listing = api("GET", "/cases", as_="grid")
    events = api("GET", f"/cases/{case_id}/events", as_="grid")
    exported = api("GET", "/cases/export.csv", as_="committee")
    assert detail.json()["contact_phone"] == "138****5678"
    for response in (detail, listing, events, exported):
        assert response.status_code == 200 and PHONE not in response.text
    assert not PiiAccessLog.objects.filter(field="contact_phone").exists()


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("bystander", {"purpose": "电话回访"}, 403),  # sees the case, neither REVEAL_PII nor its post
        ("grid", {"purpose": ""}, 422),
        ("grid", {"purpose": " x "}, 422),
        ("grid", {"purpose": "x" * 201}, 422),
        ("grid", {}, 422),
        ("dept", {"purpose": "电话回访"}, 404),  # does not see the case at all
        ("auditor", {"purpose": "电话回访"}, 404),
        ("nobody", {"purpose": "电话回访"}, 404),
    ],
)
def test_refusals_show_and_log_nothing(api, world, case_id, who, body, status):
    r = reveal(api, case_id, who, body)
    assert r.status_code == status, r.text
    assert PHONE not in r.text and not PiiAccessLog.objects.exists()
    if status == 422:
        assert r.json()["detail"][0]["loc"][-1] == "purpose"


def test_unknown_case_anonymous_and_no_phone(api, world, case_id):
    assert reveal(api, 987654321, "street").status_code == 404
    assert api("POST", f"/cases/{case_id}/reveal-contact", json={"purpose": "电话回访"}).status_code == 401
    bare = api("POST", "/cases", as_="grid", json={"node": "S-R1-B1", "text": "楼道堆物", "category": "LD01"})
    no_phone = reveal(api, bare.json()["id"], "grid")
    assert no_phone.status_code == 422 and no_phone.json()["detail"][0]["loc"][-1] == "contact_phone"
    assert not PiiAccessLog.objects.exists()


def test_a_number_in_the_case_filters_is_refused(api, world, case_id):
    for path in ("/cases", "/cases/export.csv"):
        r = api("GET", path, as_="committee", params={"q": PHONE})
        assert r.status_code == 400 and PHONE not in r.text
    assert api("GET", "/cases", as_="committee", params={"q": "楼道"}).json()["count"] == 1
