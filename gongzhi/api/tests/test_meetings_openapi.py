"""The meetings API keeps its contract: every operation under /api/v1/meetings (URL, method,
operation id, tags, parameters, bodies and answers) and every schema they name is exactly what
data/meetings_openapi.json recorded before the router was split by subject (issue 12). A lost
route, a renamed operation id or a changed shape fails here. After a deliberate change to the
meetings API, regenerate the file from `api.get_openapi_schema()` and review its diff."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

RECORDED = json.loads((Path(__file__).parent / "data" / "meetings_openapi.json").read_text("utf-8"))


@pytest.fixture
def schema(live_server: Any) -> dict[str, Any]:
    answer = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30)
    assert answer.status_code == 200
    return answer.json()


def _operations(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{method.upper()} {path}": op
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/meetings")
        for method, op in methods.items()
    }


def test_every_recorded_route_is_still_served_with_its_operation_id(schema):
    served = _operations(schema)
    lost = sorted(set(RECORDED["operations"]) - set(served))
    assert lost == []
    renamed = {
        route: (op["operationId"], served[route]["operationId"])
        for route, op in RECORDED["operations"].items()
        if served[route]["operationId"] != op["operationId"]
    }
    assert renamed == {}


def test_every_recorded_operation_is_unchanged(schema):
    served = _operations(schema)
    changed = [route for route, op in RECORDED["operations"].items() if served.get(route) != op]
    assert changed == []


def test_every_schema_the_operations_name_is_unchanged(schema):
    components = schema["components"]["schemas"]
    changed = [name for name, shape in RECORDED["schemas"].items() if components.get(name) != shape]
    assert changed == []
