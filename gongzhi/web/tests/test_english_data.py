"""English where data shows (issue 13 item 9): categories, posts' titles and duties and meeting
kinds carry English, shown in English mode on the pages and in the exports; Chinese otherwise.
The API and Open311 have their own tests (api/tests/test_english_names.py,
cases/tests/test_open311_english.py)."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongzhi.core import i18n
from gongzhi.orgs import categories
from gongzhi.orgs.models import Category, Post
from gongzhi.web.templatetags.web import post_label
from gongzhi.web.tests.case_world import report
from gongzhi.web.tests.test_english import CJK, english

pytestmark = pytest.mark.django_db


def english_client(cw, role: str) -> Client:
    client = cw.client(role)
    english(client)
    return client


@pytest.fixture
def staffed(cw):
    """The case world's property post with an English title and duty."""
    Post.objects.filter(pk=cw.post.pk).update(
        duty="负责楼道清理", title_en="Property manager", duty_en="Keeps the stairwells clear"
    )
    cw.post.refresh_from_db()
    return cw


# --- the shipped categories ----------------------------------------------------------------------


def test_every_shipped_category_has_an_english_name():
    shipped = {code for code, _, _ in categories.SEED} | {
        code for _, _, children in categories.SEED for code, _ in children
    }
    assert set(categories.ENGLISH) == shipped and len(shipped) >= 84
    rows = dict(Category.objects.filter(code__in=shipped).values_list("code", "name_en"))
    assert set(rows) == shipped
    empty = [code for code, name in rows.items() if not name.strip()]
    assert not empty, empty
    not_english = [name for name in rows.values() if CJK.search(name) or not re.match(r"^[A-Z]", name)]
    assert not not_english, not_english
    assert len(set(rows.values())) == len(rows)  # no two categories share an English name


def test_the_migration_fills_only_the_rows_the_admins_did_not_rename():
    Category.objects.filter(code="LD01").update(name_en="")
    Category.objects.filter(code="LD02").update(name="楼道里充电瓶车", name_en="")  # renamed
    Category.objects.filter(code="LD03").update(name_en="Fire lanes blocked by cars")  # edited
    categories.fill_english(Category)
    names = dict(Category.objects.filter(code__in=["LD01", "LD02", "LD03"]).values_list("code", "name_en"))
    assert names == {"LD01": "Clutter in stairwells", "LD02": "", "LD03": "Fire lanes blocked by cars"}


def test_the_helper_falls_back_to_chinese():
    category = Category.objects.get(code="LD01")
    assert i18n.localized(category) == "楼道堆物" and str(category) == "楼道堆物"
    with translation.override("en"):
        assert i18n.localized(category) == "Clutter in stairwells" == str(category)
        category.name_en = ""
        assert i18n.localized(category) == "楼道堆物"  # nothing typed: the Chinese shows
        assert i18n.localized({"category__name": "甲", "category__name_en": "A"}, "category__name") == "A"
        assert i18n.localized(None) == ""


# --- the pages -----------------------------------------------------------------------------------


def test_case_list_detail_and_patrol_show_english_categories_and_posts(staffed):
    case = report(staffed)
    assert case.post_id == staffed.post.pk
    client = english_client(staffed, "dispatcher")

    listing = client.get(reverse("web:case_list")).content.decode()
    assert '<optgroup label="Stairwells and fire safety">' in listing
    assert ">Clutter in stairwells</option>" in listing
    assert "Clutter in stairwells · " in listing and " · Property manager" in listing  # the row
    assert "楼道堆物" not in listing and "楼道与消防" not in listing and "物业经理" not in listing

    detail = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "Stairwells and fire safety › Clutter in stairwells" in detail
    with translation.override("en"):
        assert post_label(staffed.post).startswith("Property manager · ")
        assert post_label(staffed.post) in detail  # 主办: post · node · duty (holder)
    assert "楼道堆物" not in detail and "物业经理" not in detail

    patrol = client.get(reverse("web:patrol")).content.decode()
    assert ">Abandoned vehicles</option>" in patrol and '<optgroup label="Street order">' in patrol
    assert "僵尸车" not in patrol


def test_the_same_pages_in_chinese(staffed):
    case = report(staffed)
    client = staffed.client("dispatcher")
    listing = client.get(reverse("web:case_list")).content.decode()
    assert '<optgroup label="楼道与消防">' in listing and ">楼道堆物</option>" in listing
    assert "Clutter in stairwells" not in listing
    detail = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "楼道与消防 › 楼道堆物" in detail and post_label(staffed.post) in detail
    assert post_label(staffed.post).startswith("物业经理 · ")
    assert "Property manager" not in detail


def test_a_category_without_english_shows_its_chinese_name(staffed):
    Category.objects.filter(code="LD01").update(name_en="")
    case = report(staffed)
    detail = english_client(staffed, "dispatcher").get(reverse("web:case_detail", args=[case.pk]))
    assert "Stairwells and fire safety › 楼道堆物" in detail.content.decode()


def test_roster_and_person_pages_show_english_titles_and_duties(staffed):
    client = english_client(staffed, "street")
    roster = client.get(reverse("web:roster", args=[staffed.tree.r1.code]))
    assert roster.status_code == 200
    html = roster.content.decode()
    assert "Property manager" in html and "Keeps the stairwells clear" in html
    assert '<span class="tag">Clutter in stairwells</span>' in html  # the matters it answers for
    assert "负责楼道清理" not in html and "物业经理" not in html

    chinese = staffed.client("street").get(reverse("web:roster", args=[staffed.tree.r1.code]))
    assert "物业经理" in chinese.content.decode() and "负责楼道清理" in chinese.content.decode()


def test_public_pages_show_english_categories(staffed):
    from gongzhi.web.tests.case_world import to_closed

    to_closed(staffed, report(staffed))
    anonymous = Client()
    english(anonymous)
    board = anonymous.get("/public/").content.decode()
    assert "Clutter in stairwells" in board and "楼道堆物" not in board
    chinese = Client().get("/public/").content.decode()  # cached per language
    assert "楼道堆物" in chinese and "Clutter in stairwells" not in chinese


# --- the exports ---------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:])))


def test_case_and_roster_exports_in_english(staffed):
    report(staffed)
    report(staffed, category=None, text="不知道算哪一类的问题")
    client = english_client(staffed, "dispatcher")
    rows = rows_of(client.get("/cases/export.csv"))
    assert rows[0][2] == "Category"
    assert sorted(r[2] for r in rows[1:]) == ["Clutter in stairwells", "Uncategorised"]

    chinese = rows_of(staffed.client("dispatcher").get("/cases/export.csv"))
    assert sorted(r[2] for r in chinese[1:]) == ["未分类", "楼道堆物"]

    street = english_client(staffed, "street")
    roster = rows_of(street.get(reverse("web:roster_export", args=[staffed.tree.r1.code, "csv"])))
    header = roster[0]
    mine = next(r for r in roster[1:] if r[header.index("Post")] == "Property manager")
    assert mine[header.index("Duty")] == "Keeps the stairwells clear"
    assert mine[header.index("Categories handled")] == "Clutter in stairwells"


def test_the_report_page_suggests_in_english(client, settings, tmp_path):
    from gongzhi.cases import classify
    from gongzhi.testing.classifier import install_small_model

    settings.VAR_DIR = tmp_path
    install_small_model()
    try:
        english(client)
        text = {"text": "电梯又坏了，我妈被困在里面半个小时"}
        html = client.post("/report/suggest/", text, headers={"HX-Request": "true"}).content.decode()
        assert 'data-code="WY02"' in html and "Lift breakdowns" in html and "电梯故障" not in html
        chinese = Client().post("/report/suggest/", text, headers={"HX-Request": "true"}).content.decode()
        assert "电梯故障" in chinese and "Lift breakdowns" not in chinese
    finally:
        classify._cache.clear()
