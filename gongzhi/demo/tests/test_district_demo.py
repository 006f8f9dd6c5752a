"""`gongzhi demo --streets 2` at a small scale: two streets side by side under the demo
district, each its own tree, roster, history, deadlines, calendar and logins, nothing shared."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.test import override_settings

from gongzhi.cases import sla
from gongzhi.cases.models import Case, CaseEvent, StreetCategoryLimit
from gongzhi.core.models import WorkDay
from gongzhi.demo.district import DISTRICT_CODE, STREETS
from gongzhi.demo.generator import DemoExistsError, generate
from gongzhi.demo.reset import reset_demo
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings.models import Meeting
from gongzhi.orgs.access import cases_q
from gongzhi.orgs.models import PartyOrg, Person, Post, Unit
from gongzhi.testing.reference import ensure_reference_data

SEED = 5
SCALE = 0.01  # the smallest at which every street still has its 31 areas and a year of cases
NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
FL, TY = STREETS[0], STREETS[1]
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def district(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        ensure_reference_data()
        summary = generate(seed=SEED, scale=SCALE, streets=2, now=NOW, workers=0)
        yield summary
        reset_demo()


@pytest.fixture(autouse=True)
def debug_on(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True


def test_two_streets_side_by_side_under_the_district(district) -> None:  # type: ignore[no-untyped-def]
    root = Node.objects.get(code=DISTRICT_CODE)
    assert root.level == Level.DISTRICT and root.parent is None and root.path == f"/{DISTRICT_CODE}/"
    found = list(Node.objects.filter(level=Level.STREET).order_by("path"))
    assert [(s.code, s.parent_id, s.path) for s in found] == [
        (FL.code, root.pk, FL.path),
        (TY.code, root.pk, TY.path),
    ]
    assert {s.jurisdiction_id for s in found} == {FL.jurisdiction_id, TY.jurisdiction_id}
    west_east = [s.geometry["coordinates"][0] for s in found]  # type: ignore[index]
    assert west_east[0][1][0] <= west_east[1][0][0]  # street 1's east edge, street 2's west
    assert district.streets == 2 and set(district.street_seconds) == {FL.code, TY.code}
    for street in (FL, TY):
        assert Node.objects.filter(path__startswith=street.path, level=Level.AREA).count() == 31


def test_no_code_is_shared_between_the_streets() -> None:
    for street, other in ((FL, TY), (TY, FL)):
        nodes = Node.objects.filter(path__startswith=street.path)
        assert not nodes.exclude(Q(code=street.code) | Q(code__startswith=f"{street.code}-")).exists()
        posts = Post.objects.filter(node__path__startswith=street.path)
        assert posts.count() > 300
        assert not posts.exclude(code__startswith=f"{street.code}-").exists()
        assert (
            not Unit.objects.filter(node__path__startswith=street.path)
            .exclude(code__startswith=f"{street.code}-")
            .exists()
        )
        assert (
            not PartyOrg.objects.filter(node__path__startswith=street.path)
            .exclude(code__startswith=f"{street.code}-")
            .exists()
        )
        office = Unit.objects.get(code=street.code_of("U-JDB"))
        assert office.name == f"{street.name}办事处"
        assert not Unit.objects.filter(
            node__path__startswith=street.path, name__contains=other.short
        ).exists()
    people = {s.code: Person.objects.filter(code__startswith=f"{s.code}-") for s in (FL, TY)}
    assert people[FL.code].count() > 1000 and people[TY.code].count() > 1000
    for field in ("phone_hash", "id_hash"):  # one number book for the district: no number twice
        a = set(people[FL.code].values_list(field, flat=True))
        b = set(people[TY.code].values_list(field, flat=True))
        assert a and b and not a & b, field


def test_each_streets_cases_and_meetings_stay_on_its_own_tree() -> None:
    for street in (FL, TY):
        cases = Case.objects.filter(node_path__startswith=street.path)
        assert cases.count() >= round(100_000 * SCALE)
        assert not cases.exclude(node__path__startswith=street.path).exists()
        assert not cases.filter(post__isnull=False).exclude(post__node__path__startswith=street.path).exists()
        assert (
            not cases.filter(assisting_posts__isnull=False)
            .exclude(assisting_posts__node__path__startswith=street.path)
            .exists()
        )
        dispatched = CaseEvent.objects.filter(case__in=cases, action="dispatch").values_list(
            "data__post", flat=True
        )
        assert set(dispatched) and all(code.startswith(f"{street.code}-") for code in dispatched)
        meetings = Meeting.objects.filter(node_path__startswith=street.path)
        assert meetings.count() > 100
        assert not meetings.exclude(node__path__startswith=street.path).exists()
    planned = Case.objects.filter(node_path__startswith=TY.path).count()
    assert planned == round(100_000 * SCALE)  # no orders or 直报 in street 2: the year's intake only
    assert Case.objects.count() == sum(
        Case.objects.filter(node_path__startswith=s.path).count() for s in (FL, TY)
    )


def test_street_two_keeps_its_own_deadlines_and_calendar() -> None:
    street = Node.objects.get(code=TY.code)
    limits = StreetCategoryLimit.objects.filter(street=street)
    assert limits.count() >= 2 and not StreetCategoryLimit.objects.exclude(street=street).exists()
    days = WorkDay.objects.filter(street=TY.code)
    assert days.filter(is_workday=True).exists() and days.filter(is_workday=False).exists()
    assert not WorkDay.objects.filter(street=FL.code).exists()  # street 1 as it always was
    assert sla.calendar(TY.path) != sla.calendar(FL.path)
    own = set(limits.values_list("category__code", flat=True))
    checked = own_checked = 0
    cases = Case.objects.filter(node_path__startswith=TY.path).select_related("category")
    for case in cases.order_by("pk"):
        assert case.dispatch_due == sla.dispatch_due(case.created_at, case.node_path)
        dispatch = case.events.filter(action="dispatch").order_by("-seq").first()
        extended = case.events.filter(action="decide_extension", data__approved=True).exists()
        if dispatch is None or extended or sla.wall_clock(case.category):
            continue
        assert case.handle_due == sla.handle_due(dispatch.at, case.category, case.node_path), case.pk
        checked += 1
        own_checked += case.category.code in own
    assert checked > 50 and own_checked > 0


def test_demo_logins_lists_the_district_and_every_street() -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in ("district_admin", "district_cadre", "committee", "grid", "street_admin"):
        assert username in text
    line = next(line for line in text.splitlines() if TY.name in line)
    for role in ("street_admin", "street_cadre", "committee", "grid", "secretary", "chengguan"):
        assert f"s2_{role}" in line
    assert TY.jurisdiction_id in line


def test_logins_see_their_own_street_and_the_district_sees_both() -> None:
    users = get_user_model().objects
    for username, street, other in (
        ("committee", FL, TY),
        ("s2_committee", TY, FL),
        ("s2_street_cadre", TY, FL),
    ):
        user = users.get(username=username)
        seen = Case.objects.filter(cases_q(user))
        assert seen.filter(node_path__startswith=street.path).exists(), username
        assert not seen.filter(node_path__startswith=other.path).exists(), username
    for username in ("district_admin", "district_cadre"):
        seen = Case.objects.filter(cases_q(users.get(username=username)))
        assert all(seen.filter(node_path__startswith=s.path).exists() for s in (FL, TY)), username
    holder = Post.objects.get(code=TY.code_of("R01-ZR")).person
    assert holder is not None and holder.user == users.get(username="s2_committee")
    assert streets.street_code(Post.objects.get(code=TY.code_of("R01-ZR")).node.path) == TY.code


def test_the_command_checks_streets_and_if_empty_skips() -> None:
    with pytest.raises(CommandError, match="--streets"):
        call_command("demo", "--streets", "0", "--classifier-texts", "0", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--streets", "2", "--if-empty", "--classifier-texts", "0", stdout=out)
    assert "跳过" in out.getvalue()


def test_a_district_grows_by_the_streets_it_lacks() -> None:
    """A run stopped part way (each street commits on its own) is finished by the same command:
    the streets there are kept, the missing ones added, with numbers no one has yet."""
    before = {s.code: Person.objects.filter(code__startswith=f"{s.code}-").count() for s in (FL, TY)}
    with pytest.raises(DemoExistsError):  # both streets there: nothing to add
        generate(seed=SEED, scale=SCALE, streets=2, now=NOW, workers=0)
    grown = generate(seed=SEED, scale=SCALE, streets=3, now=NOW, workers=0)
    third = STREETS[2]
    assert set(grown.street_seconds) == {third.code}
    assert [s.code for s in Node.objects.filter(level=Level.STREET).order_by("path")] == [
        FL.code,
        third.code,
        TY.code,
    ]
    assert {s.code: Person.objects.filter(code__startswith=f"{s.code}-").count() for s in (FL, TY)} == before
    assert Case.objects.filter(node_path__startswith=third.path).count() == round(100_000 * SCALE)
    for field in ("phone_hash", "id_hash"):
        new = set(Person.objects.filter(code__startswith=f"{third.code}-").values_list(field, flat=True))
        old = set(Person.objects.exclude(code__startswith=f"{third.code}-").values_list(field, flat=True))
        assert new and not new & old, field
    assert get_user_model().objects.filter(username="s3_committee").exists()


def test_reset_removes_the_whole_district() -> None:
    reset_demo()
    assert not Node.objects.filter(path__startswith=f"/{DISTRICT_CODE}/").exists()
    assert not Person.objects.filter(code__startswith=f"{TY.code}-").exists()
    assert not get_user_model().objects.filter(username__startswith="s2_").exists()
    assert not get_user_model().objects.filter(username__startswith="district_").exists()
    assert not WorkDay.objects.filter(street=TY.code).exists()
    assert not Case.objects.exists() and not StreetCategoryLimit.objects.exists()
