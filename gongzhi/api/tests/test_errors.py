"""Bad input never gets a 500: malformed JSON, wrong types, huge values, impossible ids."""

import pytest

from gongzhi.api import services as api_services
from gongzhi.testing.factories import UserFactory

WRITES = [
    ("POST", "/nodes"),
    ("PATCH", "/nodes/S-R1"),
    ("POST", "/nodes/S-R1/move"),
    ("POST", "/tokens"),
]


@pytest.fixture
def writes(world):
    return [*WRITES, ("POST", f"/people/{world.zhang.pk}/reveal")]


def test_malformed_json_is_400_in_chinese(api, world, writes):
    for method, path in writes:
        r = api(method, path, as_="admin", content=b'{"name": ', headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (path, r.text)
        assert r.json() == {"detail": "请求内容应为 JSON 对象"}


@pytest.mark.parametrize(
    "body",
    [b"[]", b'"x"', b"null", b"42", b'{"code": null, "name": [], "level": {}}', b"\xff\xfe", b"{}" * 1000],
)
def test_odd_bodies_are_4xx(api, world, writes, body):
    for method, path in writes:
        r = api(method, path, as_="admin", content=body, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (path, body, r.text)
        assert "detail" in r.json()


def test_oversized_body_is_refused(api, world):
    huge = b'{"name": "' + b"x" * (12 * 1024 * 1024) + b'"}'
    r = api("PATCH", "/nodes/S-R1", as_="admin", content=huge, headers={"Content-Type": "application/json"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/nodes", {"limit": 0}),
        ("/nodes", {"limit": 100_000}),
        ("/nodes", {"offset": -1}),
        ("/nodes", {"offset": 10**30}),
        ("/nodes", {"level": "abc"}),
        ("/nodes", {"level": 99}),
        ("/nodes", {"q": "x" * 5000}),
        ("/people", {"q": "x" * 5000}),
        ("/units", {"node": "x" * 5000}),
        ("/posts", {"node": "x" * 5000}),
        ("/people/abc", {}),
        ("/people/0", {}),
        (f"/people/{10**30}", {}),
        ("/nodes/" + "x" * 500, {}),
        ("/nodes/S/geojson", {"level": "x"}),
    ],
)
def test_bad_query_and_path_values_are_422(api, world, path, params):
    r = api("GET", path, as_="street", params=params)
    assert r.status_code == 422, r.text
    assert all(e["msg"] and e["loc"] for e in r.json()["detail"])


def test_odd_but_valid_lookups_are_empty_or_404(api, world):
    assert api("GET", "/nodes/%E4%B8%8D%E5%AD%98%E5%9C%A8", as_="street").status_code == 404
    assert api("GET", "/nodes", as_="street", params={"q": "'; DROP TABLE geo_node; --"}).json()["count"] == 0
    assert api("GET", "/people", as_="street", params={"q": "%_"}).json()["count"] == 0
    assert api("GET", "/people", as_="street", params={"q": "  "}).json()["count"] == 9  # blank: the list


def test_validation_messages_follow_ninja_shape(api, world):
    root = UserFactory(username="root", is_superuser=True)
    auth = {"Authorization": f"Bearer {api_services.token_create(user=root, name='t')[1]}"}
    r = api("POST", "/nodes", headers=auth, json={"code": "N", "name": "n", "level": 4})
    assert r.status_code == 422  # an estate needs a parent: the service's field error
    assert r.json()["detail"] == [
        {"type": "value_error", "loc": ["body", "payload", "parent"], "msg": "小区必须有上级节点"}
    ]
    own = api("POST", "/nodes", as_="admin", json={"code": "N", "name": "n"})
    assert own.json()["detail"] == [
        {"type": "missing", "loc": ["body", "payload", "level"], "msg": "此项必填"}
    ]


def test_openapi_and_docs_are_served(client, world):
    schema = client.get("../openapi.json").json()
    assert "/api/v1/people/{person_id}/reveal" in schema["paths"]
    assert client.get("../docs").status_code == 200
