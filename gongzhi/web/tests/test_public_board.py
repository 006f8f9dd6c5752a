"""The public board (/public/), the public 双公示 list, the staff 双公示 pages and the suggestion
box: no login, no personal data on any public page, cached per language, bad input answered
400/403/409 with Chinese messages and nothing written."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.meetings import disclosures
from gongzhi.meetings.kinds import Business, MeetingKind
from gongzhi.meetings.models import (
    Disclosure,
    DisclosureEvent,
    Meeting,
    Payer,
    Slip,
    SlipState,
    Topic,
    TopicSource,
)
from gongzhi.web.public.cases import cases_generation
from gongzhi.web.tests.case_world import act, image, report, to_closed

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
PUBLIC_PAGES = ["/public/", "/public/cases/", "/public/decisions/", "/public/disclosures/"]
# What residents write into reports and staff into notices, that must never be published
SECRETS = [
    "13812345678",
    "138 1234 5678",
    "138****5678",
    "13912345678",
    "310104199001011234",
    "赵小弟",
    "王先生",
    "王师傅",
    "李阿姨",
    "502室",
    "c-dispatcher",  # the publishing staff member (their unit is shown, never their name)
]
LEAKY = "联系人：赵小弟，电话13812345678，身份证310104199001011234，王先生家门口3号楼502室楼道堆物"


def counters(body: str) -> dict[str, int]:
    found = re.findall(r'data-group="(\w+)"><span>[^<]*</span><strong>(\d+)</strong>', body)
    return {k: int(v) for k, v in found}


def slip_in(node, action: str, at=NOW) -> Slip:
    """A binding slip of a 居务会 at `node`: what the public decisions list shows."""
    meeting = Meeting.objects.create(
        kind=MeetingKind.JUWUHUI,
        node=node,
        node_path=node.path,
        title="居务会",
        starts_at=at,
        created_at=at,
    )
    topic = Topic.objects.create(
        node=node,
        node_path=node.path,
        meeting=meeting,
        title="议题",
        business=Business.KEY_MATTER,
        source=TopicSource.CASES,
        created_at=at,
    )
    return Slip.objects.create(
        meeting=meeting,
        topic=topic,
        node=node,
        node_path=node.path,
        action=action,
        due=date(2099, 12, 31),
        state=SlipState.BINDING,
        created_at=at,
        bound_at=at,
    )


def publish(cw, **kw):
    args = {
        "actor": cw.users["dispatcher"],
        "node": cw.tree.e1,
        "title": "东安一村3号楼屋面防水维修",
        "payer": Payer.REPAIR_FUND,
        "households": 24,
        "amount": "12800",
        "text": "更换屋面防水层，物业组织施工。",
    }
    args.update(kw)
    with clock.freeze(NOW):
        return disclosures.disclosure_create(**args)


@pytest.fixture
def month(cw):
    """This month on the board: one closed, one registered, one just received in R1; one in
    R3; one voided (counted nowhere)."""
    with clock.freeze(NOW):
        closed = to_closed(cw, report(cw, text=LEAKY, files=[image("before.png")]))
        registered = report(cw, text="楼道里堆满纸板，小李说堆了一周 " + LEAKY)
        act(registered, cw.users["dispatcher"], "register")
        received = report(cw, text="刚收到的反映，还没人看过 " + LEAKY)
        far = report(cw, node=cw.web.h3, category=None, text="南丹小区路灯不亮")
        void = report(cw, text="测试")
        act(void, cw.users["dispatcher"], "void", note="测试数据")
    return {"closed": closed, "registered": registered, "received": received, "far": far}


def test_board_needs_no_login_and_counts_this_month(client, cw, month):
    with clock.freeze(NOW):
        response = client.get("/public/")
    body = response.content.decode()
    assert response.status_code == 200
    assert counters(body) == {"accepted": 3, "handling": 0, "closed": 1}
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>', body
    )
    assert rows == [("东安居民区", "2", "0", "1"), ("南丹居民区", "1", "0", "0")]
    assert "南丹小区路灯不亮" not in body  # received only: its text waits for a dispatcher
    assert "受理后公开问题内容" in body and "待分类" in body
    assert "楼道里堆满纸板" in body  # registered: shown, scrubbed
    assert "测试" not in body  # the voided report
    assert 'href="/report/?kind=suggestion"' in body and 'href="/public/cases/"' in body
    assert 'href="/public/decisions/"' in body and 'href="/public/disclosures/"' in body
    closed_photo = CaseEvent.objects.get(case=month["closed"], action="create").attachments.get()
    assert f"/public/cases/photos/{closed_photo.pk}/" in body  # the before photo of the result


def test_no_personal_data_on_any_public_page(client, cw, month):
    slip_in(cw.tree.r1, "王师傅负责清运，联系电话13912345678，李阿姨家门口加装护栏")
    d = publish(cw, text="由王师傅施工（13912345678），李阿姨楼下502室先行开工", title="3号楼502室门前护栏")
    with clock.freeze(NOW):
        disclosures.disclosure_complete(
            actor=cw.users["dispatcher"], disclosure=d, amount="13000", text=LEAKY
        )
        disclosures.disclosure_amend(
            actor=cw.users["dispatcher"],
            disclosure=d,
            stage="plan",
            amount="12500",
            text="更换屋面防水层",
            reason="王先生（13812345678）指出预算重复计算",
        )
    suggestion = Client().post("/report/?kind=suggestion", {"text": LEAKY, "contact_phone": "13812345678"})
    assert suggestion.status_code == 302
    with clock.freeze(NOW):
        bodies = {url: client.get(url).content.decode() for url in PUBLIC_PAGES}
    assert "更换屋面防水层" in bodies["/public/disclosures/"]  # the pages did show the records
    assert "楼道堆物" in bodies["/public/cases/"] and "加装护栏" in bodies["/public/decisions/"]
    for url, body in bodies.items():
        for secret in SECRETS:
            assert secret not in body, (url, secret)


def test_board_is_cached_per_language(client, cw, month, django_assert_max_num_queries):
    with clock.freeze(NOW):
        first = client.get("/public/").content.decode()
        report(cw, text="缓存期间新来的反映")
        with django_assert_max_num_queries(0):
            again = client.get("/public/")
        assert counters(again.content.decode()) == counters(first)  # a few minutes old at most
        english = Client(headers={"accept-language": "en"})
        english.cookies["django_language"] = "en"
        assert english.get("/public/").status_code == 200
    gen = cases_generation()
    assert cache.get(f"web:public-board::{gen}:zh-hans")  # "": the one street is not None
    assert cache.get(f"web:public-board::{gen}:en") is not None
    cache.delete(f"web:public-board::{gen}:zh-hans")
    with clock.freeze(NOW):
        assert counters(client.get("/public/").content.decode())["accepted"] == 4


def test_a_case_closed_shows_on_the_board_at_once(client, cw, month, django_capture_on_commit_callbacks):
    """The cache takes the traffic between closes; a close (once committed) starts a new
    generation of the board and the closed-case list, so the resident who rated it sees it."""
    with clock.freeze(NOW):
        case = report(cw, text="刚刚整改好的楼道")
        board = client.get("/public/").content.decode()
        listing = client.get("/public/cases/").content.decode()
        assert "刚刚整改好的楼道" not in listing
        before = cases_generation()
        with django_capture_on_commit_callbacks(execute=True):
            to_closed(cw, case)
        assert cases_generation() == before + 1
        again = client.get("/public/").content.decode()
        assert "刚刚整改好的楼道" in client.get("/public/cases/").content.decode()
    assert counters(again)["closed"] == counters(board)["closed"] + 1


def test_public_disclosures_show_both_publications_and_the_difference(client, cw):
    d = publish(cw)
    with clock.freeze(NOW):
        disclosures.disclosure_complete(
            actor=cw.users["dispatcher"], disclosure=d, amount="12150.5", text="已完工，业委会验收合格"
        )
        disclosures.disclosure_amend(
            actor=cw.users["dispatcher"],
            disclosure=d,
            stage="result",
            amount="12100.50",
            text="已完工，业委会验收合格",
            reason="发票金额录入有误",
        )
    publish(cw, title="西岸电梯加装", node=cw.tree.r1, amount="560000", payer=Payer.UNIT_OWNERS)
    body = client.get("/public/disclosures/").content.decode()
    assert "东安一村3号楼屋面防水维修" in body and "东安居民区" in body and "东安一村" in body
    assert "12800.00" in body and "12100.50" in body and "节约" in body and "699.50" in body
    assert "(5.5%)" in body and "专项维修资金" in body and "涉及 24 户" in body
    assert "发票金额录入有误" in body and "12150.50 → 12100.50" in body  # the correction, in public
    assert "西岸电梯加装" in body and "560000.00" in body and "施工前公示" in body
    board = client.get("/public/").content.decode()
    assert "东安一村3号楼屋面防水维修" in board and "西岸电梯加装" in board


# --- staff pages ----------------------------------------------------------------------------------

FORM = {
    "title": "东安一村5号楼外墙修缮",
    "node": "S-R1-E1",
    "payer": "all_owners",
    "households": "36",
    "plan_amount": "86,000.00",
    "plan_text": "外墙空鼓修补及涂料翻新，物业组织招标。",
}


def test_staff_publish_plan_then_result_then_correct_it(cw):
    staff = cw.client("dispatcher")
    assert "双公示" in staff.get("/meetings/disclosures/").content.decode()
    case = report(cw)
    response = staff.post("/meetings/disclosures/new/", {**FORM, "case": case.number})
    assert response.status_code == 303
    d = Disclosure.objects.get()
    assert response["Location"] == f"/meetings/disclosures/{d.pk}/?done=plan"
    assert (d.plan_amount, d.households, d.case, d.node) == (Decimal("86000.00"), 36, case, cw.tree.e1)
    page = staff.get(f"/meetings/disclosures/{d.pk}/").content.decode()
    assert "86000.00" in page and "发布事后公示" in page and case.number in page
    done = staff.post(
        f"/meetings/disclosures/{d.pk}/act/",
        {"action": "complete", "result_amount": "88000", "result_text": "已完工"},
    )
    assert done.status_code == 303
    again = staff.post(
        f"/meetings/disclosures/{d.pk}/act/", {"action": "complete", "result_amount": "1", "result_text": "x"}
    )
    assert again.status_code == 409 and "已发布事后公示" in again.content.decode()
    bad = staff.post(
        f"/meetings/disclosures/{d.pk}/act/",
        {"action": "amend", "stage": "result", "amount": "87000", "text": "已完工", "reason": ""},
    )
    assert bad.status_code == 400 and "请说明更正理由" in bad.content.decode()
    assert 'value="87000"' in bad.content.decode()  # what was typed stays
    fixed = staff.post(
        f"/meetings/disclosures/{d.pk}/act/",
        {"action": "amend", "stage": "result", "amount": "87000", "text": "已完工", "reason": "少计了脚手架"},
    )
    assert fixed.status_code == 303
    d.refresh_from_db()
    assert (d.result_amount, d.amendments) == (Decimal("87000.00"), 1)
    assert "少计了脚手架" in staff.get(f"/meetings/disclosures/{d.pk}/").content.decode()
    unknown = staff.post(f"/meetings/disclosures/{d.pk}/act/", {"action": "delete"})
    assert unknown.status_code == 400 and "未知的操作" in unknown.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plan_amount": "-100"}, "金额不能为负数"),
        ({"plan_amount": "1e999999999"}, "金额不能超过1亿元"),
        ({"plan_amount": "八万"}, "金额应为数字"),
        ({"title": ""}, "请填写项目名称"),
        ({"households": "-3"}, "涉及户数应为1至100000之间的整数"),
        ({"node": "S-R3"}, "请选择居民区或小区"),  # not theirs
        ({"node": ""}, "请选择居民区或小区"),
        ({"case": "2026010199999999"}, "找不到该工单编号"),
        ({"case": "abc"}, "找不到该工单编号"),
        ({"slip": "999999"}, "请从列表中选择任务流转单"),
        ({"plan_text": "x\x00"}, "请求中含有无效字符"),
    ],
)
def test_bad_plan_form_is_a_400_with_its_message_and_nothing_written(cw, change, message):
    response = cw.client("dispatcher").post("/meetings/disclosures/new/", {**FORM, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Disclosure.objects.exists() and not DisclosureEvent.objects.exists()


def test_who_may_see_and_publish(cw):
    d = publish(cw)
    assert cw.client("grid").post("/meetings/disclosures/new/", FORM).status_code == 403  # no CONVENE
    assert cw.client("anonymous").get("/meetings/disclosures/").status_code == 302  # login first
    outsider = cw.client("outsider")
    assert outsider.get(f"/meetings/disclosures/{d.pk}/").status_code == 404  # out of scope = unknown
    assert "东安一村3号楼" not in outsider.get("/meetings/disclosures/").content.decode()
    handler = cw.client("handler")  # the property post at E1 sees the record but may not publish
    assert handler.get(f"/meetings/disclosures/{d.pk}/").status_code == 200
    refused = handler.post(
        f"/meetings/disclosures/{d.pk}/act/", {"action": "complete", "result_amount": "1", "result_text": "x"}
    )
    assert refused.status_code == 403 and "您无权发布该辖区的双公示" in refused.content.decode()
    assert cw.client("dispatcher").get("/meetings/disclosures/99999999999999999999/").status_code == 404
    d.refresh_from_db()
    assert d.result_amount is None and d.events.count() == 1


# --- the suggestion box -----------------------------------------------------------------------------


def test_suggestion_box_is_the_report_page_and_makes_a_normal_case(client, cw):
    page = client.get("/report/?kind=suggestion").content.decode()
    assert "意见建议" in page and "建议内容" in page and 'name="estate"' in page
    response = client.post("/report/?kind=suggestion", {"text": "建议小区增设休息座椅"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.node, case.state, case.source) == (cw.tree.street, State.RECEIVED, "resident")
    assert case.events.get().data["channel"] == "suggestion"
    assert "已收到您的建议" in client.get("/report/done/").content.decode()
    placed = client.post("/report/?kind=suggestion", {"text": "1号楼前加装扶手", "estate": "S-R1-E1"})
    assert placed.status_code == 302 and Case.objects.filter(node=cw.tree.e1).exists()
    plain = client.post("/report/", {"text": "没有位置的问题"})  # a problem still needs its place
    assert plain.status_code == 400 and "请选择小区，或在地图上点选位置" in plain.content.decode()
    assert Case.objects.count() == 2
    assert Case.objects.get(node=cw.tree.e1).events.get().data["channel"] == "suggestion"
