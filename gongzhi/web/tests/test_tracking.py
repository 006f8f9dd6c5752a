"""The tracking page (进度查询) and the rating page without login: the number and code a
reporter gets, what they see of their case, and the budget that keeps codes from being guessed."""

import re

import pytest

from gongzhi.cases import callback, tracking
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.web.tests.case_world import act, image, report, to_closed

SECRET_NOTE = "已清理楼道纸板，联系王阿姨13812345678核实"


def post_report(client, cw, **data):
    body = {"text": "2号楼门口垃圾没人清，我是3号楼502室的", "estate": cw.tree.e1.code}
    body.update({"building": cw.tree.b1.code, "contact_name": "李女士", "contact_phone": "13812345678"})
    body.update(data)
    return client.post("/report/", body)


def reported(client, cw) -> tuple[Case, str]:
    """Report anonymously; the case and the code the thank-you page showed."""
    assert post_report(client, cw).status_code == 302
    done = client.get("/report/done/")
    found = re.search(r'id="tracking-code">([A-Z0-9-]+)<', done.content.decode())
    assert found is not None
    return Case.objects.get(), found.group(1)


def track(client, number: str, code: str, **extra):
    return client.post("/track/", {"number": number, "code": code}, **extra)


@pytest.fixture
def budgets(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "track-ip": (3, 600), "track-number": (5, 3600)}


def test_the_thank_you_page_shows_the_number_and_a_code_once(client, cw):
    case, shown = reported(client, cw)
    code = tracking.normalise_code(shown)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", shown) and tracking.valid_code(code)
    assert not set(code) & set("01OIL")  # no look-alikes
    assert case.tracking_hash == tracking.code_hash(code) and code not in case.tracking_hash
    again = client.get("/report/done/").content.decode()
    assert case.number in again and shown not in again and "tracking-code" not in again


def test_a_right_code_shows_the_state_and_no_personal_data(client, cw):
    case, code = reported(client, cw)
    response = track(client, case.number, code.lower().replace("-", " "))  # typed loosely
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert case.number in body and "已收到，待受理" in body and "待分类" in body
    assert "受理后显示问题内容" in body and "垃圾没人清" not in body  # nobody accepted it yet
    for secret in ("李女士", "13812345678", "138****5678", "502"):
        assert secret not in body


def test_a_wrong_code_or_number_shows_nothing(client, cw):
    case, code = reported(client, cw)
    other = report(cw)  # a case from another channel: no code at all
    wrong = "2" * 8 if tracking.normalise_code(code) != "2" * 8 else "3" * 8
    for number, typed in [(case.number, wrong), (other.number, code), ("2026", code), ("", "")]:
        response = track(client, number, typed)
        body = response.content.decode()
        assert response.status_code == 400 and case.number not in body.split("</form>")[-1]
        assert "办理经过" not in body


def test_wrong_codes_spend_the_address_budget(client, cw, budgets):
    case, code = reported(client, cw)
    for _ in range(3):
        assert track(client, case.number, "2345-6789").status_code == 400
    refused = track(client, case.number, code)  # even the right one, until the window passes
    assert refused.status_code == 429 and "分钟后再试" in refused.content.decode()
    assert "办理经过" not in refused.content.decode()
    assert track(client, case.number, code, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_wrong_codes_from_many_addresses_lock_the_case_number(client, cw, budgets):
    case, code = reported(client, cw)
    for i in range(5):
        assert track(client, case.number, "2345-6789", REMOTE_ADDR=f"10.0.1.{i}").status_code == 400
    assert track(client, case.number, code, REMOTE_ADDR="10.0.2.1").status_code == 429


def test_what_was_done_after_photos_and_the_rating_link(client, cw):
    case, code = reported(client, cw)
    act(case, cw.users["dispatcher"], "register", category=cw.category)
    act(case, cw.users["dispatcher"], "dispatch", post=cw.post)
    act(case, cw.users["handler"], "accept")
    act(case, cw.users["handler"], "comment", note="内部备注：住户难沟通")
    act(case, cw.users["handler"], "submit", note=SECRET_NOTE, files=[image("after.png", colour="green")])
    body = track(client, case.number, code).content.decode()
    assert "已处理，待核查" in body and "已清理楼道纸板" in body and "东安物业" in body  # the unit
    assert "王阿姨" not in body and "13812345678" not in body  # scrubbed
    assert "内部备注" not in body and "物业小王" not in body and "物业经理" not in body
    assert "/callback/" not in body  # not closed yet
    act(case, cw.users["dispatcher"], "verify", files=[image("check.png", colour="blue")])
    body = track(client, case.number, code).content.decode()
    photos = re.findall(r'src="(/track/photos/[^"]+)"', body)
    assert "已办结" in body and len(photos) == 2  # the submission's and the verification's, not the report's
    photo = client.get(photos[0])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert client.get(photos[0][:-3] + "xyz/").status_code == 404
    rate = re.search(r'href="(/callback/[^"]+)"', body)
    assert rate is not None
    rating = client.get(rate.group(1)).content.decode()  # the rating page shows what was done first
    assert "处理结果" in rating and "已清理楼道纸板" in rating and "13812345678" not in rating
    assert rating.index("处理结果") < rating.index('name="satisfaction"')
    assert len(re.findall(r'src="/track/photos/', rating)) == 2
    assert client.post(rate.group(1), {"satisfaction": "satisfied"}).status_code == 200
    body = track(client, case.number, code).content.decode()
    assert "您已评价" in body and "满意" in body and "/callback/" not in body


def test_the_sms_link_needs_no_code_and_cannot_be_forged(client, cw):
    case = to_closed(cw, report(cw))
    token = tracking.link_token(case)
    response = client.get(f"/track/t/{token}/")
    assert response.status_code == 200 and case.number in response.content.decode()
    assert client.get(f"/track/t/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/track/t/{callback.callback_token(case)}/").status_code == 404  # another salt


def test_a_merged_report_follows_its_master(client, cw):
    case, code = reported(client, cw)
    master = report(cw, text="1号楼楼道堆物")
    act(master, cw.users["dispatcher"], "register")
    act(case, cw.users["dispatcher"], "merge", master=master)
    body = track(client, case.number, code).content.decode()
    assert "与相同问题合并办理" in body
    act(master, cw.users["dispatcher"], "dispatch", post=cw.post)
    act(master, cw.users["handler"], "accept")
    act(master, cw.users["handler"], "submit", note="已清理", files=[image("after.png")])
    act(master, cw.users["dispatcher"], "verify", files=[image("check.png")])
    case.refresh_from_db()
    assert case.state == State.MERGED
    body = track(client, case.number, code).content.decode()
    assert "已办结" in body and "东安物业" in body and "/callback/" in body


def test_hostile_numbers_and_codes_are_a_400(client, cw):
    for number, code in [("2026120" + "9" * 40, "2345-6789"), ("x" * 30, "A" * 20), ("2026", "\u200b" * 8)]:
        assert track(client, number, code).status_code == 400
    assert client.get("/track/t/%00/").status_code in {400, 404}
    assert client.get("/track/photos/1/").status_code == 404
