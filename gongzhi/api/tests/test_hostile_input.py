"""Hostile input over real HTTP: a NUL anywhere is a 400 in the shape of the part of the site it
was sent to (config/middleware.py), and nothing under /api/ ever answers HTML."""

import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from gongzhi.api.routers import nodes

NUL_MESSAGE = "请求中含有无效字符"


def _operations(live_server: Any) -> list[tuple[str, str]]:
    schema = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _is_api_nul_refusal(response: httpx.Response) -> bool:
    return (
        response.status_code == 400
        and response.headers["content-type"].startswith("application/json")
        and response.json() == {"detail": NUL_MESSAGE}
    )


def test_every_api_operation_refuses_nul_in_the_query(live_server, world):
    operations = _operations(live_server)
    assert len(operations) > 20
    headers = {"Authorization": f"Bearer {world.keys['admin']}"}
    with httpx.Client(base_url=live_server.url, timeout=30) as http:  # one client: no SSL context per request
        for method, path in operations:
            r = http.request(method, f"{path}?q=a%00b", headers=headers)
            assert _is_api_nul_refusal(r), (method, path, r.status_code, r.text[:300])


def test_every_api_write_refuses_nul_in_a_json_body(live_server, world):
    headers = {"Authorization": f"Bearer {world.keys['admin']}", "Content-Type": "application/json"}
    writes = [(m, p) for m, p in _operations(live_server) if m in {"POST", "PUT", "PATCH"}]
    assert writes
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        for method, path in writes:
            for body in (
                b'{"name": "a\\u0000b"}',
                b'{"a\\u0000": 1}',
                b'{"list": [{"x": "\\u0000"}]}',
                b'{"a": "\x00"}',
            ):
                r = http.request(method, path, content=body, headers=headers)
                assert _is_api_nul_refusal(r), (method, path, body, r.status_code, r.text[:300])


def test_nul_in_the_api_path_and_without_login(live_server, world):
    for url in ("/api/v1/nodes/S%00R1", "/api/v1/nodes%00", "/api/v1/tokens?x=%00"):
        assert _is_api_nul_refusal(httpx.get(f"{live_server.url}{url}", timeout=30)), url
    r = httpx.post(
        f"{live_server.url}/api/v1/tokens",
        json={"username": "admin\u0000", "password": "x", "name": "t"},
        timeout=30,
    )
    assert _is_api_nul_refusal(r)


def test_nul_in_a_multipart_field_or_file_name(live_server, world):
    headers = {"Authorization": f"Bearer {world.keys['admin']}"}
    url = f"{live_server.url}/api/v1/cases/1/actions/upload"
    r = httpx.post(
        url, data={"action": "a\x00b"}, files={"files": ("a.png", b"x")}, headers=headers, timeout=30
    )
    assert _is_api_nul_refusal(r)


def test_an_escaped_backslash_is_not_a_nul(api, world):
    # "\\u0000" in JSON is the six characters \u0000, not NUL: it reaches the validator
    r = api(
        "PATCH",
        "/nodes/S-R1",
        as_="admin",
        content=b'{"name": "a\\\\u0000"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "a\\u0000"


def test_unknown_paths_and_methods_under_api_answer_json(live_server, world):
    r = httpx.get(f"{live_server.url}/api/v1/no-such-thing", timeout=30)
    assert r.status_code == 404 and r.json() == {"detail": "未找到"}
    r = httpx.get(f"{live_server.url}/api/nothing-here/", timeout=30)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    r = httpx.delete(
        f"{live_server.url}/api/v1/tokens",
        headers={"Authorization": f"Bearer {world.keys['admin']}"},
        timeout=30,
    )
    assert r.status_code == 405 and r.json() == {"detail": "不支持此请求方法"}
    assert "POST" in r.headers["allow"]


def test_an_uncaught_exception_under_api_is_a_json_500(live_server, world, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(nodes, "node_out", broken)  # the live server runs in this process
    headers = {"Authorization": f"Bearer {world.keys['admin']}"}
    r = httpx.get(f"{live_server.url}/api/v1/nodes/S-R1", headers=headers, timeout=30)
    assert r.status_code == 500
    assert r.json() == {"detail": "服务器内部错误，请稍后重试"}


def test_open311_refuses_nul_in_its_own_shape(live_server, world):
    base = f"{live_server.url}/open311/v2"
    r = httpx.get(f"{base}/requests.json?status=open%00", timeout=30)
    assert r.status_code == 400 and r.json() == [{"code": 400, "description": "参数中含有不允许的字符"}]
    r = httpx.get(f"{base}/services/a%00b.xml", timeout=30)
    assert r.status_code == 400
    assert ET.fromstring(r.content).find("error/code").text == "400"  # type: ignore[union-attr]
    r = httpx.post(f"{base}/requests.json", data={"description": "x\x00"}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and r.json()[0]["description"] == "A parameter contains a forbidden character"


@pytest.mark.parametrize("path", ["/login/?next=%00", "/report/?x=%00", "/report/places.geojson?q=%00"])
def test_pages_refuse_nul_without_login(live_server, world, path):
    r = httpx.get(f"{live_server.url}{path}", timeout=30)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert NUL_MESSAGE in r.text


def test_page_forms_refuse_nul(live_server, world):
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        c.get("/login/")
        token = c.cookies["csrftoken"]
        r = c.post("/login/", data={"csrfmiddlewaretoken": token, "username": "admin\x00", "password": "x"})
    assert r.status_code == 400 and NUL_MESSAGE in r.text


def test_refusals_speak_the_callers_language(live_server, world):
    en = {"Accept-Language": "en"}
    r = httpx.get(f"{live_server.url}/api/v1/nodes?q=%00", headers=en, timeout=30)
    assert r.status_code == 400 and r.json() == {"detail": "The request contains invalid characters"}
    r = httpx.get(f"{live_server.url}/api/v1/no-such-thing", headers=en, timeout=30)
    assert r.status_code == 404 and r.json() == {"detail": "Not found"}
