"""Case lists, detail, actions, attachments and the map, through the real URLs, per role."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gongzhi.cases import callback, choices
from gongzhi.cases.models import Attachment, CaseEvent
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.geo import services as geo_services
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, UnitFactory, make_staff
from gongzhi.web.tests.case_world import act, image, not_image, report, to_closed

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOGIN_PAGES = [
    "/cases/",
    "/cases/queue/",
    "/cases/mine/",
    "/cases/overdue/",
    "/cases/map/",
    "/cases/map/data.json",
    "/cases/1/",
    "/cases/attachments/1/",
    "/patrol/",
]


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_anonymous_is_sent_to_login(client, cw, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_anonymous_action_is_sent_to_login_and_writes_nothing(client, cw):
    case = report(cw)
    response = client.post(f"/cases/{case.pk}/act/", {"action": "void", "version": 1, "note": "x"})
    assert response.status_code == 302 and CaseEvent.objects.count() == 1


@pytest.mark.parametrize("url", ["/report/", "/public/cases/"])
def test_public_pages_need_no_login(client, cw, url):
    assert client.get(url).status_code == 200


# role -> (queue status, sees the R1 case in /cases/, detail status)
MATRIX = {
    "dispatcher": (200, True, 200),
    "block": (200, True, 200),
    "street": (200, True, 200),
    "handler": (403, True, 200),  # the case is routed to their post
    "grid": (403, True, 200),  # the case lies in their grid
    "outsider": (200, False, 404),
    "resident": (403, False, 404),  # someone else's report
}


@pytest.mark.parametrize("role", MATRIX)
def test_role_page_matrix(cw, role):
    case = report(cw)
    queue_status, listed, detail_status = MATRIX[role]
    client = cw.client(role)
    assert client.get("/cases/queue/").status_code == queue_status
    listing = client.get("/cases/").content.decode()
    assert (case.number in listing) is listed
    assert client.get(f"/cases/{case.pk}/").status_code == detail_status
    assert client.get("/cases/mine/").status_code == 200
    assert client.get("/cases/overdue/").status_code == 200
    assert client.get("/cases/map/").status_code == (403 if role == "resident" else 200)


def test_resident_sees_own_report(cw):
    client = cw.client("resident")
    case = report(cw, reporter=cw.web.young)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert case.number in client.get("/cases/").content.decode()


# --- queue, mine, home, menu ------------------------------------------------------------------


def test_queue_counts_received_cases_at_the_users_rung(cw, django_assert_max_num_queries):
    first, second = report(cw), report(cw, text="第二件")
    act(second, cw.users["dispatcher"], "record_attempt", note="协调物业未果")
    act(second, cw.users["dispatcher"], "register")
    act(second, cw.users["dispatcher"], "escalate", note="需要块区协调")  # now at the block's rung
    r3 = report(cw, node=cw.web.h3.parent, text="南丹的问题")
    client = cw.client("dispatcher")
    client.get("/cases/queue/")
    with django_assert_max_num_queries(12):
        page = client.get("/cases/queue/")
    assert page.context["received"] == 1
    body = page.content.decode()
    assert first.number in body and second.number not in body and r3.number not in body
    block = cw.client("block").get("/cases/queue/")
    assert block.context["received"] == 1 and second.number in block.content.decode()
    assert r3.number not in block.content.decode()
    assert cw.client("street").get("/cases/queue/").context["received"] == 2
    assert cw.client("outsider").get("/cases/queue/").context["received"] == 1  # R3's own case
    only = client.get("/cases/queue/", {"state": "received"}).content.decode()
    assert first.number in only
    assert client.get("/cases/queue/count/").content == b"1"
    assert cw.client("grid").get("/cases/queue/count/").status_code == 403


def test_my_cases_lists_cases_of_my_post(cw):
    case = report(cw)
    act(case, cw.users["dispatcher"], "register")
    act(case, cw.users["dispatcher"], "dispatch", post=cw.post)
    assert case.number in cw.client("handler").get("/cases/mine/").content.decode()
    assert case.number not in cw.client("dispatcher").get("/cases/mine/").content.decode()
    to_closed_case = to_closed(cw, report(cw, text="另一件"))
    mine = cw.client("handler")
    assert to_closed_case.number not in mine.get("/cases/mine/").content.decode()
    assert to_closed_case.number in mine.get("/cases/mine/", {"all": "1"}).content.decode()


def test_home_shows_received_and_overdue_counts(cw):
    report(cw)
    body = cw.client("dispatcher").get("/").content.decode()
    assert re.search(r'todo-accept"[^>]*><b class="todo-count">1<', body)
    assert re.search(r'todo-overdue zero"[^>]*><b class="todo-count">0<', body)
    grid = cw.client("grid").get("/").content.decode()
    assert "todo-accept" not in grid and "todo-overdue" in grid


def test_menu_by_power(cw):
    def menu(role):
        body = cw.client(role).get("/").content.decode()
        return re.findall(r'<nav class="nav".*?</nav>', body, re.S)[0] if '<nav class="nav"' in body else ""

    assert all(label in menu("dispatcher") for label in ("待办", "我的工单", "超期", "地图"))
    assert "待办" not in menu("grid") and "巡查上报" in menu("grid") and "工单" in menu("grid")
    assert "工单" not in menu("resident")
    assert "我的工单" in menu("handler")
    cw.users["department"] = make_staff("c-dept", PostRole.DEPARTMENT, cw.tree.street)
    assert "我的工单" in menu("department") and ">工单<" not in menu("department")


# --- list filters ---------------------------------------------------------------------------


def test_case_list_filters_and_pages(cw):
    old_day = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    with clock.freeze(old_day):
        old = report(cw, text="三月的噪音问题")
    corridor = report(cw, text="楼道堆物又来了")
    other_area = report(cw, node=cw.tree.r2, text="西岸的问题", category=None)
    act(corridor, cw.users["dispatcher"], "register")
    client = cw.client("street")

    def numbers(**params):
        response = client.get("/cases/", params)
        assert response.status_code == 200
        return {c.number for c in response.context["rows"]}

    assert numbers() == {old.number, corridor.number, other_area.number}
    assert numbers(state="registered") == {corridor.number}
    assert numbers(category="LD01") == {old.number, corridor.number}
    assert numbers(node=cw.tree.r2.code) == {other_area.number}
    assert numbers(q="噪音") == {old.number}
    assert numbers(**{"from": "2026-03-02", "to": "2026-03-02"}) == {old.number}
    assert old.number not in numbers(**{"from": "2026-03-03"})
    bad = client.get("/cases/", {"from": "03/02/2026"})
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()
    assert client.get("/cases/", {"node": cw.web.h3.code}).status_code == 200
    outsider = cw.client("outsider").get("/cases/", {"node": cw.tree.r1.code})
    assert "没有找到该位置" in outsider.content.decode() and outsider.status_code == 400


def test_case_list_pages_by_fifty(cw):
    for i in range(51):
        report(cw, text=f"第{i}件", contact_phone="")
    client = cw.client("dispatcher")
    first = client.get("/cases/")
    assert len(first.context["rows"]) == 50 and first.context["rows"].paginator.num_pages == 2
    assert len(client.get("/cases/", {"page": 2}).context["rows"]) == 1


def test_case_list_counts_up_to_the_cap(cw, monkeypatch):
    from gongzhi.core import paging

    for i in range(4):
        report(cw, text=f"第{i}件", contact_phone="")
    monkeypatch.setattr(paging.CappedPaginator, "cap", 3)
    page = cw.client("dispatcher").get("/cases/")
    assert page.context["rows"].paginator.count == 3 and "超过 3 件" in page.content.decode()
    monkeypatch.setattr(paging.CappedPaginator, "cap", 4)
    assert "共 4 件" in cw.client("dispatcher").get("/cases/").content.decode()


# --- overdue ------------------------------------------------------------------------------------


def test_overdue_list_shows_late_cases_oldest_first_in_working_hours(cw):
    # Monday 2026-03-02 09:00: dispatch due 10:00; seen on Tuesday 09:00, late 2+4+0.5 = 6.5 wh.
    with clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)):
        late = report(cw, text="周一的问题")
    with clock.freeze(datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI)):
        later = report(cw, text="周一下午的问题")
    with clock.freeze(datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)):
        fresh = report(cw, text="刚报的问题")
        page = cw.client("dispatcher").get("/cases/overdue/")
        outsider = cw.client("outsider").get("/cases/overdue/")
    body = page.content.decode()
    assert [i["case"].number for i in page.context["items"]] == [late.number, later.number]
    assert fresh.number not in body
    assert "超期 6小时30分" in body
    assert late.number not in outsider.content.decode()


# --- detail and actions --------------------------------------------------------------------------


def forms_of(response):
    return [f["action"] for f in response.context["forms"]]


def post_act(client, case, action, **data):
    case.refresh_from_db()
    body = {"action": action, "version": case.version, **data}
    return client.post(f"/cases/{case.pk}/act/", body)


def test_detail_shows_facts_masked_contact_and_exactly_the_allowed_forms(cw):
    case = report(cw)
    dispatcher = cw.client("dispatcher")
    page = dispatcher.get(f"/cases/{case.pk}/")
    body = page.content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert "物业经理" in body and "东安物业" in body  # routed post (主办)
    assert "派遣时限" in body and "剩余" in body
    assert forms_of(page) == ["merge", "register", "void", "comment", "record_attempt"]
    handler = cw.client("handler").get(f"/cases/{case.pk}/")
    assert forms_of(handler) == ["comment", "record_attempt"]
    street = cw.client("street").get(f"/cases/{case.pk}/")
    assert "pull" in forms_of(street)
    assert forms_of(cw.client("grid").get(f"/cases/{case.pk}/")) == []


def test_each_action_form_takes_the_case_to_closed(cw):
    case = report(cw, files=[image("before.png")])
    dispatcher, handler = cw.client("dispatcher"), cw.client("handler")
    response = post_act(dispatcher, case, "register", category="LD01")
    assert response.status_code == 303 and response["Location"] == f"/cases/{case.pk}/?done=register"
    assert "已办理：立案" in dispatcher.get(response["Location"]).content.decode()
    page = dispatcher.get(f"/cases/{case.pk}/")
    assert "dispatch" in forms_of(page)
    assert page.context["posts"][0] == (cw.post, True)  # the routed post is recommended first
    assert post_act(dispatcher, case, "dispatch", post=cw.post.pk).status_code == 303
    assert post_act(handler, case, "accept").status_code == 303
    response = post_act(handler, case, "submit", note="已清理干净", files=[image("after.png")])
    assert response.status_code == 303
    response = post_act(dispatcher, case, "verify", files=[image("check.jpg", "JPEG")])
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.state == State.CLOSED
    page = dispatcher.get(f"/cases/{case.pk}/")
    body = page.content.decode()
    token = page.context["callback_url"].rsplit("/callback/", 1)[1].rstrip("/")
    assert "/callback/" in body and callback.case_for_token(token) == case  # (signed a second apart)
    assert body.count("?thumb=1") == 3  # before, after, verification
    assert "/callback/" not in cw.client("handler").get(f"/cases/{case.pk}/").content.decode()


def test_park_merge_and_note_forms(cw):
    master, dup = report(cw), report(cw, text="同一处堆物")
    dispatcher = cw.client("dispatcher")
    response = post_act(dispatcher, dup, "merge", master="")
    assert response.status_code == 400 and "请选择要并入的主案" in response.content.decode()
    response = post_act(dispatcher, dup, "merge", master="20260101" + "9" * 8)
    assert response.status_code == 400 and "没有找到该主案" in response.content.decode()
    assert post_act(dispatcher, dup, "merge", master=master.number).status_code == 303
    dup.refresh_from_db()
    assert dup.state == State.MERGED and dup.master == master
    act(master, cw.users["dispatcher"], "register")
    act(master, cw.users["dispatcher"], "dispatch", post=cw.post)
    act(master, cw.users["handler"], "accept")
    response = post_act(dispatcher, master, "park", note="等待维修资金", review_date="2020-01-01")
    assert response.status_code == 400 and "复查日期须晚于今天" in response.content.decode()
    future = (clock.now() + timedelta(days=30)).date().isoformat()
    assert post_act(dispatcher, master, "park", note="等待维修资金", review_date=future).status_code == 303
    assert post_act(cw.client("handler"), master, "comment", note="已联系业委会").status_code == 303
    master.refresh_from_db()
    assert master.state == State.PARKED and master.events.filter(action="comment").exists()


def test_stale_version_is_a_conflict_that_keeps_the_typed_note(cw):
    case = report(cw)
    client = cw.client("dispatcher")
    seen = client.get(f"/cases/{case.pk}/").context["case"].version
    act(case, cw.users["street"], "comment", note="街道先看过了")  # someone else acts meanwhile
    response = client.post(
        f"/cases/{case.pk}/act/", {"action": "void", "version": seen, "note": "重复上报，作废处理"}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "工单已被他人更新，请刷新后重试" in body and "重复上报，作废处理" in body
    case.refresh_from_db()
    assert case.state == State.RECEIVED and not case.events.filter(action="void").exists()


def test_forbidden_invalid_and_unparseable_actions(cw):
    case = report(cw)
    response = post_act(cw.client("handler"), case, "register", note="我来立案")
    assert response.status_code == 403 and "无权" in response.content.decode()
    assert "我来立案" in response.content.decode()  # not lost either
    response = post_act(cw.client("dispatcher"), case, "void", note="")
    assert response.status_code == 400 and "请填写说明或理由" in response.content.decode()
    response = post_act(cw.client("dispatcher"), case, "accept")
    assert (
        response.status_code == 409
        and "不能再“接单处置”。现在可以：并入主案、立案、作废" in response.content.decode()
    )
    response = cw.client("dispatcher").post(f"/cases/{case.pk}/act/", {"action": "void", "version": "x"})
    assert response.status_code == 400 and "页面已过期" in response.content.decode()
    act(case, cw.users["dispatcher"], "register")
    response = post_act(cw.client("dispatcher"), case, "dispatch", post="999999")
    assert response.status_code == 400 and "请从列表中选择处置岗位" in response.content.decode()
    response = post_act(cw.client("outsider"), case, "void", note="x")
    assert response.status_code == 404
    assert case.events.count() == 2  # create, register: nothing else was written


def test_bad_upload_on_an_action_writes_nothing(cw):
    case = report(cw)
    act(case, cw.users["dispatcher"], "register")
    act(case, cw.users["dispatcher"], "dispatch", post=cw.post)
    act(case, cw.users["handler"], "accept")
    act(case, cw.users["handler"], "submit", note="好了", files=[image()])
    before = (case.events.count(), Attachment.objects.count())
    response = post_act(cw.client("dispatcher"), case, "verify", files=[not_image()])
    assert response.status_code == 400 and "不是图片" in response.content.decode()
    response = post_act(cw.client("dispatcher"), case, "verify")
    assert response.status_code == 400 and "请上传现场照片" in response.content.decode()
    response = post_act(cw.client("dispatcher"), case, "verify", files=[image(f"{i}.png") for i in range(5)])
    assert response.status_code == 400 and "最多上传4张照片" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.AWAITING_VERIFICATION
    assert (case.events.count(), Attachment.objects.count()) == before


def test_get_on_the_action_url_is_refused(cw):
    case = report(cw)
    assert cw.client("dispatcher").get(f"/cases/{case.pk}/act/").status_code == 405


# --- attachments and map --------------------------------------------------------------------------


def test_attachments_are_served_only_in_scope(cw):
    case = report(cw, files=[image()])
    attachment = Attachment.objects.get(event__case=case)
    full = cw.client("dispatcher").get(f"/cases/attachments/{attachment.pk}/")
    assert full.status_code == 200 and full["Content-Type"] == "image/png"
    thumb = cw.client("grid").get(f"/cases/attachments/{attachment.pk}/?thumb=1")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert cw.client("outsider").get(f"/cases/attachments/{attachment.pk}/").status_code == 404
    assert cw.client("resident").get(f"/cases/attachments/{attachment.pk}/").status_code == 404
    assert cw.client("dispatcher").get("/cases/attachments/999999/").status_code == 404


def test_map_data_is_scoped_and_counts_open_cases(cw, settings):
    square = {
        "type": "Polygon",
        "coordinates": [[[121.0, 31.0], [121.1, 31.0], [121.1, 31.1], [121.0, 31.0]]],
    }
    geo_services.node_update(actor=None, node=cw.tree.r1, geometry=square)
    report(cw)
    report(cw, text="第二件")
    to_closed(cw, report(cw, text="已办结"))
    report(cw, node=cw.web.h3.parent, text="南丹的问题")

    def areas(role):
        data = cw.client(role).get("/cases/map/data.json").json()
        return {f["properties"]["code"]: f["properties"]["open"] for f in data["features"]}

    assert areas("dispatcher") == {"S-R1": 2}
    assert areas("street") == {"S-R1": 2, "S-R2": 0, "S-R3": 1}
    assert areas("outsider") == {"S-R3": 1}
    assert areas("grid") == {"S-R1": 2}  # the area around their grid, their grid's cases
    assert cw.client("resident").get("/cases/map/data.json").status_code == 403
    page = cw.client("dispatcher").get("/cases/map/").content.decode()
    assert 'data-tiles=""' in page and "leaflet.js" in page and "<script>" not in page
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    assert "tiles.example" in cw.client("dispatcher").get("/cases/map/").content.decode()


def test_pages_carry_no_inline_script_or_style(cw):
    case = report(cw, files=[image()])
    for role, url in [("dispatcher", f"/cases/{case.pk}/"), ("dispatcher", "/cases/"), ("grid", "/patrol/")]:
        body = cw.client(role).get(url).content.decode()
        assert "<script>" not in body and " style=" not in body and "<style" not in body
    body = cw.client("anonymous").get("/report/").content.decode()
    assert "<script>" not in body and " style=" not in body


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/cases/99999999999999999999999/", 404),
        ("/cases/attachments/99999999999999999999999/", 404),
        ("/public/cases/photos/99999999999999999999999/", 404),
        ("/cases/?from=9999-12-31&to=9999-12-31", 400),
        ("/cases/?from=0001-01-01", 400),
        ("/cases/?page=abc&state=nonsense", 200),
        ("/cases/?category=%00", 400),
        ("/cases/queue/?state=nonsense&page=-1", 200),
        ("/cases/overdue/?deadline=x&page=99", 200),
        ("/public/cases/?page=abc", 200),
        ("/public/cases/?page=999999999999999999999", 200),
        ("/report/buildings/?estate=" + "x" * 500, 200),
    ],
)
def test_odd_urls_never_fail(cw, url, status):
    assert cw.client("street").get(url).status_code == status


def test_odd_action_values_never_fail(cw):
    case = report(cw)
    client = cw.client("dispatcher")
    for master in ("9" * 40, "abc", "-1", "0"):
        response = post_act(client, case, "merge", master=master)
        assert response.status_code == 400 and "没有找到该主案" in response.content.decode()
    response = post_act(client, case, "register", category="NOPE")
    assert response.status_code == 400 and "请选择一个启用的小类" in response.content.decode()
    response = post_act(client, case, "unknown_action")
    assert response.status_code == 409
    assert case.events.count() == 1


def test_the_page_refuses_a_post_outside_the_cases_candidates_like_the_api(cw):
    """The page sends any post it is given to the service, which holds the rule (ADR 0014)."""
    elsewhere = Post.objects.create(
        code="R3-PROP",
        unit=UnitFactory(node=cw.tree.r3),
        node=cw.tree.r3,
        title="物业经理",
        person=PersonFactory(),
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    case = report(cw)
    act(case, cw.users["dispatcher"], "register")
    case.refresh_from_db()
    offered = [p.pk for p, _recommended in choices.dispatch_candidates(cw.users["dispatcher"], case)]
    assert cw.post.pk in offered and elsewhere.pk not in offered
    response = post_act(cw.client("dispatcher"), case, "dispatch", post=str(elsewhere.pk))
    assert response.status_code == 400 and "不在本工单可派遣的岗位中" in response.content.decode()
    assert case.events.count() == 2 and not case.events.filter(action="dispatch").exists()
