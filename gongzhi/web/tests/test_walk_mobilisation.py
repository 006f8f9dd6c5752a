"""Walk M (issue 16) in Debian's chromium at 375 px on a small world, the shared clock frozen
at 10:00 today (moved on only where the walk says time passes): the grid worker sends a 直报
of an epidemic contact with a photo, the duty officer acknowledges it from 待我确认, the grid
worker writes the 续报, the officer turns it into a mobilisation; the block cadre declares the
hospital-nearby incident over two residential areas (东安一村东门 all day, 西岸北门 06–22), plans
a day of 8-hour shifts and publishes the rota; the volunteer checks in on the phone; the
absentee of the other running shift is marked 缺岗 and the gap re-solved; the live board shows
an entrance manned; two hours later the volunteer checks out; the cadre closes the incident
and the after-action report names 东安医院 and the volunteer with 2.0 hours. The database is
checked after the pages at each point that matters.

The world is built so that the solver's choices are forced where the walk needs them
(ROTA_PEOPLE): the volunteer is always on 东门's running shift."""

from contextlib import ExitStack
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.community import volunteers
from gongzhi.community.choices import VolunteerKind
from gongzhi.core import clock
from gongzhi.mobilisation import direct_roster
from gongzhi.mobilisation.choices import AssignmentState, IncidentState
from gongzhi.mobilisation.models import Assignment, DirectReport, DirectState, Entrance, Incident
from gongzhi.orgs.models import Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PASSWORD, PersonFactory, UnitFactory, UserFactory, make_staff, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, PHONE, chromium, phone_page
from gongzhi.web.walks import mobilisation

pytestmark = MARKS

SH = ZoneInfo("Asia/Shanghai")
VOLUNTEER = "陈志远"
# (name, free from, to) today; two per post and shift (DutyPost's default need): only 黄丽 and the
# volunteer can hold all of 东门 10:00–16:00, three can hold 北门 10:00–14:00 (two on it and the
# one who fills the no-show's gap), four the afternoon shifts
MORNING = ("刘建华", "周丽", "何军")
ROTA_PEOPLE = [
    ("黄丽", 8, 16),
    *((name, 9, 14) for name in MORNING),
    ("孙伟", 14, 24),
    ("吴敏", 14, 24),
    ("郑强", 14, 24),
    ("冯洁", 14, 24),
]


@pytest.fixture
def page(live_server, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with chromium() as browser, phone_page(browser, PHONE) as page:
        yield page


def _person(username, name, home):
    user = UserFactory(username=username)
    person = PersonFactory.create(name=name, home=home)
    Person.objects.filter(pk=person.pk).update(user=user)
    person.refresh_from_db()
    return user, person


def build_world(at):
    """The standard tree; grid worker at G1, street cadre (today's duty officer), block cadre
    of K1; 东门 of 东安一村 (all day) and 北门 of 西岸居民区 (06–22); 东安医院 with the
    volunteer on its staff; five resident volunteers of 东安居民区."""
    tree = make_tree()
    make_staff("grid", PostRole.GRID_WORKER, tree.g1, unit_kind=UnitKind.RESIDENTS_COMMITTEE)
    officer = make_staff("street_cadre", PostRole.STREET_CADRE, tree.street)
    make_staff("block_cadre", PostRole.BLOCK_CADRE, tree.k1)
    direct_roster.duty_set(
        actor=None,
        street=tree.street,
        day=direct_roster.duty_day_of(at),
        officer=Person.objects.get(user=officer),
    )
    Entrance.objects.create(node=tree.e1, name="东门", opens=time(0), closes=time(0), lat=31.19, lon=121.44)
    Entrance.objects.create(
        node=tree.r2, name="北门", opens=time(6), closes=time(22), lat=31.193, lon=121.437
    )
    hospital = UnitFactory.create(node=tree.r1, kind=UnitKind.CO_BUILDING, name="东安医院")
    day = timezone.localtime(at).weekday()
    with clock.freeze(at):
        user, person = _person("volunteer", VOLUNTEER, tree.h1)
        Post.objects.create(
            code="POST-volunteer",
            unit=hospital,
            node=tree.r1,
            title="护士",
            person=person,
            role=PostRole.PARTNER,
            active_from=date(2020, 1, 1),
        )
        volunteers.volunteer_register(
            actor=user,
            person=person,
            kind=VolunteerKind.UNIT_STAFF,
            unit=hospital,
            area=tree.r1,
            availability=[volunteers.Slot(day, 8, 16)],
        )
        for i, (name, start, end) in enumerate(ROTA_PEOPLE, start=2):
            vol_user, vol_person = _person(f"v{i}", name, tree.h1)
            volunteers.volunteer_register(
                actor=vol_user,
                person=vol_person,
                kind=VolunteerKind.RESIDENT,
                area=tree.r1,
                availability=[volunteers.Slot(day, start, end)],
            )
    return tree


def test_walk_direct_report_to_mobilisation_and_a_rota_on_phones(page, live_server, tmp_path):
    today = timezone.localdate(clock.now())
    at = datetime.combine(today, time(10, 0), tzinfo=SH)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    photo = tmp_path / "现场.png"
    Image.new("RGB", (64, 48), "red").save(photo, "PNG")
    with ExitStack() as frozen:
        frozen.enter_context(clock.freeze(at))
        tree = build_world(at)
        now = [at]

        def later(by: timedelta) -> None:
            now[0] += by
            frozen.enter_context(clock.freeze(now[0]))

        cast = mobilisation.Cast(
            grid="grid",
            officer="street_cadre",
            cadre="block_cadre",
            volunteer="volunteer",
            place="S-R1-E1",
            place_name="东安一村",
            zone=["东安居民区", "西岸居民区"],
            entrances=["东安一村东门", "西岸居民区北门"],
        )
        plan = mobilisation.Plan(photo=photo, title="东安医院周边疫情联防", days=1, shift_hours=8)
        walk = mobilisation.Walk(
            base=live_server.url, password=PASSWORD, shots=ARTIFACTS, say=lambda line: None, later=later
        )

        url = mobilisation.direct_report(walk, page, cast, plan)
        report = DirectReport.objects.get()
        assert url == f"{live_server.url}/direct/{report.pk}/"
        assert (report.kind, report.node, report.photos.count()) == ("epidemic", tree.e1, 1)
        mobilisation.direct_acknowledge(walk, page, cast, url)
        mobilisation.direct_follow_up(walk, page, cast, plan, url)
        report.refresh_from_db()
        assert report.state == DirectState.FOLLOWED_UP and report.acknowledged_by is not None
        assert report.acknowledged_by.username == "street_cadre"
        converted = mobilisation.direct_convert(walk, page, cast, url)
        report.refresh_from_db()
        assert report.state == DirectState.CONVERTED
        assert converted == f"{live_server.url}/mobilisation/{report.incident_id}/"
        assert report.incident_id is not None
        assert Incident.objects.get(pk=report.incident_id).lead.username == "street_cadre"

        incident_url = mobilisation.declare(walk, page, cast, plan)
        incident = Incident.objects.get(title=plan.title)
        assert incident_url == f"{live_server.url}/mobilisation/{incident.pk}/"
        assert sorted(incident.zone.values_list("code", flat=True)) == ["S-R1", "S-R2"]
        mobilisation.rota(walk, page, cast, plan, incident_url)
        # 东门 10–16, 16–24; 北门 10–14, 14–22: two on each
        standing = Assignment.objects.filter(shift__post__incident=incident)
        assert standing.count() == 8 and incident.rotas.get().version == 1
        shift = mobilisation.check_in(walk, page, cast, plan)
        mine = standing.get(person__user__username="volunteer")
        assert shift == "东安一村东门" and mine.state == AssignmentState.CHECKED_IN
        absent, now_on = mobilisation.no_show(walk, page, cast, incident_url, elsewhere=shift)
        assert absent in MORNING and len(now_on) == 2 and set(now_on) <= set(MORNING) - {absent}
        gap = standing.filter(shift__post__name="西岸居民区北门", shift__starts_at=at)
        assert sorted(gap.values_list("person__name", "state")) == sorted(
            [(absent, AssignmentState.NO_SHOW)] + [(name, AssignmentState.ASSIGNED) for name in now_on]
        )
        assert incident.rotas.count() == 2  # the re-solve of that one shift
        figures = mobilisation.live_board(walk, page, incident_url)
        assert figures["出入口在岗"] == "1 / 2"
        mobilisation.check_out(walk, page, cast, plan)
        mine.refresh_from_db()
        assert mine.state == AssignmentState.CHECKED_OUT
        text = mobilisation.close(walk, page, cast, plan, incident_url)
        incident.refresh_from_db()
        assert incident.state == IncidentState.CLOSED
    assert "东安医院\n2.0" in text, text
    assert f"{VOLUNTEER}（{mine.person.code}）\n2.0" in text, text
    assert "缺岗 1 人次" in text
    assert len(walk.timings) == 11 and not errors
