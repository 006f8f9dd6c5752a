# ruff: noqa: F811 (world and api, the imported fixtures, are each test's arguments)
"""Open311 in English (issue 13 item 9): the services' names, groups and descriptions and a
request's service_name follow `Accept-Language: en` (what HTTP clients send) or `?lang=en`;
`?lang=zh` or no header gives Chinese. Over real HTTP."""

from typing import Any

import httpx
import pytest

from gongzhi.cases.tests.test_open311 import World, api, report, world, xml  # noqa: F401 (fixtures)
from gongzhi.orgs.models import Category

pytestmark = pytest.mark.django_db(transaction=True)
EN = {"Accept-Language": "en"}


def ld01(body: list[dict[str, Any]]) -> dict[str, Any]:
    return next(s for s in body if s["service_code"] == "LD01")


def test_services_in_english_by_header_or_parameter(world: World, api: httpx.Client) -> None:
    for english in (
        api.get("services.json", headers=EN).json(),
        api.get("services.json", params={"lang": "en"}).json(),
    ):
        service = ld01(english)
        assert service["service_name"] == "Clutter in stairwells"
        assert service["group"] == "Stairwells and fire safety"
        assert service["description"].startswith(
            "Stairwells and fire safety: Clutter in stairwells. Handled within"
        )
        assert service["keywords"].startswith("Clutter in stairwells, 楼道堆物")  # residents type Chinese
        names = dict(Category.objects.values_list("code", "name_en"))
        assert all(s["service_name"] == names[s["service_code"]] for s in english)

    root = xml(api.get("services.xml", headers=EN))
    codes = {s.findtext("service_code"): s.findtext("service_name") for s in root}
    assert codes["LD01"] == "Clutter in stairwells"

    for chinese in (
        api.get("services.json").json(),
        api.get("services.json", params={"lang": "zh"}, headers=EN).json(),
    ):
        service = ld01(chinese)
        assert (service["service_name"], service["group"]) == ("楼道堆物", "楼道与消防")
        assert service["description"].startswith("楼道与消防：楼道堆物。")


def test_a_request_names_its_service_in_the_language_asked(world: World, api: httpx.Client) -> None:
    created = api.post("requests.json", data=report(world), headers=EN)
    assert created.status_code == 200, created.text
    number = created.json()[0]["service_request_id"]
    english = api.get(f"requests/{number}.json", headers=EN).json()[0]
    assert english["service_name"] == "Clutter in stairwells"
    assert api.get(f"requests/{number}.json", params={"lang": "en"}).json()[0]["service_name"] == (
        "Clutter in stairwells"
    )
    assert api.get(f"requests/{number}.json").json()[0]["service_name"] == "楼道堆物"


def test_errors_follow_the_lang_parameter_too(world: World, api: httpx.Client) -> None:
    response = api.get("services/NOPE.json", params={"lang": "en"})
    assert response.status_code == 404
    assert response.json()[0]["description"].startswith("Unknown service_code")
