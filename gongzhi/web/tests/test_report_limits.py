"""The anonymous report page over real HTTP: budgets per device (signed cookie), per phone and
per address burst; past one, a question instead of a refusal (web.cases.report_guard)."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.testing.factories import Tree, make_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _still_clock() -> Iterator[None]:
    """Counts are per window: hold the clock at a window's start so none rolls over mid-test."""
    with clock.freeze(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)):
        yield


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION = re.compile(r"(\d+) 加 (\d+) 等于几")
TOKEN = re.compile(r'name="challenge" value="([^"]+)"')


@pytest.fixture
def street(transactional_db: None) -> Tree:
    return make_tree()


@pytest.fixture
def phone_browser(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


def new_browser(live_server: Any) -> httpx.Client:
    return httpx.Client(base_url=live_server.url, timeout=30)


def submit(browser: httpx.Client, street: Tree, **extra: str) -> httpx.Response:
    """Open the page (as a resident does) and send a report from it."""
    page = browser.get("/report/")
    assert page.status_code == 200
    token = CSRF.search(page.text)
    assert token is not None
    body = {
        "csrfmiddlewaretoken": token.group(1),
        "text": "2号楼门口垃圾没人清",
        "estate": street.e1.code,
        "building": street.b1.code,
        **extra,
    }
    response = browser.post("/report/", data=body)
    assert response.status_code < 500, response.text[:500]
    return response


def answer_of(page: httpx.Response) -> dict[str, str]:
    question, token = QUESTION.search(page.text), TOKEN.search(page.text)
    assert question is not None and token is not None
    return {"challenge": token.group(1), "answer": str(int(question.group(1)) + int(question.group(2)))}


def test_a_device_over_its_budget_answers_a_question_and_goes_on(street, phone_browser, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report-device": (2, 3600)}
    assert [submit(phone_browser, street).status_code for _ in range(2)] == [302, 302]
    assert phone_browser.cookies.get("gz_device")  # the signed device id

    asked = submit(phone_browser, street)
    assert asked.status_code == 429 and "请先回答一个小问题" in asked.text
    assert "2号楼门口垃圾没人清" in asked.text  # what the resident wrote is kept
    assert Case.objects.count() == 2

    solved = answer_of(asked)
    assert submit(phone_browser, street, **solved).status_code == 302
    assert Case.objects.count() == 3
    # A question answers one report: the same answer again is asked anew.
    again = submit(phone_browser, street, **solved)
    assert again.status_code == 429 and "答案不对或已过期" in again.text
    wrong = answer_of(again) | {"answer": "0"}
    assert submit(phone_browser, street, **wrong).status_code == 429
    assert Case.objects.count() == 3


def test_residents_behind_one_carrier_address_are_not_refused(street, live_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report-device": (2, 3600)}
    statuses = []
    for _ in range(8):  # eight phones on one shared address, two reports each
        with new_browser(live_server) as browser:
            statuses += [submit(browser, street).status_code for _ in range(2)]
    assert statuses == [302] * 16 and Case.objects.count() == 16


def test_one_phone_number_over_its_budget_is_asked_on_any_device(street, live_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report-phone": (1, 3600)}
    with new_browser(live_server) as first, new_browser(live_server) as second:
        assert submit(first, street, contact_phone="138 1234 5678").status_code == 302
        asked = submit(second, street, contact_phone="13812345678")
        assert asked.status_code == 429 and QUESTION.search(asked.text)
        assert submit(second, street, contact_phone="13900001111").status_code == 302


def test_a_burst_from_one_address_across_fresh_devices_is_asked(street, live_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report-ip-burst": (3, 600)}
    statuses = []
    for _ in range(5):  # a script taking a fresh cookie jar for each report
        with new_browser(live_server) as browser:
            statuses.append(submit(browser, street).status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert Case.objects.count() == 3


def test_the_question_in_english(street, live_server, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report-device": (0, 3600)}
    with httpx.Client(base_url=live_server.url, timeout=30, headers={"Accept-Language": "en"}) as browser:
        asked = submit(browser, street)
    assert asked.status_code == 429
    assert re.search(r"What is \d+ plus \d+\?", asked.text) and "answer a small question first" in asked.text
