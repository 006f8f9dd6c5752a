"""Intake pages: the resident's report (no login) and the grid worker's patrol report; the
callback link and the public board (no login)."""

import time

import pytest
from django.core import signing

from gongzhi.cases import callback
from gongzhi.cases.models import Attachment, Case
from gongzhi.cases.states import Source, State
from gongzhi.geo import services as geo_services
from gongzhi.web.tests.case_world import act, image, not_image, report, to_closed


def post_report(client, cw, **data):
    body = {"text": "2号楼门口垃圾没人清", "estate": cw.tree.e1.code, "building": cw.tree.b1.code}
    body.update(data)
    return client.post("/report/", body)


# --- resident report --------------------------------------------------------------------------


def test_report_page_offers_places_not_people(client, cw):
    response = client.get("/report/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "东安一村" in body and "南丹小区" in body  # the street's estates
    assert "张阿婆" not in body and "1号楼101室" not in body  # no residents, no households
    assert 'hx-get="/report/buildings/"' in body and 'id="pickmap"' in body
    options = client.get("/report/buildings/", {"estate": cw.tree.e1.code}).content.decode()
    assert "东安一村1号楼" in options and "东安一村2号楼" in options and "南丹小区1号楼" not in options
    assert "101" not in options
    assert "南丹" not in client.get("/report/buildings/", {"estate": "NOPE"}).content.decode()


def test_anonymous_report_creates_a_case_and_shows_its_number(client, cw):
    response = post_report(
        client,
        cw,
        contact_name="李女士",
        contact_phone="138 1234 5678",
        files=[image("a.png"), image("b.jpg", "JPEG"), image("c.webp", "WEBP")],
    )
    assert response.status_code == 302 and response["Location"] == "/report/done/"
    case = Case.objects.get()
    assert (case.source, case.node, case.state) == (Source.RESIDENT, cw.tree.b1, State.RECEIVED)
    assert case.contact_phone_masked == "138****5678" and case.reporter is None
    assert Attachment.objects.filter(event__case=case).count() == 3
    done = client.get("/report/done/").content.decode()
    assert case.number in done and "谢谢" in done and "/cases/" not in done  # anonymous: number only


def test_logged_in_resident_is_linked_as_reporter(cw):
    client = cw.client("resident")
    assert post_report(client, cw, building="").status_code == 302
    case = Case.objects.get()
    assert case.reporter == cw.web.young and case.node == cw.tree.e1  # estate only: the estate
    assert case.reporter_user == cw.users["resident"]
    done = client.get("/report/done/").content.decode()
    assert f'href="/cases/{case.pk}/"' in done
    assert "2号楼门口垃圾没人清" in client.get(f"/cases/{case.pk}/").content.decode()  # they follow it


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "请描述问题"),
        ({"text": "x" * 4001}, "问题描述不能超过4000字"),
        ({"contact_phone": "12345"}, "手机号应为11位数字"),
        ({"estate": "", "building": ""}, "请选择小区，或在地图上点选位置"),
        ({"estate": "S-R3-E1"}, "该楼栋不在所选小区"),
        ({"estate": "NOPE"}, "请选择小区"),
        ({"estate": "", "building": "", "lat": "1.0", "lon": "1.0"}, "不在本街道范围内"),
        ({"estate": "", "lat": "abc", "lon": "1"}, "请"),
    ],
)
def test_bad_report_shows_field_error_and_writes_nothing(client, cw, data, message):
    response = post_report(client, cw, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_non_image_upload_writes_nothing(client, cw):
    response = post_report(client, cw, files=[image("ok.png"), not_image()])
    assert response.status_code == 422
    assert "virus.png 不是图片" in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert "2号楼门口垃圾没人清" in response.content.decode()  # what was typed is kept


def test_more_than_four_photos_is_refused(client, cw):
    response = post_report(client, cw, files=[image(f"{i}.png") for i in range(5)])
    assert response.status_code == 400 and "最多上传4张照片" in response.content.decode()
    assert not Case.objects.exists()


def test_map_point_inside_an_estate_finds_it(client, cw):
    square = {
        "type": "Polygon",
        "coordinates": [[[121.0, 31.0], [121.1, 31.0], [121.1, 31.1], [121.0, 31.1], [121.0, 31.0]]],
    }
    geo_services.node_update(actor=None, node=cw.tree.street, geometry=square)
    geo_services.node_update(actor=None, node=cw.tree.e1, geometry=square)
    response = post_report(client, cw, estate="", building="", lat="31.05", lon="121.05")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.lat == 31.05 and case.node.path.startswith(cw.tree.e1.path)
    places = client.get("/report/places.geojson").json()
    assert {f["properties"]["name"] for f in places["features"]} == {"东安一村"}
    assert set(places["features"][0]["properties"]) == {"name", "level"}


# --- patrol -------------------------------------------------------------------------------------


def test_patrol_defaults_to_the_workers_grid_and_creates_a_patrol_case(cw):
    client = cw.client("grid")
    page = client.get("/patrol/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{cw.tree.g1.code}" selected>' in body
    assert cw.tree.b1.code in body and cw.tree.g2.code not in body  # only their grid
    response = client.post(
        "/patrol/",
        {"text": "1号楼楼道堆物", "place": cw.tree.b1.code, "category": cw.category.pk, "files": [image()]},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/?done=create"
    assert (case.source, case.node, case.category, case.post) == (
        Source.PATROL,
        cw.tree.b1,
        cw.category,
        cw.post,
    )
    assert case.reporter_user == cw.users["grid"]


def test_patrol_outside_own_grid_or_bad_photo_writes_nothing(cw):
    client = cw.client("grid")
    response = client.post("/patrol/", {"text": "堆物", "place": cw.tree.g2.code})
    assert response.status_code == 400 and "请选择您负责范围内的位置" in response.content.decode()
    response = client.post("/patrol/", {"text": "堆物", "place": cw.tree.g1.code, "files": [not_image()]})
    assert response.status_code == 422 and "不是图片" in response.content.decode()
    response = client.post("/patrol/", {"text": "堆物", "place": cw.tree.g1.code, "category": "999999"})
    assert response.status_code == 400 and "请选择一个启用的小类" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("resident", 403), ("handler", 200), ("street", 200), ("anonymous", 302)]
)
def test_patrol_access(cw, role, status):
    assert cw.client(role).get("/patrol/").status_code == status


# --- callback -----------------------------------------------------------------------------------


def test_callback_shows_summary_without_personal_data_and_records_satisfaction(client, cw):
    case = to_closed(cw, report(cw, text="楼道堆物，联系13812345678 王先生"))
    token = callback.callback_token(case)
    page = client.get(f"/callback/{token}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "楼道堆物" in body and "东安居民区" in body
    assert "13812345678" not in body and "138****5678" not in body and "王先生" not in body
    assert "东安一村1号楼" not in body  # area level only
    response = client.post(f"/callback/{token}/", {"satisfaction": "satisfied"})
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == "satisfied" and case.state == State.CLOSED
    again = client.post(f"/callback/{token}/", {"satisfaction": "unsatisfied"})
    assert again.status_code == 409 and "已评价过" in again.content.decode()
    assert "已评价过" in client.get(f"/callback/{token}/").content.decode()


def test_unsatisfied_callback_reopens_as_rework(client, cw):
    case = to_closed(cw, report(cw))
    client.post(
        f"/callback/{callback.callback_token(case)}/", {"satisfaction": "unsatisfied", "note": "没扫干净"}
    )
    case.refresh_from_db()
    assert (case.state, case.rework_count, case.satisfaction) == (State.IN_PROGRESS, 1, "unsatisfied")


class _OldSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 30 * 86400)


def test_expired_and_forged_callback_links_get_a_clear_page(client, cw):
    case = to_closed(cw, report(cw))
    expired = _OldSigner(salt=callback.SALT).sign(str(case.pk))
    response = client.get(f"/callback/{expired}/")
    assert response.status_code == 400 and "回访链接已过期" in response.content.decode()
    response = client.post(f"/callback/{expired}/", {"satisfaction": "satisfied"})
    assert response.status_code == 400
    forged = callback.callback_token(case)[:-2] + "xx"
    response = client.get(f"/callback/{forged}/")
    assert response.status_code == 400 and "回访链接无效" in response.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == ""


def test_callback_with_no_choice_is_refused(client, cw):
    case = to_closed(cw, report(cw))
    response = client.post(f"/callback/{callback.callback_token(case)}/", {"satisfaction": "great"})
    assert response.status_code == 400 and "请选择满意、基本满意或不满意" in response.content.decode()


# --- public board -----------------------------------------------------------------------------


def test_public_list_shows_closed_cases_without_personal_data(client, cw):
    closed = to_closed(
        cw,
        report(
            cw,
            text="王先生反映楼道堆物，电话13812345678，身份证310104199001011234，小李说堆了一周",
            files=[image("before.png")],
        ),
    )
    open_case = report(cw, text="还没处理的问题")
    response = client.get("/public/cases/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "楼道堆物" in body and "东安居民区" in body
    for secret in (
        "13812345678",
        "310104199001011234",
        "王先生",
        "小李",
        "138****5678",
        "东安一村1号楼",
        "1号楼101",
    ):
        assert secret not in body
    assert "还没处理的问题" not in body
    photos = Attachment.objects.filter(event__case=closed)
    before = photos.get(event__action="create")
    assert f"/public/cases/photos/{before.pk}/" in body
    thumb = client.get(f"/public/cases/photos/{before.pk}/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    act(open_case, cw.users["dispatcher"], "comment", note="照片", files=[image()])
    hidden = Attachment.objects.filter(event__case=open_case).get()
    assert client.get(f"/public/cases/photos/{hidden.pk}/").status_code == 404


def test_public_list_is_cached_a_few_minutes(client, cw, django_assert_max_num_queries):
    to_closed(cw, report(cw))
    client.get("/public/cases/")
    with django_assert_max_num_queries(0):
        assert client.get("/public/cases/").status_code == 200
