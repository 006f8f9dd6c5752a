"""/api/v1/units and /api/v1/posts (the 三定 roster): scoped by VIEW_ROSTER, phones masked."""

import re

import pytest

CLEAR_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("street", 7),
        ("admin", 7),
        ("dept", 7),
        ("auditor", 7),
        ("block", 3),
        ("committee", 2),
        ("grid", 1),
        ("resident", 0),
        ("nobody", 0),
    ],
)
def test_units_and_posts_scoped_by_role(api, world, who, count):
    units = api("GET", "/units", as_=who).json()
    posts = api("GET", "/posts", as_=who).json()
    assert units["count"] == len(units["items"]) == count
    assert posts["count"] == len(posts["items"]) == count
    assert not CLEAR_PHONE.search(api("GET", "/posts", as_=who).text)


def test_unit_detail_and_filters(api, world):
    units = api("GET", "/units", as_="committee").json()["items"]
    code = units[0]["code"]
    assert api("GET", f"/units/{code}", as_="committee").json()["node"] in {"S-R1", "S-R1-G1"}
    street_unit = api("GET", "/units", as_="street", params={"node": "S"}).json()
    assert street_unit["count"] == 7
    street_only = [u["code"] for u in street_unit["items"] if u["node"] == "S"]
    hidden, unknown = (api("GET", f"/units/{c}", as_="committee") for c in (street_only[0], "NO-UNIT"))
    assert hidden.status_code == unknown.status_code == 404 and hidden.json() == unknown.json()
    assert api("GET", "/units", as_="committee", params={"node": "S"}).status_code == 404
    assert api("GET", "/units", as_="street", params={"kind": "department"}).json()["count"] == 1
    assert api("GET", "/units", as_="street", params={"node": "S-K1"}).json()["count"] == 3


def test_roster_under_a_node(api, world):
    r = api("GET", "/posts", as_="committee", params={"node": "S-R1"})
    assert r.status_code == 200
    posts = r.json()["items"]
    assert [(p["code"], p["node"]) for p in posts] == [("POST-committee", "S-R1"), ("POST-grid", "S-R1-G1")]
    grid = posts[1]
    assert grid["role"] == "grid_worker" and grid["role_name"] == "网格员"
    assert grid["person"]["phone_masked"].count("*") == 4 and grid["deputy"] is None
    assert api("GET", "/posts", as_="committee", params={"node": "S-R3"}).status_code == 404
    assert api("GET", "/posts", as_="committee", params={"node": "NOPE"}).status_code == 404
    assert api("GET", "/posts", as_="dept", params={"node": "S-R1"}).json()["count"] == 2


def test_post_detail(api, world):
    assert api("GET", "/posts/POST-grid", as_="grid").json()["title"] == "网格员"
    assert api("GET", "/posts/POST-grid", as_="dept").status_code == 200
    hidden = api("GET", "/posts/POST-street", as_="grid")
    unknown = api("GET", "/posts/NOPE", as_="grid")
    assert hidden.status_code == unknown.status_code == 404 and hidden.json() == unknown.json()
