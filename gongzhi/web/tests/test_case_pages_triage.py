"""It suggests, a person decides, through the real pages: the category suggestion kept at intake,
one-tap choices and the 需人工分诊 badge for the dispatcher, duplicate candidates with a one-tap
merge, and merged reporters getting the master's outcome and callback."""

import re

import pytest

from gongzhi.cases import callback, classify
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.core.models import OutboxMessage
from gongzhi.web.tests.case_world import act, image, report

CLUTTER = "2号楼楼道里堆满了纸箱和旧家具，走路都要侧身"
VAGUE = "你们快来看看吧，实在受不了了"


@pytest.fixture(autouse=True)
def rules_only(settings, tmp_path):
    """No saved model: the cold-start rules, whatever lies in the developer's var/."""
    settings.VAR_DIR = tmp_path / "var"
    classify._cache.clear()
    yield
    classify._cache.clear()


def post_report(client, cw, text=CLUTTER, **data):
    body = {"text": text, "estate": cw.tree.e1.code, "building": cw.tree.b1.code, **data}
    response = client.post("/report/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.order_by("-pk").first()


def post_act(client, case, action, **data):
    case.refresh_from_db()
    return client.post(f"/cases/{case.pk}/act/", {"action": action, "version": case.version, **data})


def section(body, css):
    found = re.search(rf'<section class="{css}">(.*?)</section>', body, re.S)
    return found.group(1) if found else ""


# --- intake ---------------------------------------------------------------------------------------


def test_resident_report_without_category_keeps_the_suggestion_not_a_category(client, cw):
    case = post_report(client, cw)
    assert case.category is None and case.state == State.RECEIVED
    data = case.events.get(seq=1).data
    assert data["suggested"][0] == {
        "code": "LD01",
        "name": "楼道堆物",
        "confidence": data["suggested"][0]["confidence"],
    }
    assert data["triage"] is False and 0.5 <= data["suggested"][0]["confidence"] <= 1


def test_patrol_with_a_category_stores_no_suggestion(cw):
    response = cw.client("grid").post(
        "/patrol/", {"text": CLUTTER, "place": cw.tree.b1.code, "category": cw.category.pk}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.category == cw.category
    assert set(case.events.get(seq=1).data) == {"post"}


def test_patrol_without_a_category_stores_one(cw):
    response = cw.client("grid").post("/patrol/", {"text": VAGUE, "place": cw.tree.b1.code})
    assert response.status_code == 302
    data = Case.objects.get().events.get(seq=1).data
    assert data["triage"] is True and data["suggested"] == []


# --- the dispatcher's page -------------------------------------------------------------------------


def test_detail_offers_the_top_suggestions_as_one_tap_register(client, cw):
    case = post_report(client, cw)
    dispatcher = cw.client("dispatcher")
    page = dispatcher.get(f"/cases/{case.pk}/")
    body = page.content.decode()
    stored = case.events.get(seq=1).data["suggested"]
    for s in stored:
        assert f'name="suggested" value="{s["code"]}"' in body
        assert f"{s['name']} {round(s['confidence'] * 100)}%</button>" in body
    assert "分类建议（点选即立案）" in body and "需人工分诊" not in body
    assert "建议：楼道堆物" in body  # beside 未分类 in the facts
    assert "<script>" not in body and " style=" not in body
    # one tap: the suggestion wins over the (empty) select of the same form
    response = post_act(dispatcher, case, "register", suggested="LD01", category="")
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.state == State.REGISTERED and case.category == cw.category
    assert case.events.get(action="register").data == {"category": "LD01"}
    after = dispatcher.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="suggested"' not in after and "建议：" not in after


def test_unsure_suggestion_shows_the_triage_badge_on_the_page_and_in_the_queue(client, cw):
    vague = post_report(client, cw, VAGUE)
    clear = post_report(client, cw, "1号楼门口的路灯坏了，晚上黑灯瞎火")
    given = report(cw)
    dispatcher = cw.client("dispatcher")
    body = dispatcher.get(f"/cases/{vague.pk}/").content.decode()
    assert "需人工分诊" in body and 'name="suggested"' not in body  # nothing to tap
    assert 'name="category"' in body  # a person picks from the full list
    queue = dispatcher.get("/cases/queue/").content.decode()
    rows = {
        c.number: row
        for c in (vague, clear, given)
        for row in re.findall(r"<li class=\"case-row\">.*?</li>", queue, re.S)
        if c.number in row
    }
    assert "需人工分诊" in rows[vague.number]
    assert "需人工分诊" not in rows[clear.number] and "建议：路灯" in rows[clear.number]
    assert "需人工分诊" not in rows[given.number] and "建议：" not in rows[given.number]


def test_an_invalid_suggestion_code_is_refused(client, cw):
    case = post_report(client, cw)
    response = post_act(cw.client("dispatcher"), case, "register", suggested="NOPE")
    assert response.status_code == 400 and "请选择一个启用的小类" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_handlers_see_no_suggestions_to_tap_and_no_duplicates(client, cw):
    report(cw, text=CLUTTER)
    case = post_report(client, cw)
    body = cw.client("grid").get(f"/cases/{case.pk}/").content.decode()
    assert 'name="suggested"' not in body and "疑似重复" not in body


# --- duplicates and the one-tap merge ---------------------------------------------------------------


def test_duplicates_are_listed_and_merged_with_one_tap(client, cw):
    master = report(cw, text="2号楼楼道堆满纸箱和旧家具，过不去", lat=31.19, lon=121.41)
    unrelated = report(cw, text="小区门口有人摆摊卖菜")
    case = report(cw, text=CLUTTER, lat=31.1901, lon=121.4101)
    dispatcher = cw.client("dispatcher")
    body = dispatcher.get(f"/cases/{case.pk}/").content.decode()
    dups = section(body, "card duplicates")
    assert master.number in dups and unrelated.number not in dups and case.number not in dups
    assert (
        "东安一村1号楼" in dups
        and "同一楼栋" in dups
        and re.search(r"相距约1[45]米", dups)
        and "描述相似" in dups
    )
    assert "2号楼楼道堆满纸箱和旧家具" in dups and "待受理" in dups
    assert f'name="master" value="{master.number}"' in dups and "并入此案" in dups
    version = re.search(r'name="version" value="(\d+)"', dups).group(1)
    response = dispatcher.post(
        f"/cases/{case.pk}/act/", {"action": "merge", "version": version, "master": master.number}
    )
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.state == State.MERGED and case.master == master
    merge = case.events.get(action="merge")
    assert merge.actor == cw.users["dispatcher"] and merge.data == {"master": master.pk}
    # audited on the master's page, and reversible
    master_page = dispatcher.get(f"/cases/{master.pk}/").content.decode()
    assert case.number in section(master_page, "card merged")
    merged_page = dispatcher.get(f"/cases/{case.pk}/").content.decode()
    assert "撤销合并" in merged_page and "疑似重复" not in merged_page
    assert post_act(dispatcher, case, "unmerge", note="不是同一处").status_code == 303
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.master is None


def test_outsiders_candidates_are_not_shown(cw):
    report(cw, node=cw.web.h3.parent, text=CLUTTER)  # R3: the dispatcher of R1 may not see it
    case = report(cw, text=CLUTTER)
    page = cw.client("dispatcher").get(f"/cases/{case.pk}/")
    assert page.context["duplicates"] == []


# --- merged reporters get the master's outcome ---------------------------------------------------------


def test_merged_reporter_gets_the_masters_outcome_and_rates_it(client, cw):
    master = report(cw, text="2号楼楼道堆满纸箱和旧家具，过不去")
    mine = post_report(cw.client("resident"), cw)  # a resident with an account
    phone_only = report(cw, text="2号楼楼道纸箱旧家具堆满了", contact_phone="13911112222")
    dispatcher, handler = cw.client("dispatcher"), cw.client("handler")
    for dup in (mine, phone_only):
        assert post_act(dispatcher, dup, "merge", master=master.number).status_code == 303
    assert post_act(dispatcher, master, "register").status_code == 303
    assert post_act(dispatcher, master, "dispatch", post=cw.post.pk).status_code == 303
    assert post_act(handler, master, "accept").status_code == 303
    assert post_act(handler, master, "submit", note="已清理", files=[image()]).status_code == 303
    assert not OutboxMessage.objects.filter(recipient=cw.users["resident"]).exists()
    assert post_act(dispatcher, master, "verify", files=[image("v.png")]).status_code == 303

    message = OutboxMessage.objects.get(recipient=cw.users["resident"], kind="case.closed")
    assert mine.number in message.subject and master.number in message.body
    link = message.payload["link"]
    assert link.startswith("/callback/")
    page = client.get(link)
    assert page.status_code == 200 and "请您评价处理结果" in page.content.decode()
    done = client.post(link, {"satisfaction": "satisfied"})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    mine.refresh_from_db()
    assert mine.satisfaction == "satisfied" and mine.state == State.MERGED

    # the reporter without an account: the dispatcher sends the link shown on the master's page
    master_page = dispatcher.get(f"/cases/{master.pk}/")
    rows = {m["case"].pk: m["callback_url"] for m in master_page.context["merged"]}
    assert rows[mine.pk] == ""  # rated already
    token = rows[phone_only.pk].rsplit("/callback/", 1)[1].rstrip("/")
    assert callback.case_for_token(token) == phone_only
    assert "139****2222" in section(master_page.content.decode(), "card merged")
    assert "13911112222" not in master_page.content.decode()
    timeline = dispatcher.get(f"/cases/{phone_only.pk}/").content.decode()
    assert "主案已结案" in timeline and "/callback/" in timeline
    response = client.post(f"/callback/{token}/", {"satisfaction": "unsatisfied", "note": "纸箱又堆上了"})
    assert response.status_code == 200
    master.refresh_from_db()
    assert master.state == State.IN_PROGRESS and master.rework_count == 1
    assert phone_only.number in master.events.get(action="reopen").note
    assert cw.client("handler").get(f"/cases/{master.pk}/").status_code == 200


def test_merged_page_offers_no_callback_before_the_master_closes(cw):
    master = report(cw)
    dup = report(cw, text="同一处堆物")
    act(dup, cw.users["dispatcher"], "merge", master=master)
    page = cw.client("dispatcher").get(f"/cases/{dup.pk}/")
    assert page.context["callback_url"] == "" and "/callback/" not in page.content.decode()


def test_the_new_parts_are_in_english_too(client, cw):
    from gongzhi.web.tests.test_english import english, leftover_chinese

    texts = ["2号楼楼道堆满纸箱和旧家具，过不去", CLUTTER, VAGUE, "王先生"]  # data, not UI
    master = report(cw, text=texts[0], lat=31.19, lon=121.41)
    case = post_report(client, cw, CLUTTER, lat="31.1901", lon="121.4101")
    vague = post_report(client, cw, VAGUE)
    dispatcher = cw.client("dispatcher")
    english(dispatcher)
    pages = [dispatcher.get(f"/cases/{c.pk}/").content.decode() for c in (case, vague)]
    pages.append(dispatcher.get("/cases/queue/").content.decode())
    assert "Suggested categories (tap one to register)" in pages[0] and "Merge into this case" in pages[0]
    assert "Needs manual triage" in pages[1] and "Needs manual triage" in pages[2]
    act(case, cw.users["dispatcher"], "merge", master=master)
    pages.append(dispatcher.get(f"/cases/{master.pk}/").content.decode())
    assert "Cases merged into this one" in pages[-1]
    for html in pages:
        for text in texts:
            html = html.replace(text, " ")
        assert '<html lang="en">' in html and leftover_chinese(html) == []


def test_merged_cases_are_listed_only_to_those_who_may_see_them(cw):
    master = report(cw)  # on B1, routed to the property post
    elsewhere = report(cw, node=cw.web.h3.parent, text="南丹小区楼道堆物")  # R3
    act(elsewhere, cw.users["street"], "merge", master=master)  # the street sees both
    street = cw.client("street").get(f"/cases/{master.pk}/")
    assert [m["case"].pk for m in street.context["merged"]] == [elsewhere.pk]
    handler = cw.client("handler").get(f"/cases/{master.pk}/")
    assert handler.context["merged"] == [] and elsewhere.number not in handler.content.decode()
