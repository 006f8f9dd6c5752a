"""Open311 GeoReport v2 over real HTTP (live server + httpx), in JSON and XML."""

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from io import StringIO
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.open311 import keys
from gongzhi.cases.services import Act, Intake, case_act, case_create
from gongzhi.cases.states import Source, State
from gongzhi.core import clock
from gongzhi.geo import locate
from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13800138000"
NAME = "王小明"
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
MEDIA_SUPPORTED = "data" in {f.name for f in dataclasses.fields(Intake)}


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def make(code: str, name: str, level: int, parent: Node | None, **extra: Any) -> Node:
    return geo_services.node_create(actor=None, code=code, name=name, level=level, parent=parent, **extra)


@dataclass
class World:
    street: Node
    e1: Node
    b1: Node
    b2: Node
    e2: Node
    key: str
    category: Category  # LD01 楼道堆物, routed to 东安物业 at E1
    superuser: Any


@pytest.fixture
def world() -> Iterator[World]:
    locate.clear_cache()
    s = make("S", "枫林街道", Level.STREET, None, geometry=box(121.40, 31.10, 121.42, 31.12))
    k1 = make("K1", "第一块区", Level.BLOCK, s, geometry=box(121.40, 31.10, 121.41, 31.12))
    r1 = make("R1", "东安居民区", Level.AREA, k1, geometry=box(121.40, 31.11, 121.41, 31.12))
    e1 = make(
        "E1",
        "东安一村",
        Level.ESTATE,
        r1,
        geometry=box(121.400, 31.115, 121.405, 31.120),
        address="枫林路 100弄",
    )
    g1 = make("G1", "东安一村第1网格", Level.GRID, e1, geometry=box(121.400, 31.115, 121.405, 31.120))
    b1 = make(
        "B1",
        "东安一村1号楼",
        Level.BUILDING,
        g1,
        geometry=point(121.4025, 31.1175),
        address="枫林路 100弄 1号",
    )
    b2 = make(
        "B2",
        "东安一村2号楼",
        Level.BUILDING,
        g1,
        geometry=point(121.4045, 31.1190),
        address="枫林路 100弄 2号",
    )
    e2 = make(
        "E2",
        "东安二村",
        Level.ESTATE,
        r1,
        geometry=box(121.406, 31.111, 121.409, 31.114),
        address="枫林路 200弄",
    )
    category = Category.objects.get(code="LD01")
    unit = UnitFactory(node=e1, kind=UnitKind.PROPERTY, name="东安物业")
    post = Post.objects.create(
        code="POST-E1-PROP",
        unit=unit,
        node=e1,
        title="物业经理",
        person=PersonFactory(name="物业小王"),
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([category])
    _, key = keys.key_create(name="测试客户端")
    yield World(s, e1, b1, b2, e2, key, category, UserFactory(username="root", is_superuser=True))
    locate.clear_cache()


@pytest.fixture
def api(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server.url}/open311/v2/", timeout=30) as client:
        yield client


def report(world: World, **extra: Any) -> dict[str, Any]:
    form = {
        "api_key": world.key,
        "service_code": "LD01",
        "lat": "31.1176",
        "long": "121.4026",
        "description": "3楼楼道堆满纸板，影响通行",
    }
    form.update(extra)
    return form


def xml(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml")
    return ET.fromstring(response.content)


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    if response.headers["content-type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        return [
            {"code": int(e.findtext("code") or 0), "description": e.findtext("description")} for e in root
        ]
    body = response.json()
    assert isinstance(body, list)
    return body


# --- services ----------------------------------------------------------------------------------


def test_services_list_json_and_xml(world: World, api: httpx.Client) -> None:
    body = api.get("services.json").json()
    codes = [s["service_code"] for s in body]
    assert "LD01" in codes and len(codes) == Category.objects.filter(policy__isnull=False).count()
    ld01 = next(s for s in body if s["service_code"] == "LD01")
    assert list(ld01) == SERVICE_FIELDS
    assert ld01["service_name"] == "楼道堆物" and ld01["group"] == "楼道与消防"
    assert ld01["metadata"] is True and ld01["type"] == "realtime" and "1个工作日" in ld01["description"]

    root = xml(api.get("services.xml"))
    assert root.tag == "services" and {e.tag for e in root} == {"service"}
    first = root[0]
    assert [e.tag for e in first] == SERVICE_FIELDS
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"
    assert [s.findtext("service_code") for s in root] == codes


def test_service_definition_json_and_xml(world: World, api: httpx.Client) -> None:
    body = api.get("services/LD01.json").json()
    assert body["service_code"] == "LD01"
    codes = {a["code"]: a for a in body["attributes"]}
    pref = codes["contact_preference"]
    assert pref["datatype"] == "singlevaluelist" and pref["required"] is False and pref["variable"] is True
    assert {v["key"] for v in pref["values"]} == {"phone", "none"}
    assert set(pref) == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }

    root = xml(api.get("services/LD01.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "LD01"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == ["building", "contact_preference"]
    assert [v.findtext("key") for v in attrs[1].findall("values/value")] == ["phone", "none"]
    assert attrs[1].findtext("required") == "false"

    missing = api.get("services/NOPE.xml")
    assert missing.status_code == 404 and errors_of(missing)[0]["code"] == 404


# --- POST requests -----------------------------------------------------------------------------


def test_post_with_lat_long_inside_an_estate_finds_the_building(world: World, api: httpx.Client) -> None:
    media = "https://img.example.org/p/1.jpg"
    response = api.post(
        "requests.json", data=report(world, phone=PHONE, first_name="小明", last_name="王", media_url=media)
    )
    assert response.status_code == 200, response.text
    [item] = response.json()
    case = Case.objects.get()
    assert item["service_request_id"] == case.number and "1个工作日" in item["service_notice"]
    assert case.node == world.b1 and case.source == Source.OPEN311 and case.category == world.category
    assert case.post is not None and case.post.unit.name == "东安物业"
    assert case.lat == pytest.approx(31.1176) and case.contact_phone_masked == "138****8000"
    assert PHONE not in case.contact_phone_enc  # sealed by the service

    detail = api.get(f"requests/{case.number}.json").json()[0]
    assert set(detail) == REQUEST_FIELDS
    assert detail["status"] == "open" and detail["agency_responsible"] == "东安物业"
    # the building's point, never the reporter's (31.1176, 121.4026)
    assert detail["address"] == "枫林路 100弄 1号" and (detail["lat"], detail["long"]) == (31.1175, 121.4025)
    assert detail["expected_datetime"] is None and detail["requested_datetime"].endswith("+08:00")
    if MEDIA_SUPPORTED:
        assert detail["media_url"] == media
        assert CaseEvent.objects.get(case=case, seq=1).data["open311"]["media_url"] == media


def test_post_with_a_point_far_from_buildings_takes_the_estate(world: World, api: httpx.Client) -> None:
    response = api.post("requests.json", data=report(world, lat="31.1125", long="121.4075"))
    assert response.status_code == 200, response.text
    assert Case.objects.get().node == world.e2


def test_post_with_address_string(world: World, api: httpx.Client) -> None:
    form = report(world, address_string="上海市枫林路１００弄２号３０２室")
    del form["lat"], form["long"]
    response = api.post("requests.xml", data=form)
    assert response.status_code == 200, response.text
    number = xml(response).findtext("request/service_request_id")
    case = Case.objects.get()
    assert (
        number == case.number and case.node == world.b2 and case.address == "上海市枫林路１００弄２号３０２室"
    )
    # The public address is the building's, not the room the reporter typed.
    assert api.get(f"requests/{number}.json").json()[0]["address"] == "枫林路 100弄 2号"


def test_post_with_address_id_and_building_attribute(world: World, api: httpx.Client) -> None:
    form = report(
        world, address_id="E1", **{"attribute[building]": "2号楼", "attribute[contact_preference]": "none"}
    )
    del form["lat"], form["long"]
    response = api.post("requests.json", data=form)
    assert response.status_code == 200, response.text
    assert Case.objects.get().node == world.b2


BAD_POSTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("unknown service", {"service_code": "XX99"}, 400, "service_code"),
    ("no service", {"service_code": ""}, 400, "service_code"),
    ("no location", {"lat": "", "long": ""}, 400, "lat"),
    ("outside the street", {"lat": "31.2", "long": "121.5"}, 400, "不在枫林街道辖区内"),
    ("bad coordinates", {"lat": "north", "long": "121.4"}, 400, "lat"),
    ("unknown address", {"lat": "", "long": "", "address_string": "火星路1号"}, 400, "火星路1号"),
    ("description too long", {"description": "堆" * 4001}, 400, "description"),
    ("bad phone", {"phone": "12345"}, 400, "phone"),
    ("bad media_url", {"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ("bad attribute value", {"attribute[contact_preference]": "fax"}, 400, "contact_preference"),
    ("bad api_key", {"api_key": "o311_not-a-key"}, 403, "api_key"),
    ("no api_key", {"api_key": ""}, 403, "api_key"),
]


@pytest.mark.parametrize(("label", "change", "status", "mentions"), BAD_POSTS, ids=[b[0] for b in BAD_POSTS])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_get_errors_and_write_nothing(
    world: World, api: httpx.Client, fmt: str, label: str, change: dict[str, Any], status: int, mentions: str
) -> None:
    response = api.post(f"requests.{fmt}", data=report(world, **change))
    assert response.status_code == status, response.text
    errors = errors_of(response)
    assert errors and all(e["code"] == status for e in errors)
    assert any(mentions in e["description"] for e in errors), errors
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_revoked_key_is_refused(world: World, api: httpx.Client) -> None:
    row, key = keys.key_create(name="旧客户端")
    assert api.post("requests.json", data=report(world, api_key=key)).status_code == 200
    keys.key_revoke(key=row)
    response = api.post("requests.json", data=report(world, api_key=key))
    assert response.status_code == 403 and errors_of(response)[0]["code"] == 403
    assert Case.objects.count() == 1


def test_errors_in_english_on_request(world: World, api: httpx.Client) -> None:
    response = api.post(
        "requests.json", data=report(world, service_code="XX99"), headers={"Accept-Language": "en"}
    )
    assert response.json() == [{"code": 400, "description": "Unknown service_code: XX99"}]
    response = api.post("requests.json", data=report(world, service_code="XX99"))
    assert response.json()[0]["description"] == "未知的 service_code：XX99"


def test_bad_format_path_and_method(world: World, api: httpx.Client) -> None:
    assert api.get("services.csv").status_code == 404
    assert errors_of(api.get("services.csv"))[0]["code"] == 404
    nowhere = api.get("nowhere.xml")
    assert nowhere.status_code == 404 and xml(nowhere).tag == "errors"
    put = api.put("requests.json", data={})
    assert put.status_code == 405 and errors_of(put)[0]["code"] == 405
    assert api.post("services.json").status_code == 405


def test_odd_input_is_a_400_or_404_never_a_500(world: World, api: httpx.Client) -> None:
    assert api.get("requests/2026112399999999999999999999.json").status_code == 404
    huge = api.get("requests.json", params={"service_request_id": "9" * 40})
    assert huge.status_code == 200 and huge.json() == []
    assert api.get("requests.json", params={"service_code": "LD\x0001"}).status_code == 400
    nul = api.post("requests.xml", data=report(world, description="堆物\x00"))
    assert nul.status_code == 400 and xml(nul).tag == "errors"
    broken = api.post(
        "requests.json", content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert broken.status_code in (400, 403) and errors_of(broken)
    assert api.get("SERVICES.JSON").status_code == 404 and api.get("services.JSON").status_code == 200
    assert not Case.objects.exists()


def test_api_key_in_the_query_string_is_accepted(world: World, api: httpx.Client) -> None:
    form = report(world)
    key = form.pop("api_key")
    assert api.post("requests.json", params={"api_key": key}, data=form).status_code == 200


# --- GET requests ------------------------------------------------------------------------------


def _case(world: World, *, code: str = "LD01", node: Node | None = None, text: str = "楼道堆物") -> Case:
    intake = Intake(
        node=node or world.b1,
        text=text,
        source=Source.RESIDENT,
        category=Category.objects.get(code=code),
        contact_name=NAME,
        contact_phone=PHONE,
    )
    return case_create(actor=None, intake=intake)


def register(world: World, case: Case) -> Case:
    case.refresh_from_db()
    return case_act(actor=world.superuser, case=case, act=Act(action="register", version=case.version))


def dispatch(world: World, case: Case) -> Case:
    case = register(world, case)
    post = Post.objects.get(code="POST-E1-PROP")
    return case_act(
        actor=world.superuser, case=case, act=Act(action="dispatch", version=case.version, post=post)
    )


@pytest.fixture
def cases(world: World) -> dict[str, Case]:
    now = clock.now()
    with clock.freeze(now - timedelta(days=120)):
        old = _case(world, text="很久以前的堆物")
    with clock.freeze(now - timedelta(days=10)):
        noise = _case(world, code="AQ01", node=world.e2, text=f"楼上噪音，联系我 {PHONE}")
    corridor = _case(world)
    void = _case(world, text="重复上报")
    case_act(actor=world.superuser, case=void, act=Act(action="void", version=void.version, note="重复"))
    return {"old": old, "noise": noise, "corridor": corridor, "void": Case.objects.get(pk=void.pk)}


def numbers(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "service_requests" and all(r.tag == "request" for r in root)
        return [r.findtext("service_request_id") or "" for r in root]
    return [item["service_request_id"] for item in response.json()]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_filters(world: World, api: httpx.Client, cases: dict[str, Case], fmt: str) -> None:
    n = {k: c.number for k, c in cases.items()}
    url = f"requests.{fmt}"
    # Default: the last 90 days, newest first.
    assert numbers(api.get(url)) == [n["void"], n["corridor"], n["noise"]]
    # A list of ids overrides every other filter, old ones included; unknown ids are skipped.
    ids = f"{n['old']},{n['noise']},20200101{cases['corridor'].pk:08d},abc"
    assert set(numbers(api.get(url, params={"service_request_id": ids, "status": "open"}))) == {
        n["old"],
        n["noise"],
    }
    assert numbers(api.get(url, params={"service_code": "AQ01"})) == [n["noise"]]
    assert numbers(api.get(url, params={"service_code": "AQ01,LD01", "status": "closed"})) == [n["void"]]
    assert numbers(api.get(url, params={"status": "open"})) == [n["corridor"], n["noise"]]
    start = (clock.now() - timedelta(days=130)).isoformat()
    end = (clock.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(api.get(url, params={"start_date": start, "end_date": end})) == [n["old"]]
    assert numbers(
        api.get(url, params={"start_date": (clock.now() - timedelta(days=1)).date().isoformat()})
    ) == [
        n["void"],
        n["corridor"],
    ]


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
        ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, "start_date"),
        ({"status": "pending"}, "status"),
    ],
)
def test_get_requests_bad_filters(
    world: World, api: httpx.Client, query: dict[str, str], mentions: str
) -> None:
    for fmt in ("json", "xml"):
        response = api.get(f"requests.{fmt}", params=query)
        assert response.status_code == 400
        assert any(mentions in e["description"] for e in errors_of(response))


def test_closed_and_merged_show_as_closed(world: World, api: httpx.Client, cases: dict[str, Case]) -> None:
    void = api.get(f"requests/{cases['void'].number}.json").json()[0]
    assert void["status"] == "closed" and void["status_notes"] == "作废"
    en = api.get(f"requests/{cases['void'].number}.json", headers={"Accept-Language": "en"}).json()[0]
    assert en["status_notes"] == "Void"


def test_request_detail_and_token(world: World, api: httpx.Client, cases: dict[str, Case]) -> None:
    case = cases["corridor"]
    root = xml(api.get(f"requests/{case.number}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert {e.tag for e in request} == REQUEST_FIELDS
    assert request.findtext("service_request_id") == case.number and request.findtext("status") == "open"
    assert request.findtext("service_code") == "LD01" and request.findtext("agency_responsible") == "东安物业"

    wrong_date = f"20200101{case.pk:08d}"
    for path in (f"requests/{wrong_date}.json", "requests/99999999999.json", "requests/abc.xml"):
        assert api.get(path).status_code == 404

    token = xml(api.get(f"tokens/{case.number}.xml"))
    assert token.findtext("request/service_request_id") == case.number
    assert token.findtext("request/token") == case.number
    assert api.get(f"tokens/{case.number}.json").json() == [
        {"service_request_id": case.number, "token": case.number}
    ]
    assert api.get("tokens/nope.json").status_code == 404


def test_no_personal_data_in_any_get(world: World, api: httpx.Client, cases: dict[str, Case]) -> None:
    api.post(
        "requests.json",
        data=report(world, phone=PHONE, first_name="小明", last_name="王", email="w@example.org"),
    )
    ids = ",".join(c.number for c in Case.objects.all())
    bodies = [
        api.get(f"requests.{fmt}", params=params).text
        for fmt in ("json", "xml")
        for params in ({}, {"service_request_id": ids})
    ]
    bodies += [
        api.get(f"requests/{c.number}.{fmt}").text for c in Case.objects.all() for fmt in ("json", "xml")
    ]
    for body in bodies:
        for secret in (PHONE, NAME, "小明", "w@example.org", "物业小王"):
            assert secret not in body
    noise = api.get(f"requests/{cases['noise'].number}.json").json()[0]
    assert noise["description"] == "受理后公开问题内容"  # nobody has accepted it yet
    register(world, cases["noise"])
    noise = api.get(f"requests/{cases['noise'].number}.json").json()[0]
    assert noise["description"] == "楼上噪音，联系我 ***"


def test_care_needs_are_published_without_text_or_building(world: World, api: httpx.Client) -> None:
    case = _case(world, code="MS03", text="3号楼独居老人李阿婆腿脚不便，需要上门探视")
    [item] = api.get(f"requests/{case.number}.json").json()
    assert item["description"] == "涉及个人情况，内容不公开" and "李阿婆" not in str(item)
    assert item["address_id"] == "R1" and item["address"] == "东安居民区"
    listed = api.get("requests.xml", params={"service_code": "MS03"})
    assert "李阿婆" not in listed.text and "B1" not in listed.text


# --- what a read publishes (issue 12) -----------------------------------------------------------

LEAKY = "3号楼502室的王阿姨，电话138 1234 5678，微信 wang_88，楼道堆满纸板"
LEAKS = ("王阿姨", "138 1234 5678", "5678", "wang_88", "502")


def request_item(api: httpx.Client, case: Case, fmt: str, lang: str = "zh") -> dict[str, Any]:
    headers = {"Accept-Language": lang}
    response = api.get(f"requests/{case.number}.{fmt}", headers=headers)
    assert response.status_code == 200, response.text
    if fmt == "json":
        [item] = response.json()
        return dict(item)
    [element] = xml(response)
    return {child.tag: child.text for child in element}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_text_is_withheld_until_accepted_then_scrubbed(world: World, api: httpx.Client, fmt: str) -> None:
    case = _case(world, text=LEAKY)
    assert request_item(api, case, fmt)["description"] == "受理后公开问题内容"
    assert request_item(api, case, fmt, "en")["description"] == "Published once the report has been accepted"
    listed = api.get(f"requests.{fmt}").text
    assert all(secret not in listed for secret in LEAKS) and "楼道堆满纸板" not in listed

    register(world, case)
    item = request_item(api, case, fmt)
    assert item["description"] == "3号楼***室的***，电话***，微信 ***，楼道堆满纸板"
    listed = api.get(f"requests.{fmt}").text
    assert "楼道堆满纸板" in listed and all(secret not in listed for secret in LEAKS)


def test_a_voided_report_keeps_its_text_withheld(
    world: World, api: httpx.Client, cases: dict[str, Case]
) -> None:
    assert cases["void"].state == State.VOID
    assert request_item(api, cases["void"], "json")["description"] == "受理后公开问题内容"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_point_is_the_buildings_never_the_reporters(world: World, api: httpx.Client, fmt: str) -> None:
    response = api.post("requests.json", data=report(world, lat="31.117613", long="121.402617"))
    assert response.status_code == 200, response.text
    case = Case.objects.get()
    assert case.lat == pytest.approx(31.117613)  # the case keeps it for staff
    item = request_item(api, case, fmt)
    assert (float(item["lat"]), float(item["long"])) == (31.1175, 121.4025)  # B1's point
    for body in (api.get(f"requests.{fmt}").text, api.get(f"requests/{case.number}.{fmt}").text):
        assert "31.117613" not in body and "121.402617" not in body


def test_a_sensitive_matter_is_placed_at_its_areas_centre(world: World, api: httpx.Client) -> None:
    response = api.post(
        "requests.json", data=report(world, service_code="MS03", lat="31.117613", long="121.402617")
    )
    assert response.status_code == 200, response.text
    item = request_item(api, Case.objects.get(), "json")
    assert item["address_id"] == "R1"
    assert (item["lat"], item["long"]) == (pytest.approx(31.115), pytest.approx(121.405))  # R1's box centre


def test_zipcode_is_in_every_request_object(world: World, api: httpx.Client, cases: dict[str, Case]) -> None:
    listed = api.get("requests.json").json()
    assert listed and all("zipcode" in item and item["zipcode"] is None for item in listed)
    assert list(listed[0]).index("zipcode") == list(listed[0]).index("address_id") + 1  # the spec's order
    root = xml(api.get("requests.xml"))
    assert len(root) == len(listed)
    for element in root:
        zipcode = element.find("zipcode")
        assert zipcode is not None and zipcode.text is None
    assert request_item(api, cases["corridor"], "xml")["zipcode"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_expected_datetime_is_the_handling_deadline(world: World, api: httpx.Client, fmt: str) -> None:
    case = _case(world)
    assert case.dispatch_due is not None and case.handle_due is None
    assert request_item(api, case, fmt)["expected_datetime"] is None  # not the acceptance deadline
    case = dispatch(world, case)
    assert case.handle_due is not None
    expected = timezone.localtime(case.handle_due).replace(microsecond=0).isoformat()
    assert request_item(api, case, fmt)["expected_datetime"] == expected


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_point_outside_the_street_says_where_the_street_is(
    world: World, api: httpx.Client, fmt: str
) -> None:
    response = api.post(f"requests.{fmt}", data=report(world, lat="31.2", long="121.5"))
    assert response.status_code == 400
    [error] = errors_of(response)
    assert error["code"] == 400
    assert error["description"] == (
        "该位置不在枫林街道辖区内。枫林街道的中心约在纬度31.11000、经度121.41000，"
        "辖区范围：纬度31.10000至31.12000，经度121.40000至121.42000（WGS84）"
    )
    english = api.post(
        f"requests.{fmt}", data=report(world, lat="31.2", long="121.5"), headers={"Accept-Language": "en"}
    )
    assert errors_of(english)[0]["description"] == (
        "The location is outside 枫林街道. Its centre is at about lat 31.11000, long 121.41000; "
        "it spans lat 31.10000 to 31.12000 and long 121.40000 to 121.42000 (WGS84)"
    )
    assert not Case.objects.exists()


NINE_MB = 9 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_nine_megabyte_body_is_a_413_and_writes_nothing(world: World, api: httpx.Client, fmt: str) -> None:
    body = f"api_key={world.key}&service_code=LD01&lat=31.1176&long=121.4026&description=".encode()
    response = api.post(
        f"requests.{fmt}",
        content=body + b"a" * NINE_MB,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert errors_of(response) == [
        {"code": 413, "description": "请求内容过大：Open311 提交的内容不能超过64 KB"}
    ]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_the_cap_is_a_setting_and_a_body_under_it_is_read(
    world: World, api: httpx.Client, settings: Any
) -> None:
    settings.OPEN311_MAX_BODY_BYTES = 2048
    under = report(world, description="楼道堆物" * 40)  # about 1.5 KB encoded
    assert api.post("requests.json", data=under).status_code == 200
    over = report(world, description="楼道堆物" * 80)  # about 2.9 KB
    refused = api.post("requests.json", data=over, headers={"Accept-Language": "en"})
    assert refused.status_code == 413
    assert errors_of(refused)[0]["description"] == (
        "The request body is too large: an Open311 submission may be at most 2 KB"
    )
    assert Case.objects.count() == 1


def test_djangos_own_body_cap_is_a_413_in_errors_too(world: World, api: httpx.Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # below Open311's cap: Django's check fires first
    response = api.post("requests.xml", data=report(world, description="楼道堆物" * 80))
    assert response.status_code == 413 and errors_of(response)[0]["code"] == 413
    assert not Case.objects.exists()


# --- a third-party client, unchanged ------------------------------------------------------------


def test_fixmystreet_open311_client_round_trip(world: World, api: httpx.Client) -> None:
    """What FixMyStreet's perllib/Open311.pm does: XML throughout, jurisdiction_id on every
    call, api_key in the POST body, its own attribute[...] fields, an empty last_name, a
    multi-line description; it reads request/service_request_id, or errors/error on failure."""
    jurisdiction = {"jurisdiction_id": "fengling.example.gov.cn"}
    services = xml(api.get("services.xml", params=jurisdiction))
    codes = [s.findtext("service_code") for s in services.findall("service")]
    assert "LD01" in codes
    meta = xml(api.get("services/LD01.xml", params=jurisdiction))
    assert meta.find("attributes/attribute/code") is not None

    description = (
        "title:  楼道里堆满纸箱\n\ndetail: 3楼到5楼楼道全是纸箱，消防隐患\n\n"
        "url: https://fms.example.org/report/42\n\nSubmitted via FixMyStreet\n"
    )
    form = {
        **jurisdiction,
        "api_key": world.key,
        "email": "resident@example.org",
        "description": description,
        "service_code": "LD01",
        "first_name": "Xiaoming",
        "last_name": "",
        "lat": "31.117612",
        "long": "121.402613",
        "phone": "+86 138 0013 8000",
        "media_url": "https://fms.example.org/photo/42.full.jpeg",
        "attribute[easting]": "",
        "attribute[northing]": "",
        "attribute[fixmystreet_id]": "42",
        "attribute[title]": "楼道里堆满纸箱",
        "attribute[report_url]": "https://fms.example.org/report/42",
    }
    response = api.post("requests.xml", data=form)  # application/x-www-form-urlencoded, as LWP sends
    assert response.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert response.status_code == 200, response.text
    request_id = xml(response).findtext("request/service_request_id")
    case = Case.objects.get()
    assert request_id == case.number and case.node == world.b1 and case.text == description.strip()

    fetched = xml(api.get("requests.xml", params={**jurisdiction, "service_request_id": request_id}))
    assert fetched.findtext("request/service_request_id") == request_id
    assert fetched.findtext("request/status") == "open"
    assert xml(api.get(f"tokens/{request_id}.xml", params=jurisdiction)).findtext(
        "request/service_request_id"
    ) == (request_id)

    refused = api.post("requests.xml", data={**form, "service_code": "XX99"})
    assert refused.status_code == 400
    root = xml(refused)
    assert (
        root.tag == "errors" and root.findtext("error/code") == "400" and root.findtext("error/description")
    )
    assert Case.objects.count() == 1


# --- keys ----------------------------------------------------------------------------------------


def test_open311_key_command(world: World) -> None:
    out, err = StringIO(), StringIO()
    call_command("open311_key", "create", "12345热线对接", stdout=out, stderr=err)
    key = out.getvalue().strip()
    row = keys.key_check(key)
    assert row is not None and row.name == "12345热线对接" and key not in row.key_hash
    call_command("open311_key", "list", stdout=out)
    assert "12345热线对接" in out.getvalue() and key not in out.getvalue().replace(key, "", 1)
    call_command("open311_key", "revoke", str(row.pk), stdout=StringIO())
    assert keys.key_check(key) is None


def test_state_mapping_covers_every_state() -> None:
    from gongzhi.cases.open311.messages import STATE_EN

    assert set(STATE_EN) == set(State)
