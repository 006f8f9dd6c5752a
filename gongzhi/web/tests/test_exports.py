"""Exports of the case lists, the people search, the roster and the public list, through the
real URLs: the CSV streams in pieces and equals the list, Excel opens and holds the rows,
scope and filters are the page's, no clear number ever leaves, exports of personal data are
logged, and bad input is a clear 400, never a 500."""

import csv
import io
import re
import tracemalloc
from datetime import timedelta
from types import GeneratorType

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from gongzhi.cases import exports as case_exports
from gongzhi.cases import selectors
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.core import exports
from gongzhi.core.models import PiiAccessLog
from gongzhi.web.tests.case_world import report, to_closed

PHONE = "13812345678"
ID_NUMBER = "310104199001011234"


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse) or response.streaming
    return b"".join(response.streaming_content)


def table(response) -> list[list[str]]:
    """A CSV export's rows, header included (the BOM checked and dropped)."""
    text = body(response).decode("utf-8")
    assert text.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def sheet(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def clone(case: Case, n: int, **changes) -> None:
    """n more rows like `case` (a service-made case), a minute apart, for volume: the list and
    the export read rows, and how they were written does not matter to them."""
    fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if f.attname != "id"}
    Case.objects.bulk_create(
        [
            Case(**{**fields, "created_at": case.created_at - timedelta(minutes=i + 1), **changes})
            for i in range(n)
        ],
        batch_size=500,
    )


def numbers(qs) -> list[str]:
    return [c.number for c in qs]


# --- the CSV stream --------------------------------------------------------------------------------


def test_case_csv_streams_in_pieces_and_equals_the_list(cw):
    case = report(cw)
    clone(case, 2499)
    other = report(cw, node=cw.tree.r3, text="南丹的问题", category=None)
    client = cw.client("dispatcher")  # committee staff of R1

    response = client.get("/cases/export.csv")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gongzhi-cases-')
    assert response["Cache-Control"] == "no-store"
    pieces = list(response.streaming_content)
    assert len(pieces) >= 3  # 2,500 rows, 1,000 to a piece: never one block

    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode()[1:])))
    assert rows[0][:3] == ["工单编号", "状态", "分类"]
    expected = selectors.case_search(user=cw.users["dispatcher"], filters={})
    assert [r[0] for r in rows[1:]] == numbers(expected)  # the same rows, in the list's order
    assert len(rows) - 1 == 2500 and other.number not in {r[0] for r in rows}

    page = client.get("/cases/").content.decode()
    assert "共 2500 件" in page
    assert all(n in page for n in [r[0] for r in rows[1:51]])  # page 1 is the file's first 50


def test_case_csv_is_a_generator_and_memory_stays_flat(cw):
    case = report(cw)
    clone(case, 5999)
    user = cw.users["street"]

    stream = case_exports.case_csv(user=user, chunk_size=100)
    assert isinstance(stream, GeneratorType)
    first = next(stream).decode()
    assert first.count("\r\n") == exports.CSV_CHUNK_ROWS + 1  # the header and one piece

    def peak(limit: int) -> int:
        qs = selectors.case_search(user=user, filters={})
        tracemalloc.start()
        for _ in exports.csv_stream(
            case_exports.CASES, exports.rows(case_exports.CASES, qs, limit=limit, chunk_size=100)
        ):
            pass
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result

    # once the CSV buffer has held a full piece twice, memory stays put however many rows follow
    small, large = peak(2500), peak(6000)
    assert large < small * 1.1, (small, large)


# --- masking and columns ---------------------------------------------------------------------------


def test_no_clear_number_in_any_case_export(cw):
    text = f"楼道堆物，王先生电话{PHONE}，身份证{ID_NUMBER}，邮箱 wang@example.com"
    case = report(cw, text=text, contact_phone=PHONE)
    to_closed(cw, report(cw, text=f"已处理，回电 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"))
    client = cw.client("street")
    for url in (
        "/cases/export.csv",
        "/cases/export.xlsx",
        "/cases/mine/export.csv",
        "/public/cases/export.csv",
    ):
        data = body(client.get(url))
        for clear in (PHONE, ID_NUMBER, "wang@example.com", f"{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"):
            assert clear.encode() not in data, (url, clear)
    rows = table(client.get("/cases/export.csv"))
    header, found = rows[0], {r[0]: r for r in rows[1:]}
    row = dict(zip(header, found[case.number], strict=True))
    assert row["联系人"] == "王先生"  # the name as the case page shows it
    assert row["联系电话（脱敏）"] == "138****5678"
    assert row["问题描述"] == "楼道堆物，王先生电话***，身份证***，邮箱 ***"
    assert row["状态"] == "待受理" and row["分类"] == cw.category.name and row["位置"] == cw.tree.b1.name
    assert not any("enc" in h for h in header)


def test_excel_opens_and_holds_the_rows_with_formulas_kept_as_text(cw):
    case = report(cw, text='=HYPERLINK("http://evil","点我")楼道堆物\x0b')
    clone(case, 9)
    response = cw.client("dispatcher").get("/cases/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="gongzhi-cases-')
    raw = body(response)
    book = load_workbook(io.BytesIO(raw))
    ws = book.worksheets[0]
    assert ws.title == "工单列表"
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "工单编号" and len(values) == 11
    assert [v[0] for v in values[1:]] == numbers(
        selectors.case_search(user=cw.users["dispatcher"], filters={})
    )
    text_cell = ws.cell(row=2, column=6)
    assert text_cell.data_type == "s" and text_cell.value.startswith("'=HYPERLINK")  # shown, never run
    assert "\x0b" not in text_cell.value
    created = ws.cell(row=2, column=12).value
    assert created == exports.local(case.created_at) and created.tzinfo is None  # a real time, local


def test_excel_above_the_cap_points_to_the_csv_and_sends_nothing(cw, monkeypatch):
    case = report(cw)
    clone(case, 5)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)
    client = cw.client("dispatcher")
    response = client.get("/cases/export.xlsx?state=received")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Excel 导出最多 5 行" in page and 'href="/cases/export.csv?state=received"' in page
    assert not PiiAccessLog.objects.exists()
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 6)
    assert len(sheet(client.get("/cases/export.xlsx?state=received"))) == 7


# --- scope and filters -----------------------------------------------------------------------------


def test_each_user_exports_only_their_own_area(cw):
    r1 = report(cw)
    r3 = report(cw, node=cw.tree.r3, text="南丹小区门口垃圾", category=None)
    exported = {
        role: {r[0] for r in table(cw.client(role).get("/cases/export.csv"))[1:]}
        for role in ("dispatcher", "outsider", "block", "street")
    }
    assert exported["dispatcher"] == {r1.number}  # R1's committee
    assert exported["outsider"] == {r3.number}  # R3's committee
    assert exported["block"] == {r1.number}  # K1 holds R1, not R3
    assert exported["street"] == {r1.number, r3.number}


def test_a_node_outside_scope_is_refused_like_an_unknown_one(cw):
    report(cw)
    client = cw.client("dispatcher")
    outside = client.get("/cases/export.csv?node=S-R3")
    unknown = client.get("/cases/export.csv?node=NOPE")
    assert outside.status_code == unknown.status_code == 400  # as the list page answers
    assert "没有找到该位置" in outside.content.decode()
    alert = re.compile(r'<div class="alert".*?</div>', re.S)
    assert alert.findall(outside.content.decode()) == alert.findall(unknown.content.decode())
    assert not PiiAccessLog.objects.exists()
    english = client.get("/cases/export.csv?node=S-R3", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "Location not found" in english.content.decode()


@pytest.mark.parametrize(
    "query, filters",
    [
        ("state=registered", {"state": "registered"}),
        ("category=LD01", {"category": "LD01"}),
        ("node=S-R1-E1", {"node_path": "/S/S-K1/S-R1/S-R1-E1/"}),
        ("q=纸板", {"q": "纸板"}),
        ("from=2026-01-01&to=2099-12-31", {}),
    ],
)
def test_filters_are_the_lists(cw, query, filters):
    first = report(cw)
    report(cw, text="西岸路灯不亮", node=cw.tree.r2, category=None)
    report(cw, text="网格2的纸板", node=cw.tree.g2, category=None)
    from gongzhi.web.tests.case_world import act

    act(first, cw.users["dispatcher"], "register")
    user = cw.users["block"]
    if "node_path" in filters:
        filters["node_path"] = cw.tree.e1.path
    exported = [r[0] for r in table(cw.client("block").get(f"/cases/export.csv?{query}"))[1:]]
    expected = numbers(selectors.case_search(user=user, filters=filters))
    assert exported == expected and exported
    if query.startswith("from"):
        assert len(exported) == 3
    else:
        assert len(exported) < 3  # the filter did narrow it
        page = cw.client("block").get(f"/cases/?{query}").content.decode()
        assert all(n in page for n in exported)


def test_queue_mine_and_overdue_exports_are_their_lists(cw):
    from gongzhi.cases import selectors_overdue
    from gongzhi.core import clock

    fresh = report(cw)
    dispatched = report(cw, text="另一处楼道堆物")
    from gongzhi.web.tests.case_world import act

    act(dispatched, cw.users["dispatcher"], "register")
    act(dispatched, cw.users["dispatcher"], "dispatch", post=cw.post)
    queue = [r[0] for r in table(cw.client("dispatcher").get("/cases/queue/export.csv"))[1:]]
    assert queue == numbers(
        selectors.dispatch_queue(
            user=cw.users["dispatcher"],
            states=[
                State.RECEIVED,
                State.REGISTERED,
                State.RETURNED,
                State.ESCALATED,
                State.AWAITING_VERIFICATION,
            ],
        )
    )
    assert fresh.number in queue and dispatched.number not in queue
    only = table(cw.client("dispatcher").get("/cases/queue/export.csv?state=received"))
    assert [r[0] for r in only[1:]] == [fresh.number]

    # the handler (property staff) has no EXPORT power; the street cadre's own cases are none
    assert cw.client("handler").get("/cases/mine/export.csv").status_code == 403
    mine = table(cw.client("dispatcher").get("/cases/mine/export.csv?all=1"))
    assert [r[0] for r in mine[1:]] == numbers(
        selectors.my_cases(user=cw.users["dispatcher"], open_only=False)
    )

    with clock.freeze(clock.now() + timedelta(days=30)):
        rows = table(cw.client("street").get("/cases/overdue/export.csv"))
        expected = selectors_overdue.overdue_cases(user=cw.users["street"], now=clock.now())
        assert [r[0] for r in rows[1:]] == numbers(expected) and len(rows) == 3
        assert rows[0][2] == "超期起算"
        handle = table(cw.client("street").get("/cases/overdue/export.csv?deadline=handle"))
        assert [r[0] for r in handle[1:]] == [dispatched.number]


# --- bad input, refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/cases/export.csv?state=nonsense", 400, "状态取值无效"),
        ("/cases/export.xlsx?category=NOPE", 400, "没有该分类"),
        ("/cases/export.csv?from=2026-13-01", 400, "日期格式"),
        ("/cases/export.csv?from=2026-02-01&to=2026-01-01", 400, "开始日期不能晚于结束日期"),
        ("/cases/export.csv?q=%00", 400, "无效字符"),
        ("/cases/queue/export.csv?state=closed", 400, "状态取值无效"),
        ("/cases/mine/export.csv?all=yes", 400, "all"),
        ("/cases/overdue/export.xlsx?deadline=soon", 400, "超期环节取值无效"),
        ("/people/export.csv", 400, "请先输入查询条件"),
        ("/cases/export.pdf", 404, ""),
        ("/roster/S-R3/export.csv", 404, ""),  # another area's roster: as the roster page
        ("/roster/S-R1-E1/export.csv", 404, ""),  # not a residential area
        ("/public/cases/export.docx", 404, ""),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(cw, url, status, message):
    report(cw)
    response = cw.client("dispatcher").get(url)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_who_may_export(cw, client):
    report(cw)
    assert client.get("/cases/export.csv").status_code == 302  # to the login page
    assert cw.client("grid").get("/cases/export.csv").status_code == 403  # no EXPORT power
    assert cw.client("grid").get("/people/export.csv?q=张").status_code == 403
    assert cw.client("resident").get("/cases/mine/export.xlsx").status_code == 403
    assert cw.client("handler").get("/cases/queue/export.csv").status_code == 403  # no DISPATCH
    assert not PiiAccessLog.objects.exists()
    # the links are shown to those who may use them
    assert "导出CSV" in cw.client("dispatcher").get("/cases/").content.decode()
    assert "导出CSV" not in cw.client("grid").get("/cases/").content.decode()


# --- the access log --------------------------------------------------------------------------------


def test_an_export_with_personal_data_writes_one_log_row_first(cw):
    report(cw)
    client = cw.client("dispatcher")
    response = client.get("/cases/export.csv?state=received&q=纸板&page=3")
    log = PiiAccessLog.objects.get()  # written before a byte was read
    assert log.actor == cw.users["dispatcher"] and log.field == "export"
    assert log.subject_model == "export.cases" and log.subject_label == "工单列表"
    assert log.purpose == "CSV：state=received，q=纸板"
    body(response)
    client.get("/cases/overdue/export.xlsx")
    assert PiiAccessLog.objects.count() == 2
    # the auditor sees exports in the log, labelled
    auditor = cw.client("street")
    assert auditor.get("/public/cases/export.csv").status_code == 200  # no personal data: no row
    assert PiiAccessLog.objects.count() == 2


# --- people, roster, public ------------------------------------------------------------------------


def test_people_export_is_the_search_masked_and_logged_without_the_number(cw):
    client = cw.client("dispatcher")
    rows = table(client.get("/people/export.csv?q=阿"))
    names = {r[1] for r in rows[1:]}
    assert names == {"张阿婆", "王阿姨"}  # R1's residents; R3's 孙奶奶 is out of scope anyway
    assert client.get("/people/export.csv?q=13800138003").status_code == 400  # never from the URL
    searched = client.post("/people/", {"q": "13800138003"})["Location"]  # ?s=<token>
    young = table(client.get("/people/export.csv?" + searched.split("?")[1]))
    header = young[0]
    row = dict(zip(header, young[1], strict=True))
    assert row["姓名"] == "赵小弟" and row["手机号（脱敏）"] == "138****8003"
    assert row["身份证号（脱敏）"] == "3101**********1234" and row["出生年份"].isdigit()
    data = body(client.get("/people/export.xlsx?q=赵"))
    assert b"13800138003" not in data and ID_NUMBER.encode() not in data
    logs = list(PiiAccessLog.objects.order_by("id").values_list("subject_model", "purpose"))
    assert logs[1] == ("search.person", "未填写")  # the search by number itself
    assert logs[2] == ("export.people", "CSV：number=138****8003")  # the searched number, masked
    assert all("13800138003" not in p for _, p in logs)
    outsider = table(cw.client("outsider").get("/people/export.csv?q=阿"))
    assert {r[1] for r in outsider[1:]} == set()


def test_roster_export_in_seat_order_with_masked_phones(cw):
    from gongzhi.orgs.roles import MeetingRole

    cw.post.meeting_role = MeetingRole.PROPERTY
    cw.post.save(update_fields=["meeting_role"])
    rows = table(cw.client("dispatcher").get("/roster/S-R1/export.csv"))
    header = rows[0]
    assert header[:3] == ["席位", "岗位", "单位"]
    found = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    first = found[0]
    assert first["席位"] == "物业" and first["责任人"] == "物业小王"
    assert first["电话（脱敏）"] == "139****0001" and first["负责事项"] == cw.category.name
    assert found[-1]["席位"] == "工作人员"  # staff without a seat come last, as on the page
    assert b"13900000001" not in body(cw.client("dispatcher").get("/roster/S-R1/export.xlsx"))
    assert PiiAccessLog.objects.filter(subject_model="export.roster").count() == 2


def test_public_export_needs_no_login_and_holds_no_personal_data(cw, client):
    closed = to_closed(cw, report(cw, text=f"3号楼王阿姨反映楼道堆物，电话{PHONE}"))
    report(cw, text="还没办结的")
    response = client.get("/public/cases/export.csv")
    assert response.status_code == 200
    rows = table(response)
    assert rows[0] == ["分类", "居民区", "办结日期", "问题描述"]
    assert len(rows) == 2
    assert rows[1][1] == "东安居民区" and rows[1][0] == cw.category.name
    assert "王阿姨" not in rows[1][3] and PHONE not in rows[1][3] and "***" in rows[1][3]
    assert rows[1][2] == f"{closed.closed_at.astimezone(exports.timezone.get_default_timezone()):%Y-%m-%d}"
    xlsx = sheet(client.get("/public/cases/export.xlsx"))
    assert len(xlsx) == 2 and xlsx[0][1] == "居民区"
    assert not PiiAccessLog.objects.exists()
    assert "导出CSV" in client.get("/public/cases/").content.decode()
