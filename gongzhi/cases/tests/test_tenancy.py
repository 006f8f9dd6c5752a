"""Many streets in one deployment (docs/tenancy.md): the district level, the street of a node,
and the settings each street keeps for itself — its calendar days, its handling limits, its
Open311 jurisdiction_id, its classifier model, who writes its calendar. The isolation of what
users see is held by the case-scope matrix (gongzhi/api/tests/test_case_scope_matrix.py)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from gongzhi.cases import classify, sla
from gongzhi.cases.models import StreetCategoryLimit
from gongzhi.core import workdays
from gongzhi.geo import services as geo_services
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.orgs.imports.calendar import calendar_street
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_district, make_staff, node

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=SH)  # an ordinary working Monday


@pytest.fixture
def two(tree):
    return tree, make_district()


def test_a_street_is_a_root_or_sits_under_a_district(two):
    tree, d = two
    assert streets.street_path(tree.h1.path) == "/S/"
    assert streets.street_path(d.building.path) == "/D/T/"
    assert streets.street_code(d.area.path) == "T" and streets.street_code(tree.r1.path) == "S"
    assert streets.street_path(d.district.path) == ""  # a district belongs to no street
    assert streets.street_of(d.building) == d.street and streets.street_of(tree.street) == tree.street
    assert [s.code for s in streets.streets()] == ["T", "S"]  # by path: /D/T/ before /S/
    with pytest.raises(ValidationError):  # a block never hangs from a district
        node("D-K1", "块区", Level.BLOCK, d.district)
    with pytest.raises(ValidationError):  # a district is a root
        node("D2", "另一区", Level.DISTRICT, tree.street)
    with pytest.raises(ValidationError):  # and a block is not
        node("K9", "块区", Level.BLOCK, None)


def test_each_street_counts_on_its_own_calendar_and_limits(two):
    tree, d = two
    # Monday is T's own rest day (a local arrangement); S works as usual
    workdays.workday_set(actor=None, day=date(2026, 12, 7), is_workday=False, note="街道调休", street="T")
    s_due, t_due = sla.dispatch_due(MONDAY, tree.r1.path), sla.dispatch_due(MONDAY, d.area.path)
    assert s_due.astimezone(SH) == datetime(2026, 12, 7, 10, 0, tzinfo=SH)
    assert t_due.astimezone(SH) == datetime(2026, 12, 8, 9, 30, tzinfo=SH)  # from Tuesday's start
    assert sla.dispatch_due(MONDAY) == s_due  # no place: the deployment's calendar
    # T keeps 3 working hours for corridor clutter; S keeps the category's policy (1 working day)
    clutter = Category.objects.get(code="LD01")
    StreetCategoryLimit.objects.create(street=d.street, category=clutter, limit_amount=3, limit_unit="hours")
    tuesday = datetime(2026, 12, 8, 9, 0, tzinfo=SH)
    assert sla.handle_due(tuesday, clutter, tree.r1.path).astimezone(SH) == datetime(
        2026, 12, 9, 9, 0, tzinfo=SH
    )
    assert sla.handle_due(tuesday, clutter, d.area.path).astimezone(SH) == datetime(
        2026,
        12,
        8,
        12,
        0,
        tzinfo=SH,  # 3 working hours end at the morning period's end
    )


def test_a_street_admin_under_a_district_writes_their_street_calendar_only(two):
    tree, d = two
    t_admin = make_staff("t_admin", PostRole.STREET_ADMIN, d.street)
    d_admin = make_staff("d_admin", PostRole.DISTRICT_ADMIN, d.district)
    s_admin = make_staff("s_admin", PostRole.STREET_ADMIN, tree.street)
    assert calendar_street(t_admin) == "T" and calendar_street(s_admin) == "S"
    assert calendar_street(d_admin) == "" and calendar_street(None) == ""


def test_one_street_alone_writes_for_the_whole_deployment(tree):
    s_admin = make_staff("s_admin", PostRole.STREET_ADMIN, tree.street)
    assert calendar_street(s_admin) == ""  # no district: as before, the one calendar


def test_jurisdiction_ids_belong_to_streets_and_are_unique(two):
    tree, d = two
    geo_services.node_update(actor=None, node=d.street, jurisdiction_id="taoyuan.example")
    for target, value in (
        (tree.street, "taoyuan.example"),
        (d.area, "area.example"),
        (tree.street, "带空格 x"),
    ):
        with pytest.raises(ValidationError) as raised:
            geo_services.node_update(actor=None, node=target, jurisdiction_id=value)
        assert "jurisdiction_id" in raised.value.message_dict
    geo_services.node_update(actor=None, node=tree.street, jurisdiction_id="fenglin.example")
    tree.street.refresh_from_db()
    assert tree.street.jurisdiction_id == "fenglin.example"
    assert tree.street.changes.last().after["jurisdiction_id"] == "fenglin.example"


def test_a_street_model_is_its_own_file_and_falls_back_to_the_deployments(settings, tmp_path):
    settings.VAR_DIR = str(tmp_path)
    classify._cache.clear()
    assert classify.model_path("T").name == "classifier-T.joblib"
    assert classify.load_model("T") is None  # no model anywhere: the keyword rules answer
    assert classify.classify("楼道里堆满了杂物", street="T").source == "rules"
    classify._cache.clear()


def test_a_point_finds_a_place_of_the_street_that_holds_it(db):
    """Two streets side by side under a district: a point inside T, where T has no building
    drawn, is T's, never the nearest building a few metres over the border in S."""
    from gongzhi.geo import locate
    from gongzhi.geo.tests.test_locate import box, make

    d = make("D", "示范区", Level.DISTRICT, None)
    s = make("S", "枫林街道", Level.STREET, d, geometry=box(121.40, 31.10, 121.41, 31.11))
    t = make("T", "桃源街道", Level.STREET, d, geometry=box(121.41, 31.10, 121.42, 31.11))
    area = make("S-R1", "东安居民区", Level.AREA, s, geometry=box(121.40, 31.10, 121.41, 31.11))
    e = make("S-R1-E1", "东安一村", Level.ESTATE, area)
    make("S-R1-B1", "1号楼", Level.BUILDING, e, geometry={"type": "Point", "coordinates": [121.4099, 31.105]})
    locate.clear_cache()
    assert locate.pk_for_point(31.105, 121.4101) == t.pk  # 20 m from S's building, inside T
    assert locate.node_for_point(31.105, 121.4098).code == "S-R1-B1"
    assert locate.pk_for_point(31.105, 121.43) is None  # outside both


def test_a_street_under_a_district_finds_its_own_care_rules(two):
    """The care rule book took the root of a path for the street; under a district the root is
    the district, so it asks geo.streets."""
    from gongzhi.care.choices import RuleKind
    from gongzhi.care.rulebook import Params, RuleBook

    _tree, d = two
    own = Params(enabled=True, hours=6.0)
    book = RuleBook({(d.street.path, RuleKind.NO_DOOR): own}, {})
    assert book.street(d.building.path, RuleKind.NO_DOOR) == own  # T's own rule, not the default
