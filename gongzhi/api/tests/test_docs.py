"""/api/docs serves Swagger UI from this site: every script and style is same-origin, so the page
works under the site's own CSP (script-src 'self' + nonce, style-src 'self'), and in a browser
the operations appear with no CSP violation (test_browser_docs.py)."""

import re
from urllib.parse import urljoin, urlparse

import httpx


def test_docs_reference_only_same_origin_assets_and_they_are_served(live_server):
    docs = httpx.get(f"{live_server.url}/api/docs", timeout=30)
    assert docs.status_code == 200
    csp = docs.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', docs.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        url = urljoin(str(docs.url), asset)
        assert urlparse(url).netloc == urlparse(live_server.url).netloc, asset
        served = httpx.get(url, timeout=30)
        assert served.status_code == 200, asset
        assert len(served.content) > 0


def test_schema_names_are_unique_so_documented_shapes_are_the_real_ones():
    """ninja names a component after its class: two classes of one name share one component,
    and one of the two operations documents the other's shape (EventOut, PostOut did)."""
    import importlib
    import pkgutil
    from collections import defaultdict

    from ninja import Schema

    from gongzhi.api import routers

    owners: dict[str, set[str]] = defaultdict(set)
    modules = [
        importlib.import_module(f"gongzhi.api.routers.{m.name}")
        for m in pkgutil.iter_modules(routers.__path__)
    ]
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                owners[name].add(module.__name__)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}


def test_every_operation_documents_its_error_answers(live_server):
    schema = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    components = schema["components"]["schemas"]
    assert {
        "CaseEventOut",
        "MeetingEventOut",
        "CasePostOut",
        "PostOut",
        "ErrorOut",
        "ValidationErrorOut",
    } <= set(components)
    events = schema["paths"]["/api/v1/cases/{case_id}/events"]["get"]["responses"]["200"]
    assert events["content"]["application/json"]["schema"]["items"]["$ref"].endswith("/CaseEventOut")
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("400", "401", "404", "422"):
                assert status in responses, (method, path, status)
            assert ("403" if operation.get("security") else "429") in responses, (method, path)
            refs = responses["422"]["content"]["application/json"]["schema"]["$ref"]
            assert refs == "#/components/schemas/ValidationErrorOut", (method, path)
