"""People search and a person's page: masked, paginated, and nothing outside the user's scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.models import PiiAccessLog
from gongzhi.testing.factories import PersonFactory
from gongzhi.web.roster import people


def search_by_number(client, number: str, **extra: str):
    """The form's POST, then the page it redirects to (?s=<token>)."""
    posted = client.post("/people/", {"q": number, **extra})
    assert posted.status_code == 303 and "?s=" in posted["Location"]
    assert number.replace(" ", "") not in posted["Location"]
    return client.get(posted["Location"])


def test_grid_worker_cannot_find_other_grid_resident_by_exact_phone(as_role, world):
    client, _user = as_role("grid")  # G1; 钱大爷 lives in G2
    response = search_by_number(client, "13900139000")
    assert response.status_code == 200
    assert response.context["results"].paginator.count == 0
    body = response.content.decode()
    assert "找到 0 人" in body and "钱大爷" not in body and "13900139000" not in body


def test_grid_worker_finds_own_resident_by_exact_phone_masked(as_role, world):
    client, _user = as_role("grid")
    response = search_by_number(client, "138 0013 8000")
    body = response.content.decode()
    assert [p.name for p in response.context["results"]] == ["张阿婆"]
    assert "找到 1 人" in body and "138****8000" in body and "13800138000" not in body


def test_search_by_number_is_logged_once_with_masked_number_and_hits(as_role, world):
    client, user = as_role("grid")
    response = search_by_number(client, "13800138000", purpose="上门走访")
    client.get(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])  # a reload
    row = PiiAccessLog.objects.get()
    assert (row.actor, row.subject_model, row.field) == (user, "search.person", "search_phone")
    assert row.subject_label == "按手机号查找 138****8000，命中 1 人" and row.purpose == "上门走访"
    assert "13800138000" not in f"{row.subject_label}{row.purpose}"


def test_search_by_id_number_is_exact_and_logged_without_purpose(as_role, world):
    client, _user = as_role("committee")
    found = search_by_number(client, "310104199001011234").context["results"]
    assert [p.name for p in found] == ["赵小弟"]
    assert search_by_number(client, "31010419900101123X").context["results"].paginator.count == 0
    rows = PiiAccessLog.objects.order_by("id")
    assert [(r.field, r.purpose) for r in rows] == [("search_id_number", "未填写")] * 2
    assert rows[0].subject_label == "按身份证号查找 3101**********1234，命中 1 人"


def test_a_number_in_the_url_is_refused_and_not_searched(as_role, world):
    client, _user = as_role("committee")
    response = client.get("/people/", {"q": "13800138000"})
    assert response.status_code == 400 and response.context["results"] is None
    assert "查询框" in response.content.decode() and "张阿婆" not in response.content.decode()
    assert client.get("/people/export.csv", {"q": "13800138000"}).status_code == 400
    assert not PiiAccessLog.objects.exists()


def test_a_token_is_the_sessions_own_and_expires(as_role, world):
    client, _user = as_role("committee")
    page = search_by_number(client, "13800138000")
    url = page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"]
    other, _ = as_role("street")
    assert other.get(url).context["results"] is None  # another session: just the search box
    with clock.freeze(timezone.now() + timedelta(seconds=people.SEARCH_TTL + 1)):
        expired = client.get(url)
    assert expired.context["results"] is None and "已过期" in expired.content.decode()


def test_part_of_a_number_is_answered_in_place_never_redirected_into_a_url(as_role, world):
    client, _user = as_role("committee")
    response = client.post("/people/", {"q": "1380013800"})
    assert response.status_code == 400 and "Location" not in response
    assert "请输入完整的11位手机号或18位身份证号" in response.content.decode()
    assert 'value="1380013800"' not in response.content.decode()  # not echoed into the box either
    assert not PiiAccessLog.objects.exists()


def test_a_name_posted_goes_on_to_a_plain_url_and_is_not_logged(as_role, world):
    client, _user = as_role("committee")
    posted = client.post("/people/", {"q": "阿"})
    assert posted.status_code == 303 and posted["Location"].endswith("?q=%E9%98%BF")
    assert not PiiAccessLog.objects.exists()


def test_name_search_counts_only_what_the_user_may_see(as_role, world):
    # "阿" matches 张阿婆, 王阿姨 (R1) and nobody else; "大爷"/"奶奶" live elsewhere.
    committee, _ = as_role("committee")
    names = {p.name for p in committee.get("/people/", {"q": "阿"}).context["results"]}
    assert names == {"张阿婆", "王阿姨"}
    assert committee.get("/people/", {"q": "孙奶奶"}).context["results"].paginator.count == 0
    street, _ = as_role("street")
    assert street.get("/people/", {"q": "孙奶奶"}).context["results"].paginator.count == 1


def test_empty_query_shows_a_hint_not_everyone(as_role, world):
    client, _user = as_role("street")
    response = client.get("/people/")
    assert response.context["results"] is None
    assert "张阿婆" not in response.content.decode()


def test_results_are_paginated_by_50(as_role, world):
    for i in range(60):
        PersonFactory(name=f"批量{i:02d}", home=world.tree.h1)
    client, _user = as_role("committee")
    first = client.get("/people/", {"q": "批量"})
    assert first.context["results"].paginator.count == 60
    assert len(first.context["results"]) == 50
    assert "找到 60 人" in first.content.decode()
    assert "page=2" in first.content.decode()
    second = client.get("/people/", {"q": "批量", "page": "2"})
    assert len(second.context["results"]) == 10
    assert client.get("/people/", {"q": "批量", "page": "abc"}).status_code == 200


def test_person_detail_masked_with_address_and_posts(as_role, world):
    client, _user = as_role("grid")
    response = client.get(f"/people/{world.young.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "138****8003" in body and "3101**********1234" in body
    assert "13800138003" not in body and "310104199001011234" not in body
    # The full address, even above the grid worker's own node.
    assert (
        "枫林街道 · 第一块区 · 东安居民区 · 东安一村 · 东安一村第1网格 · 东安一村1号楼 · 1号楼101室" in body
    )
    assert response.context["can_phone"] and response.context["can_id"]


def test_person_detail_lists_posts(as_role, world):
    client, user = as_role("committee")
    body = client.get(f"/people/{user.person.pk}/").content.decode()
    assert "担任岗位" in body and "东安居民区" in body and "居委会社工" in body


@pytest.mark.parametrize(
    ("key", "target"), [("grid", "g2_resident"), ("committee", "r3_resident"), ("department", "old")]
)
def test_person_outside_scope_is_404(as_role, world, key, target):
    client, _user = as_role(key)
    assert client.get(f"/people/{getattr(world, target).pk}/").status_code == 404


def test_unknown_person_is_404(as_role, world):
    client, _user = as_role("street")
    assert client.get("/people/999999/").status_code == 404


def test_a_session_keeps_its_last_ten_searches(as_role, world):
    client, _user = as_role("committee")
    first = client.post("/people/", {"q": "13800138000"})["Location"]
    for _ in range(people.KEPT_SEARCHES):
        last = client.post("/people/", {"q": "13800138003"})["Location"]
    assert len(client.session[people.SESSION_KEY]) == people.KEPT_SEARCHES
    assert client.get(first).context["results"] is None  # the oldest is gone
    assert [p.name for p in client.get(last).context["results"]] == ["赵小弟"]
