# ruff: noqa: F811 (scenario, the imported fixture, is each test's argument)
"""The command centre's category mix names each 大类 in the reader's language (issue 13 item 9)."""

import pytest
from django.test import Client

from gongzhi.core import clock
from gongzhi.reports.tests.conftest import DAY1, DAY3
from gongzhi.reports.tests.test_kpis import NOW, scenario  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_the_category_mix_in_english_and_in_chinese(scenario):
    parent = scenario.category.parent
    assert parent.name_en  # a shipped 大类
    query = {"start": DAY1.isoformat(), "end": DAY3.isoformat()}
    chinese = Client()
    chinese.force_login(scenario.street)
    english = Client()
    english.force_login(scenario.street)
    assert english.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    with clock.freeze(NOW):
        in_english = english.get("/dashboard/data.json", query).json()["categories"]
        in_chinese = chinese.get("/dashboard/data.json", query).json()["categories"]
    assert in_english == [{"code": parent.code, "name": parent.name_en, "count": 9, "group": parent.code}]
    assert in_chinese == [{"code": parent.code, "name": parent.name, "count": 9, "group": parent.code}]
