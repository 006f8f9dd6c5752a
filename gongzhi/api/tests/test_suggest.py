"""POST /api/v1/cases/suggest over real HTTP: the 3 likeliest 小类 of a description, with
calibrated confidences and the triage flag (a small trained model, gongzhi.testing.classifier)."""

import pytest

from gongzhi.cases import classify
from gongzhi.orgs.models import Category
from gongzhi.testing.classifier import install_small_model

URL = "/cases/suggest"


@pytest.fixture(autouse=True)
def model(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the live server runs in this process: same settings
    install_small_model()
    yield
    classify._cache.clear()


def test_needs_a_token(api):
    assert api("POST", URL, json={"text": "电梯坏了"}).status_code == 401
    assert (
        api("POST", URL, json={"text": "电梯坏了"}, headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )


def test_top_three_with_confidences(api):
    response = api("POST", URL, as_="grid", json={"text": "电梯又坏了，我妈被困在里面半个小时"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"suggestions", "needs_triage"}
    suggestions = body["suggestions"]
    assert len(suggestions) == 3 and suggestions[0]["code"] == "WY02"
    assert suggestions[0]["name"] == Category.objects.get(code="WY02").name
    confidences = [s["confidence"] for s in suggestions]
    assert confidences == sorted(confidences, reverse=True) and 0 < sum(confidences) <= 1.0 + 1e-6
    assert body["needs_triage"] is False


def test_off_topic_text_is_flagged_for_triage(api):
    body = api("POST", URL, as_="committee", json={"text": "大家中秋节快乐，祝身体健康"}).json()
    assert body["needs_triage"] is True
    assert all(s["code"] != classify.OFF_TOPIC for s in body["suggestions"])


def test_a_retired_category_is_not_suggested(api):
    Category.objects.filter(code="WY02").update(active=False)
    body = api("POST", URL, as_="grid", json={"text": "电梯又坏了，我妈被困在里面半个小时"}).json()
    assert "WY02" not in [s["code"] for s in body["suggestions"]]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   \n "}, {}, {"text": "字" * 4001}, {"text": 5}])
def test_bad_text_is_422_with_a_field_message(api, body):
    response = api("POST", URL, as_="grid", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(d["loc"][-1] == "text" for d in detail), detail
    assert all(d["msg"] for d in detail)


def test_blank_text_message_is_chinese_and_english_on_request(api):
    zh = api("POST", URL, as_="grid", json={"text": " "}).json()["detail"][0]["msg"]
    en = api("POST", URL, as_="grid", json={"text": " "}, headers={"Accept-Language": "en"}).json()
    assert zh == "请填写问题描述"
    assert en["detail"][0]["msg"] == "Please describe the problem"
