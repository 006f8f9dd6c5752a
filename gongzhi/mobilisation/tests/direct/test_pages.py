"""直报 pages through Django's test client: the form (places offered, bad input 422 with the
message and nothing written), the officer's acknowledge and actions, the 续报 form, the
photos scoped like the report, who may open what, and the home page's 直报待确认 / 续报待写
tiles with the lists they open."""

from datetime import timedelta

import pytest
from django.test import Client

from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.mobilisation import direct
from gongzhi.mobilisation.models import DirectReport, DirectState
from gongzhi.mobilisation.tests.direct.conftest import T0, png
from gongzhi.orgs.models import Category
from gongzhi.reports import todos


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_form_reports_and_lands_on_the_report(world):
    grid = client_for(world.users["grid"])
    page = grid.get("/direct/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="S-R1-B1"' in html and 'value="S-R3"' in html  # own places, then the street's
    assert 'value="T-R1"' not in html
    with clock.freeze(T0):
        response = grid.post(
            "/direct/new/", {"kind": "fire", "place": "S-R1-B1", "text": "三楼冒烟", "files": [png()]}
        )
    report = DirectReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/direct/{report.pk}/"
    assert report.photos.count() == 1
    detail = grid.get(f"/direct/{report.pk}/").content.decode()
    assert "三楼冒烟" in detail and "书面续报" in detail and "确认收到" not in detail
    photo = report.photos.get()
    assert grid.get(f"/direct/photos/{photo.pk}/?thumb=1").status_code == 200
    assert client_for(world.users["dept"]).get(f"/direct/photos/{photo.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "fire", "place": "T-R1", "text": "x"}, "事发地点不在您所在的街道"),
        ({"kind": "", "place": "S-R1-B1", "text": "x"}, "请选择事件类型"),
        ({"kind": "fire", "place": "S-R1-B1", "text": ""}, "请简要说明现场情况"),
        (
            {"kind": "fire", "place": "S-R1-B1", "text": "x", "lat": "31.0", "lon": "121.0"},
            "不在本街道范围内",
        ),
    ],
)
def test_bad_input_is_422_with_its_message_and_nothing_written(world, data, message):
    response = client_for(world.users["grid"]).post("/direct/new/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not DirectReport.objects.exists()


@pytest.mark.django_db
def test_who_may_open_the_form_and_the_report(world):
    report = world.report()
    assert client_for(world.users["dept"]).get("/direct/new/").status_code == 403
    assert client_for(world.users["property"]).get("/direct/new/").status_code == 403
    for who in ("dept", "property", "grid_t"):
        assert client_for(world.users[who]).get(f"/direct/{report.pk}/").status_code == 404
        assert report.node.name not in client_for(world.users[who]).get("/direct/").content.decode()
    assert client_for(world.users["block"]).get(f"/direct/{report.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_officer_acknowledges_converts_and_the_reporter_follows_up(world):
    report = world.report()
    officer = client_for(world.users["officer"])
    with clock.freeze(T0 + timedelta(minutes=2)):  # the roster's day
        home = officer.get("/direct/").content.decode()
    assert "待我确认" in home and f"/direct/{report.pk}/" in home
    page = officer.get(f"/direct/{report.pk}/").content.decode()
    assert 'id="direct-ack"' in page
    assert client_for(world.users["grid"]).post(f"/direct/{report.pk}/ack/").status_code == 403
    with clock.freeze(T0 + timedelta(minutes=4)):
        assert officer.post(f"/direct/{report.pk}/ack/").status_code == 302
    report.refresh_from_db()
    assert report.state == DirectState.ACKNOWLEDGED
    grid = client_for(world.users["grid"])
    assert grid.post(f"/direct/{report.pk}/follow-up/", {"text": ""}).status_code == 422
    assert grid.post(f"/direct/{report.pk}/follow-up/", {"text": "明火已灭"}).status_code == 302
    missing = officer.post(f"/direct/{report.pk}/act/", {"action": "convert_case", "category": ""})
    assert missing.status_code == 422 and "请选择一个启用的小类" in missing.content.decode()
    category = Category.objects.get(code="LD01")
    done = officer.post(f"/direct/{report.pk}/act/", {"action": "convert_case", "category": category.pk})
    case = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    again = officer.post(f"/direct/{report.pk}/act/", {"action": "close", "result": "好了"})
    assert again.status_code == 409


@pytest.mark.django_db
def test_misuse_on_the_page(world):
    report = world.report(kind="other", text="楼道灯坏了")
    officer = client_for(world.users["officer"])
    assert (
        officer.post(f"/direct/{report.pk}/act/", {"action": "mark_misuse", "reason": ""}).status_code == 422
    )
    assert (
        officer.post(f"/direct/{report.pk}/act/", {"action": "mark_misuse", "reason": "一般报修"}).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.misuse
    assert "误用直报" in client_for(world.users["grid"]).get(f"/direct/{report.pk}/").content.decode()


def home_tiles(user) -> dict[str, tuple[int, str]]:
    """The home page's 我的待办 tiles as {key: (count, link)}."""
    return {t.key: (t.count, t.url) for t in todos.todos(user)}


def rows_on(user, url: str) -> int:
    page = client_for(user).get(url)
    assert page.status_code == 200
    return page.content.decode().count('class="direct-row')


@pytest.mark.django_db
def test_the_home_page_tiles_count_the_lists_they_open(world):
    officer, grid, leader = world.users["officer"], world.users["grid"], world.users["leader2"]
    fast, slow = world.report(), world.report(kind="collapse", node=world.tree.r3)
    other = world.report("committee", kind="injury", node=world.tree.r1)
    with clock.freeze(T0 + timedelta(minutes=5)):
        direct.report_acknowledge(actor=officer, report=fast)
        direct.report_acknowledge(actor=officer, report=other)
        direct.report_mark_misuse(actor=officer, report=other, reason="一般问题")
    with clock.freeze(T0 + timedelta(minutes=30)):
        direct.follow_up_add(actor=grid, report=fast, text="已扑灭")
    with clock.freeze(T0 + timedelta(minutes=70)):
        for user, expect in (
            (officer, {"direct_ack": 1}),  # slow: the misused one was acknowledged, then marked
            (leader, {"direct_ack": 1}),  # every active leader answers too
            (grid, {"direct_follow_up": 1}),  # slow's 续报 is late; fast's came in time
            (world.users["committee"], {"direct_follow_up": 0}),  # a misused report owes none
        ):
            tiles = home_tiles(user)
            for key, count in expect.items():
                assert tiles[key][0] == count == rows_on(user, tiles[key][1]), (user, key)
        assert "direct_ack" not in home_tiles(grid)  # not on the roster
        assert "direct_follow_up" not in home_tiles(officer)  # a street cadre does not report
        assert not {"direct_ack", "direct_follow_up"} & set(home_tiles(world.users["property"]))
        assert "直报待确认" in client_for(officer).get("/").content.decode()
        listed = client_for(grid).get("/direct/?todo=follow_up").content.decode()
    assert f"/direct/{slow.pk}/" in listed and f"/direct/{fast.pk}/" not in listed and "续报待写" in listed
    with clock.freeze(T0 + timedelta(minutes=71)):
        direct.report_acknowledge(actor=leader, report=slow)
        direct.follow_up_add(actor=grid, report=slow, text="围挡已设")
        assert home_tiles(officer)["direct_ack"][0] == 0 and home_tiles(grid)["direct_follow_up"][0] == 0


@pytest.mark.django_db
def test_a_report_turned_into_a_mobilisation_links_to_the_incident(world):
    report = world.report(kind="epidemic", text="确诊病例到过菜场")
    officer = client_for(world.users["officer"])
    assert officer.post(f"/direct/{report.pk}/ack/").status_code == 302
    done = officer.post(f"/direct/{report.pk}/act/", {"action": "convert_mobilisation"})
    report.refresh_from_db()
    assert report.incident_id is not None
    assert done.status_code == 302 and done["Location"] == f"/mobilisation/{report.incident_id}/"
    # the report's page opens the incident it became (it showed a bare #id)
    page = officer.get(f"/direct/{report.pk}/").content.decode()
    assert f'<a href="/mobilisation/{report.incident_id}/">#{report.incident_id}</a>' in page
