"""A case's contact phone: masked everywhere, revealed on the case page with a purpose by those
who call the reporter back, each reveal in the access log under the case's number."""

import pytest

from gongzhi.core.models import PiiAccessLog
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff

from .case_world import report

PHONE = "13812345678"


def reveal(client, case, purpose="电话回访", headers=None, **extra):
    return client.post(f"/cases/{case.pk}/contact/", {"purpose": purpose, **extra}, headers=headers)


@pytest.mark.parametrize("role", ["dispatcher", "grid", "block", "street", "handler"])
def test_those_who_call_back_see_the_action_and_the_number(cw, role):
    case = report(cw, contact_phone=PHONE)
    client = cw.client(role)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "138****5678" in page and PHONE not in page and "查看完整号码" in page
    revealed = reveal(client, case)
    assert revealed.status_code == 200 and PHONE in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"
    row = PiiAccessLog.objects.get()
    assert (row.actor, row.subject_model, row.subject_id, row.field, row.purpose) == (
        cw.users[role],
        "cases.case",
        case.pk,
        "contact_phone",
        "电话回访",
    )
    assert row.subject_label == f"工单 {case.number} 联系人 王先生"


def test_htmx_reveal_answers_the_fragment(cw):
    case = report(cw, contact_phone=PHONE)
    response = reveal(cw.client("grid"), case, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.startswith('<span class="pii revealed">') and f'href="tel:{PHONE}"' in body
    assert response["HX-Retarget"] == "closest .pii"


def test_without_purpose_nothing_is_shown_or_logged(cw):
    case = report(cw, contact_phone=PHONE)
    for purpose in ("", " ", "a"):
        response = reveal(cw.client("grid"), case, purpose=purpose)
        assert response.status_code == 400 and PHONE not in response.content.decode()
        assert "请选择或填写查看用途" in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_a_typed_purpose_wins_over_the_chosen_one(cw):
    case = report(cw, contact_phone=PHONE)
    reveal(cw.client("grid"), case, purpose="电话联系", purpose_other="核实堆物位置")
    assert PiiAccessLog.objects.get().purpose == "核实堆物位置"


def test_without_the_power_the_action_is_not_offered_and_refused(cw):
    """A property post that is not the case's sees the case (VIEW_CASES) but has no REVEAL_PII."""
    case = report(cw, contact_phone=PHONE)
    other = make_staff("other-property", PostRole.PROPERTY_STAFF, cw.tree.e1)
    client = cw.client("dispatcher")
    client.force_login(other)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and "查看完整号码" not in page.content.decode()
    refused = reveal(client, case)
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_outside_scope_is_404_and_anonymous_goes_to_login(cw):
    case = report(cw, contact_phone=PHONE)
    assert reveal(cw.client("outsider"), case).status_code == 404
    assert reveal(cw.client("dispatcher"), case.__class__(pk=99999999)).status_code == 404
    anonymous = reveal(cw.client("anonymous"), case)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert cw.client("grid").get(f"/cases/{case.pk}/contact/").status_code == 405
    assert not PiiAccessLog.objects.exists()


def test_a_case_without_a_phone_offers_nothing(cw):
    case = report(cw, contact_phone="")
    client = cw.client("grid")
    assert "查看完整号码" not in client.get(f"/cases/{case.pk}/").content.decode()
    response = reveal(client, case)
    assert response.status_code == 400 and "没有留联系电话" in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_the_auditor_lists_the_reveal_with_the_case_number(cw):
    case = report(cw, contact_phone=PHONE)
    reveal(cw.client("grid"), case)
    auditor = make_staff("auditor", PostRole.AUDITOR, cw.tree.street)
    client = cw.client("anonymous")
    client.force_login(auditor)
    body = client.get("/audit/pii/").content.decode()
    assert f"工单 {case.number}" in body and "联系电话" in body and PHONE not in body


def test_the_case_list_refuses_a_number_in_its_text_filter(cw):
    report(cw, text=f"楼道堆物，联系{PHONE}", contact_phone=PHONE)
    client = cw.client("dispatcher")
    listed = client.get("/cases/", {"q": PHONE})
    assert listed.status_code == 400 and "网址会被记录" in listed.content.decode()
    assert listed.context["rows"].paginator.count == 1  # the filter is dropped, not applied
    assert client.get("/cases/export.csv", {"q": "138-1234-5678"}).status_code == 400
    assert client.get("/cases/", {"q": "楼道"}).status_code == 200


def test_the_case_filter_form_posts_and_goes_on_to_the_list_url(cw):
    report(cw, text="楼道堆物", contact_phone=PHONE)
    client = cw.client("dispatcher")
    posted = client.post("/cases/", {"state": "received", "q": "楼道", "from": ""})
    assert posted.status_code == 303 and posted["Location"] == "/cases/?state=received&q=%E6%A5%BC%E9%81%93"
    assert client.get(posted["Location"]).context["rows"].paginator.count == 1
    refused = client.post("/cases/", {"state": "received", "q": "138 1234 5678"})
    assert refused.status_code == 400 and "Location" not in refused
    assert "网址会被记录" in refused.content.decode() and PHONE not in refused.content.decode()
    assert client.post("/cases/", {}).status_code == 303
