"""The cases back office over the test client: scoped like the pages, policies for the street
admin only, cases read-only with the phone masked, Open311 keys shown once and revocable."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gongzhi.cases.models import Case, CategoryPolicy
from gongzhi.cases.open311 import keys
from gongzhi.cases.open311_keys import Open311Key
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff


def staff(user) -> Client:
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admins(world):
    """Two R1 cases (one with a contact phone), one R3 case; a street admin and the R1 committee."""
    r1_case = case_create(
        actor=None,
        intake=Intake(
            node=world.tree.b1,
            text="3楼楼道堆满纸板",
            source=Source.RESIDENT,
            category=world.category,
            contact_name="张先生",
            contact_phone="13800138000",
        ),
    )
    r1_other = case_create(
        actor=None, intake=Intake(node=world.tree.e1, text="路灯不亮", source=Source.PATROL)
    )
    r3_case = case_create(
        actor=None, intake=Intake(node=world.tree.r3, text="南丹小区门口积水", source=Source.RESIDENT)
    )
    street = staff(make_staff("streetadmin", PostRole.STREET_ADMIN, world.tree.street))
    committee = staff(world.dispatcher)
    return {
        "street": street,
        "committee": committee,
        "r1_case": r1_case,
        "r1_other": r1_other,
        "r3_case": r3_case,
    }


def test_no_500_on_any_cases_admin_page(admins, world):
    case = admins["r1_case"]
    policy = CategoryPolicy.objects.get(category=world.category)
    key, _clear = keys.key_create(name="热线对接")
    urls = [
        "/admin/",
        "/admin/cases/",
        "/admin/cases/case/",
        f"/admin/cases/case/?q={case.number}",
        "/admin/cases/case/?q=H001",
        "/admin/cases/case/?state__exact=received&rung__exact=3",
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/cases/categorypolicy/",
        "/admin/cases/categorypolicy/?q=LD",
        f"/admin/cases/categorypolicy/{policy.pk}/change/",
        "/admin/cases/categorypolicy/add/",
        "/admin/orgs/category/",
        f"/admin/orgs/category/{world.category.pk}/change/",
        f"/admin/orgs/category/{world.category.parent_id}/change/",
        "/admin/orgs/category/add/",
        "/admin/cases/open311key/",
        "/admin/cases/open311key/add/",
        f"/admin/cases/open311key/{key.pk}/change/",
    ]
    for who in ("street", "committee"):
        for url in urls:
            status = admins[who].get(url).status_code
            assert status in (200, 302, 403), (who, url, status)


def test_street_admin_sees_every_case_read_only_with_the_phone_masked(admins):
    c = admins["street"]
    body = c.get("/admin/cases/case/").content.decode()
    for case in (admins["r1_case"], admins["r1_other"], admins["r3_case"]):
        assert case.number in body
    page = c.get(f"/admin/cases/case/{admins['r1_case'].pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "138****8000" in html and "13800138000" not in html
    assert "contact_phone_enc" not in html and admins["r1_case"].contact_phone_enc not in html
    assert "create" in html and "待受理" in html  # the first event, inline
    assert 'name="_save"' not in html  # view only
    assert c.get("/admin/cases/case/add/").status_code == 403
    assert c.post(f"/admin/cases/case/{admins['r1_case'].pk}/delete/", {"post": "yes"}).status_code == 403
    assert Case.objects.count() == 3


def test_case_search_by_number(admins):
    c = admins["street"]
    number = admins["r3_case"].number
    body = c.get("/admin/cases/case/", {"q": number}).content.decode()
    assert number in body and admins["r1_case"].number not in body


def test_committee_sees_only_its_area_cases(admins):
    c = admins["committee"]
    body = c.get("/admin/cases/case/").content.decode()
    assert admins["r1_case"].number in body and admins["r1_other"].number in body
    assert admins["r3_case"].number not in body
    assert c.get(f"/admin/cases/case/{admins['r1_case'].pk}/change/").status_code == 200
    # out of scope looks like missing: the admin redirects to its index
    assert c.get(f"/admin/cases/case/{admins['r3_case'].pk}/change/").status_code == 302


def policy_row(policy, **changes) -> dict:
    values = {
        "limit_amount": policy.limit_amount,
        "limit_unit": policy.limit_unit,
        "lead_unit_kind": policy.lead_unit_kind,
        "must_try_locally": policy.must_try_locally,
        "local_only": policy.local_only,
        "photo_before": policy.photo_before,
        "photo_after": policy.photo_after,
        **changes,
    }
    return {k: ("on" if v is True else v) for k, v in values.items() if v is not False}


def list_editable_post(policy, **changes) -> dict:
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(policy.pk),
        "_save": "保存",
    }
    data.update({f"form-0-{k}": v for k, v in policy_row(policy, **changes).items()})
    return data


def test_street_admin_edits_policies_in_the_list(admins, world):
    policy = CategoryPolicy.objects.get(category=world.category)
    c = admins["street"]
    page = c.get("/admin/cases/categorypolicy/", {"q": "LD01"})
    assert page.status_code == 200 and 'name="form-0-limit_amount"' in page.content.decode()
    response = c.post(
        "/admin/cases/categorypolicy/?q=LD01",
        list_editable_post(policy, limit_amount=6, limit_unit="hours", local_only=True),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    assert (policy.limit_amount, policy.limit_unit, policy.local_only) == (6, "hours", True)


def test_policy_limit_must_be_sensible(admins, world):
    policy = CategoryPolicy.objects.get(category=world.category)
    response = admins["street"].post(
        "/admin/cases/categorypolicy/?q=LD01", list_editable_post(policy, limit_amount=0)
    )
    assert response.status_code == 200
    assert "处置时限应在1到999之间" in response.content.decode()
    policy.refresh_from_db()
    assert policy.limit_amount == 1


def category_post(category, policy, **changes) -> dict:
    data = {
        "code": category.code,
        "name": category.name,
        "parent": str(category.parent_id),
        "active": "on",
        "policy-TOTAL_FORMS": "1",
        "policy-INITIAL_FORMS": "1",
        "policy-MIN_NUM_FORMS": "0",
        "policy-MAX_NUM_FORMS": "1",
        "policy-0-id": str(policy.pk),
        "policy-0-category": str(category.pk),
        "_save": "保存",
    }
    data.update({f"policy-0-{k}": v for k, v in policy_row(policy, **changes).items()})
    return data


def test_street_admin_edits_a_policy_inline_on_the_category(admins, world):
    category = world.category
    policy = CategoryPolicy.objects.get(category=category)
    c = admins["street"]
    page = c.get(f"/admin/orgs/category/{category.pk}/change/")
    assert page.status_code == 200 and 'name="policy-0-limit_amount"' in page.content.decode()
    response = c.post(
        f"/admin/orgs/category/{category.pk}/change/", category_post(category, policy, limit_amount=3)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    assert policy.limit_amount == 3
    # a 大类 has no rules of its own
    parent_page = c.get(f"/admin/orgs/category/{category.parent_id}/change/").content.decode()
    assert "policy-TOTAL_FORMS" not in parent_page


def test_committee_sees_policies_but_cannot_edit_them(admins, world):
    category = world.category
    policy = CategoryPolicy.objects.get(category=category)
    c = admins["committee"]
    page = c.get("/admin/cases/categorypolicy/", {"q": "LD01"})
    assert page.status_code == 200
    assert "form-0-limit_amount" not in page.content.decode()
    assert (
        c.post("/admin/cases/categorypolicy/?q=LD01", list_editable_post(policy, limit_amount=9)).status_code
        == 403
    )
    assert c.get(f"/admin/orgs/category/{category.pk}/change/").status_code == 200
    response = c.post(
        f"/admin/orgs/category/{category.pk}/change/", category_post(category, policy, limit_amount=9)
    )
    assert response.status_code == 403
    assert c.get("/admin/cases/categorypolicy/add/").status_code == 403
    policy.refresh_from_db()
    assert policy.limit_amount == 1


def test_grid_worker_without_staff_flag_is_kept_out(world):
    user = make_staff("gw", PostRole.GRID_WORKER, world.tree.g1)
    c = Client()
    c.force_login(user)
    assert c.get("/admin/cases/case/").status_code == 302  # not staff: to the admin login


def test_open311_key_is_shown_once_and_revoked(admins):
    c = admins["street"]
    response = c.post("/admin/cases/open311key/add/", {"name": "12345热线对接"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    clear = re.search(r'id="open311-key"[^>]*>([^<]+)<', html).group(1)
    row = Open311Key.objects.get()
    assert keys.key_check(clear) == row
    assert row.key_hash != clear and clear not in c.get("/admin/cases/open311key/").content.decode()
    assert row.prefix in c.get("/admin/cases/open311key/").content.decode()
    response = c.post(
        "/admin/cases/open311key/",
        {"action": "revoke", "_selected_action": [str(row.pk)], "index": "0"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and keys.key_check(clear) is None


def test_open311_key_needs_a_name(admins):
    response = admins["street"].post("/admin/cases/open311key/add/", {"name": ""})
    assert response.status_code == 200 and not Open311Key.objects.exists()


def test_committee_cannot_manage_open311_keys(admins):
    c = admins["committee"]
    assert c.get("/admin/cases/open311key/").status_code == 403
    assert c.post("/admin/cases/open311key/add/", {"name": "偷偷建的"}).status_code == 403
    assert not Open311Key.objects.exists()
    assert "open311key" not in c.get("/admin/").content.decode()
