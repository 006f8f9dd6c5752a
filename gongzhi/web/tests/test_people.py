"""People search and a person's page: masked, paginated, and nothing outside the user's scope."""

import pytest

from gongzhi.testing.factories import PersonFactory


def test_grid_worker_cannot_find_other_grid_resident_by_exact_phone(as_role, world):
    client, _user = as_role("grid")  # G1; 钱大爷 lives in G2
    response = client.get("/people/", {"q": "13900139000"})
    assert response.status_code == 200
    assert response.context["results"].paginator.count == 0
    body = response.content.decode()
    assert "找到 0 人" in body and "钱大爷" not in body and "139****9000" not in body


def test_grid_worker_finds_own_resident_by_exact_phone_masked(as_role, world):
    client, _user = as_role("grid")
    response = client.get("/people/", {"q": "138 0013 8000"})
    body = response.content.decode()
    assert [p.name for p in response.context["results"]] == ["张阿婆"]
    assert "找到 1 人" in body and "138****8000" in body and "13800138000" not in body


def test_name_search_counts_only_what_the_user_may_see(as_role, world):
    # "阿" matches 张阿婆, 王阿姨 (R1) and nobody else; "大爷"/"奶奶" live elsewhere.
    committee, _ = as_role("committee")
    names = {p.name for p in committee.get("/people/", {"q": "阿"}).context["results"]}
    assert names == {"张阿婆", "王阿姨"}
    assert committee.get("/people/", {"q": "孙奶奶"}).context["results"].paginator.count == 0
    street, _ = as_role("street")
    assert street.get("/people/", {"q": "孙奶奶"}).context["results"].paginator.count == 1


def test_search_by_id_number_is_exact(as_role, world):
    client, _user = as_role("committee")
    found = client.get("/people/", {"q": "310104199001011234"}).context["results"]
    assert [p.name for p in found] == ["赵小弟"]
    assert client.get("/people/", {"q": "31010419900101123"}).context["results"].paginator.count == 0


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
