"""The 三定 roster by 1+8+X seat, and revealing a number with a purpose (one log row each)."""

from datetime import date

import pytest

from gongzhi.core.models import PiiAccessLog
from gongzhi.orgs import services
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory


def post(code, node, title, person, role, meeting_role="", **extra):
    unit = UnitFactory(node=node, kind=extra.pop("unit_kind", UnitKind.RESIDENTS_COMMITTEE))
    return services.post_upsert(
        actor=None,
        code=code,
        unit=unit,
        node=node,
        title=title,
        person=person,
        role=role,
        meeting_role=meeting_role,
        active_from=date(2020, 1, 1),
        **extra,
    )


@pytest.fixture
def roster(world):
    r1 = world.tree.r1
    secretary = PersonFactory(name="书记甲", phone="13600000001", id_number="310104198001011230")
    officer = PersonFactory(name="民警乙", phone="13600000002")
    deputy = PersonFactory(name="替补丙", phone="13600000003")
    lawyer = PersonFactory(name="律师丁", phone="13600000004")
    gridder = PersonFactory(name="网格戊", phone="13600000005")
    post(
        "R1-SEC",
        r1,
        "党总支书记",
        secretary,
        PostRole.PARTY_SECRETARY,
        MeetingRole.PARTY_ORG,
        duty="主持居务会",
    )
    post(
        "R1-POL",
        r1,
        "社区民警",
        officer,
        PostRole.PARTNER,
        MeetingRole.POLICE,
        deputy=deputy,
        duty="治安、群租排查",
        categories=list(Category.objects.filter(code__in=["FW01"])),
    )
    post("R1-LAW", r1, "特约律师", lawyer, PostRole.PARTNER, MeetingRole.LAWYER)
    post("R1-G1", world.tree.g1, "网格员", gridder, PostRole.GRID_WORKER)
    return {"secretary": secretary, "officer": officer, "deputy": deputy, "lawyer": lawyer}


def test_roster_groups_posts_by_seat_and_marks_vacancies(as_role, roster):
    client, _user = as_role("committee")
    response = client.get("/roster/S-R1/")
    assert response.status_code == 200
    seats = response.context["seats"]
    assert [p.person.name for p in seats["one"]["posts"]] == ["书记甲"]
    eight = {str(s["label"]): [p.person.name for p in s["posts"]] for s in seats["eight"]}
    assert list(eight) == [
        "居委会",
        "业委会",
        "物业",
        "社区民警",
        "城管执法",
        "市场监管",
        "房管办",
        "街道联络员",
    ]
    assert eight["社区民警"] == ["民警乙"]
    assert sum(1 for names in eight.values() if not names) == 7
    assert [(str(s["label"]), [p.person.name for p in s["posts"]]) for s in seats["x"]] == [
        ("特约律师", ["律师丁"])
    ]
    assert {p.person.name for p in seats["staff"]} == {"网格戊", "u-committee"}
    body = response.content.decode()
    assert body.count("空缺") == 7
    assert body.index("书记甲") < body.index("民警乙") < body.index("律师丁") < body.index("网格戊")
    assert "治安、群租排查" in body and "群租" in body  # duty and category
    assert "替补丙" in body and "136****0003" in body  # the AB post, masked
    for clear in ("13600000001", "13600000002", "13600000003", "310104198001011230"):
        assert clear not in body


def test_roster_only_for_residential_areas(as_role):
    client, _user = as_role("street")
    assert client.get("/roster/S-K1/").status_code == 404
    assert client.get("/roster/S-R1-E1/").status_code == 404
    assert client.get("/roster/NOPE/").status_code == 404


def test_roster_vacant_seats_listed_when_empty(as_role):
    client, _user = as_role("committee")
    body = client.get("/roster/S-R1/").content.decode()
    assert body.count("空缺") == 9  # the 1 and all 8


# --- reveal -----------------------------------------------------------------------------------


def reveal(client, person, **data):
    return client.post(f"/people/{person.pk}/reveal/", data, HTTP_HX_REQUEST="true")


def test_reveal_returns_number_and_writes_one_log_row(as_role, world):
    client, user = as_role("committee")
    response = reveal(client, world.old_alone, field="phone", purpose="上门走访")
    assert response.status_code == 200
    body = response.content.decode()
    assert "13800138000" in body and "<html" not in body
    assert response["Cache-Control"] == "no-store"
    assert response["HX-Retarget"] == "closest .pii"
    log = PiiAccessLog.objects.get()
    assert (log.actor, log.subject_model, log.subject_id, log.field, log.purpose) == (
        user,
        "orgs.person",
        world.old_alone.pk,
        "phone",
        "上门走访",
    )
    assert "13800138000" not in log.subject_label


def test_typed_purpose_wins_and_id_number_reveals(as_role, world):
    client, _user = as_role("grid")
    response = reveal(client, world.young, field="id_number", purpose="", purpose_other="办理高龄津贴核对")
    assert response.status_code == 200
    assert "310104199001011234" in response.content.decode()
    log = PiiAccessLog.objects.get()
    assert (log.field, log.purpose) == ("id_number", "办理高龄津贴核对")


@pytest.mark.parametrize(
    "data", [{"field": "phone"}, {"field": "phone", "purpose": " "}, {"field": "phone", "purpose": "看"}]
)
def test_missing_purpose_is_400_in_chinese_and_logs_nothing(as_role, world, data):
    client, _user = as_role("committee")
    response = reveal(client, world.old_alone, **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择或填写查看用途" in body and "13800138000" not in body
    assert not PiiAccessLog.objects.exists()


def test_unknown_field_is_400(as_role, world):
    client, _user = as_role("committee")
    response = reveal(client, world.old_alone, field="phone_enc", purpose="上门走访")
    assert response.status_code == 400
    assert not PiiAccessLog.objects.exists()


def test_reveal_of_person_outside_scope_is_404_and_logs_nothing(as_role, world):
    client, _user = as_role("grid")  # G1; the resident lives in G2
    response = reveal(client, world.g2_resident, field="phone", purpose="上门走访")
    assert response.status_code == 404
    assert "13900139000" not in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_refused_reveal_is_403_and_logs_nothing(as_role, roster):
    # A department sees the roster and may call a post-holder, but never read their ID number.
    client, _user = as_role("department")
    refused = reveal(client, roster["secretary"], field="id_number", purpose="核实身份")
    assert refused.status_code == 403
    assert "无权查看" in refused.content.decode()
    assert "310104198001011230" not in refused.content.decode()
    assert not PiiAccessLog.objects.exists()
    allowed = reveal(client, roster["secretary"], field="phone", purpose="电话联系")
    assert allowed.status_code == 200 and "13600000001" in allowed.content.decode()
    assert PiiAccessLog.objects.count() == 1


def test_reveal_without_htmx_renders_a_page_and_get_is_refused(as_role, world):
    client, _user = as_role("committee")
    page = client.post(f"/people/{world.old.pk}/reveal/", {"field": "phone", "purpose": "电话联系"})
    assert page.status_code == 200
    assert "<html" in page.content.decode() and "13800138001" in page.content.decode()
    assert client.get(f"/people/{world.old.pk}/reveal/?field=phone&purpose=x").status_code == 405
    assert PiiAccessLog.objects.count() == 1


def test_reveal_forms_carry_no_clear_number(as_role, world):
    client, _user = as_role("committee")
    body = client.get(f"/people/{world.young.pk}/").content.decode()
    assert f'hx-post="/people/{world.young.pk}/reveal/"' in body
    assert 'name="purpose"' in body and "上门走访" in body
    assert "13800138003" not in body and "310104199001011234" not in body


def test_roster_queries_do_not_grow_with_posts(as_role, world, roster):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _user = as_role("committee")
    client.get("/")

    def count():
        client.get("/roster/S-R1/")  # the reference snapshot read once, as a busy server has it
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/roster/S-R1/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        post(f"R1-VOL{i}", world.tree.r1, "志愿者", PersonFactory(), PostRole.PARTNER, MeetingRole.VOLUNTEER)
    assert count() == before


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    assert "系统出错" in render_to_string("500.html")


def test_resident_reveals_own_number_but_not_a_neighbours(as_role, world):
    client, user = as_role("resident")  # 赵小弟 in H1
    own = reveal(client, world.young, field="id_number", purpose="核对本人信息")
    assert own.status_code == 200 and "310104199001011234" in own.content.decode()
    neighbour = reveal(client, world.old_alone, field="phone", purpose="核对本人信息")
    assert neighbour.status_code == 404
    assert [(log.actor, log.subject_id) for log in PiiAccessLog.objects.all()] == [(user, world.young.pk)]
