"""The API's data names in English when asked (`Accept-Language: en`), over real HTTP: a case's
category, the category suggestion, the roster's posts; Chinese without the header; and the
roster service keeps or clears a post's English (issue 13 item 9)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gongzhi.cases import classify
from gongzhi.cases import services as case_services
from gongzhi.cases.states import Source
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import Category, Post
from gongzhi.testing.classifier import install_small_model

EN = {"Accept-Language": "en"}


@pytest.fixture
def model(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the live server runs in this process: same settings
    install_small_model()
    yield
    classify._cache.clear()


def test_a_case_names_its_category_in_the_language_asked(api, world):
    case = case_services.case_create(
        actor=None,
        intake=case_services.Intake(
            node=world.tree.b1,
            text="楼道里堆满了纸箱",
            source=Source.RESIDENT,
            category=Category.objects.get(code="LD01"),
        ),
    )
    english = api("GET", f"/cases/{case.pk}", as_="committee", headers=EN).json()
    assert english["category"] == "LD01" and english["category_name"] == "Clutter in stairwells"
    chinese = api("GET", f"/cases/{case.pk}", as_="committee").json()
    assert chinese["category_name"] == "楼道堆物"


def test_the_suggestion_names_its_categories_in_the_language_asked(api, model):
    text = {"text": "电梯又坏了，我妈被困在里面半个小时"}
    english = api("POST", "/cases/suggest", as_="grid", json=text, headers=EN).json()["suggestions"]
    assert english[0] == {**english[0], "code": "WY02", "name": "Lift breakdowns"}
    names = dict(Category.objects.values_list("code", "name_en"))
    assert all(s["name"] == names[s["code"]] for s in english)
    chinese = api("POST", "/cases/suggest", as_="grid", json=text).json()["suggestions"]
    assert chinese[0]["name"] == "电梯故障"


def test_posts_carry_their_english(api, world):
    Post.objects.filter(code="POST-committee").update(title_en="Social worker", duty_en="Runs the office")
    body = api("GET", "/posts/POST-committee", as_="committee", headers=EN).json()
    assert body["title_en"] == "Social worker" and body["duty_en"] == "Runs the office"
    listed = api("GET", "/posts", as_="street").json()["items"]
    assert {p["code"]: p["title_en"] for p in listed}["POST-committee"] == "Social worker"


def test_the_roster_service_keeps_clears_and_checks_the_english(world):
    post = Post.objects.get(code="POST-committee")
    fields = {
        "actor": None,
        "code": post.code,
        "unit": post.unit,
        "node": post.node,
        "title": post.title,
        "person": post.person,
        "role": post.role,
        "active_from": date(2020, 1, 1),
    }
    org_services.post_upsert(**fields, title_en=" Social worker ", duty_en="Runs the office")
    post.refresh_from_db()
    assert (post.title_en, post.duty_en) == ("Social worker", "Runs the office")
    org_services.post_upsert(**fields)  # a caller that does not know the English keeps it
    post.refresh_from_db()
    assert (post.title_en, post.duty_en) == ("Social worker", "Runs the office")
    org_services.post_upsert(**fields, duty_en="")
    post.refresh_from_db()
    assert (post.title_en, post.duty_en) == ("Social worker", "")
    with pytest.raises(ValidationError) as refused:
        org_services.post_upsert(**{**fields, "title": "改了"}, title_en="x" * 101)
    assert set(refused.value.message_dict) == {"title_en"}
    assert "英文最多100个字符" in refused.value.message_dict["title_en"][0]
    post.refresh_from_db()
    assert post.title != "改了" and post.title_en == "Social worker"  # nothing written
