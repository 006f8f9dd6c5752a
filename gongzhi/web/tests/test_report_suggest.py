"""The report page's live category hint: the textarea asks /report/suggest/ (htmx) for the
likeliest 小类 of what is typed so far; only the text is sent (a small trained model,
gongzhi.testing.classifier)."""

import pytest

from gongzhi.cases import classify
from gongzhi.orgs.models import Category
from gongzhi.testing.classifier import install_small_model

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def model(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    install_small_model()
    yield
    classify._cache.clear()


def test_report_page_asks_for_the_hint_with_the_text_only(client):
    body = client.get("/report/").content.decode()
    assert 'hx-post="/report/suggest/"' in body and 'hx-params="text"' in body
    assert 'hx-target="#category-hint"' in body and 'id="category-hint"' in body
    assert "delay:600ms" in body
    # the suggestion box (意见箱) is not a problem report: no hint there
    assert "/report/suggest/" not in client.get("/report/", {"kind": "suggestion"}).content.decode()


def test_hint_names_the_likeliest_categories(client):
    response = client.post(
        "/report/suggest/", {"text": "电梯又坏了，我妈被困在里面半个小时"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "看起来是" in html and 'data-code="WY02"' in html
    assert Category.objects.get(code="WY02").name in html
    assert 1 <= html.count('class="tag"') <= 3 and html.index('data-code="WY02"') < html.index("%")
    assert " 0%" not in html  # negligible runners-up are left out


def test_off_topic_text_says_staff_will_sort_it(client):
    html = client.post("/report/suggest/", {"text": "大家好，祝大家新年快乐，身体健康"}).content.decode()
    assert 'data-triage="1"' in html and "工作人员分类" in html and "data-code" not in html


def test_too_short_or_empty_text_says_nothing(client):
    for text in ("", "电梯", "   "):
        response = client.post("/report/suggest/", {"text": text})
        assert response.status_code == 200 and response.content.decode().strip() == ""


def test_get_works_and_other_methods_do_not(client):
    assert (
        'data-code="WY02"'
        in client.get("/report/suggest/", {"text": "电梯坏了，有人被困在电梯里"}).content.decode()
    )
    assert client.put("/report/suggest/").status_code == 405


def test_long_or_odd_input_is_not_an_error(client):
    assert client.post("/report/suggest/", {"text": "楼道" * 5000}).status_code == 200
    # NUL is refused at the door for every page (config.middleware): a clear 400, never a 500
    assert client.post("/report/suggest/", {"text": "电梯\x00坏了坏了"}).status_code == 400


def test_hint_in_english(client):
    html = client.post(
        "/report/suggest/", {"text": "大家好，祝大家新年快乐，身体健康"}, headers={"Accept-Language": "en"}
    ).content.decode()
    assert "staff will sort it" in html
