"""GET /api/v1/cases/export.csv over real HTTP: streamed, scoped, filtered, masked, logged, and
bad input a 422 / 404 with a field message, never a 500."""

import csv
import io

import pytest

from gongzhi.cases import selectors
from gongzhi.core.models import PiiAccessLog

URL = "/cases/export.csv"
PHONE = "13912345678"


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:500]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def cases(api):
    """Three cases in R1 (two about cardboard) and one in R3, reported through the API."""
    made = {}
    for key, node, text in [
        ("a", "S-R1-B1", "1号楼楼道堆放纸板"),
        ("b", "S-R1-B1", "1号楼门口纸板堆积，联系电话" + PHONE),
        ("c", "S-R1-E1", "小区路灯不亮"),
        ("r3", "S-R3-B1", "南丹小区垃圾满溢"),
    ]:
        body = {"node": node, "text": text, "contact_name": "王先生", "contact_phone": PHONE}
        response = api("POST", "/cases", as_="street", json=body)
        assert response.status_code == 201, response.text
        made[key] = response.json()
    return made


def test_streams_the_callers_cases_masked_and_logs_the_export(api, world, cases):
    response = api("GET", URL, as_="committee")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="gongzhi-cases-')
    table = rows(response)
    numbers = [r[0] for r in table[1:]]
    expected = [c.number for c in selectors.case_search(user=world.users["committee"], filters={})]
    assert numbers == expected and len(numbers) == 3  # R1's, newest first; not R3's
    assert cases["r3"]["number"] not in numbers
    assert len(rows(api("GET", URL, as_="street"))) == 5
    assert PHONE.encode() not in response.content
    header = table[0]
    assert dict(zip(header, table[1], strict=True))["联系电话（脱敏）"] == "139****5678"
    log = PiiAccessLog.objects.get(actor=world.users["committee"])
    assert log.field == "export" and log.subject_model == "export.cases" and log.purpose == "CSV：全部"
    # the export's path does not hide the case detail's /{case_id}
    assert api("GET", f"/cases/{cases['a']['id']}", as_="committee").status_code == 200


@pytest.mark.parametrize(
    "query, keys",
    [
        ("q=纸板", {"a", "b"}),
        ("node=S-R1-G1", {"a", "b"}),  # B1 lies in grid G1; c sits on the estate above it
        ("state=received", {"a", "b", "c"}),
        ("state=closed", set()),
        ("date_from=2000-01-01&date_to=2099-12-31", {"a", "b", "c"}),
        ("date_to=2000-01-01", set()),
    ],
)
def test_filters_are_the_lists(api, cases, query, keys):
    numbers = {r[0] for r in rows(api("GET", f"{URL}?{query}", as_="committee"))[1:]}
    assert numbers == {cases[k]["number"] for k in keys}


def test_limit_caps_the_rows(api, cases):
    assert len(rows(api("GET", f"{URL}?limit=2", as_="street"))) == 3


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("state=nonsense", "state", "取值无效"),
        ("category=NOPE", "category", "没有该分类"),
        ("limit=0", "limit", "不能小于1"),
        ("limit=abc", "limit", "应为整数"),
        ("limit=99999999999", "limit", "不能大于"),
        ("date_from=2026-13-01", "date_from", "日期格式"),
        ("date_from=2026-02-01&date_to=2026-01-01", "date_to", "开始日期不能晚于结束日期"),
        ("q=" + "x" * 101, "q", "最多100个字符"),
    ],
)
def test_bad_filters_are_422_with_a_field_message_and_write_nothing(api, cases, query, field, message):
    response = api("GET", f"{URL}?{query}", as_="committee")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"][-1] == field and message in detail[0]["msg"]
    assert not PiiAccessLog.objects.exists()


def test_english_when_asked(api, cases):
    response = api("GET", f"{URL}?limit=0", as_="committee", headers={"Accept-Language": "en"})
    assert response.status_code == 422 and response.json()["detail"][0]["msg"] == "Must not be less than 1"


def test_a_node_outside_scope_is_404_like_an_unknown_one(api, cases):
    outside = api("GET", f"{URL}?node=S-R3", as_="committee")
    unknown = api("GET", f"{URL}?node=NOPE", as_="committee")
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert not PiiAccessLog.objects.exists()


def test_who_may_export(api, cases):
    assert api("GET", URL).status_code == 401
    assert api("GET", URL, as_="grid").status_code == 403  # sees cases, holds no EXPORT power
    assert api("GET", URL, as_="resident").status_code == 403
    assert not PiiAccessLog.objects.exists()
