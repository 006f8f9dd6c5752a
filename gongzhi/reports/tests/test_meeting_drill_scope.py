# ruff: noqa: F811 (world and mworld, the imported fixtures, are each test's arguments)
"""The meetings and slips behind a report figure are cut by what the asker may see, counts
included: a residential committee looking at a department's figures (its seat at their table)
sees the meetings it attended in their area, not those of the neighbouring area."""

from datetime import date, timedelta

import pytest
from django.test import Client

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.core import clock
from gongzhi.meetings import services
from gongzhi.meetings.kinds import Attendance, MeetingKind
from gongzhi.meetings.models import Meeting
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import PostRole
from gongzhi.reports import drill, kpis, meeting_figures
from gongzhi.reports.periods import period
from gongzhi.reports.subjects import subject_for
from gongzhi.testing.factories import make_staff


def held_at(convener, node, invite: list[Post], when) -> Meeting:
    with clock.freeze(when - timedelta(days=1)):
        meeting = services.meeting_create(
            actor=convener, kind=MeetingKind.JUWUHUI, node=node, starts_at=when, place="议事厅"
        )
        if invite:
            services.meeting_invite(actor=convener, meeting=meeting, posts=invite)
    with clock.freeze(when):
        marks = {p.pk: (Attendance.PRESENT, "") for p in meeting.participants.all()}
        services.attendance_record(actor=convener, meeting=meeting, marks=marks)
        return services.meeting_hold(actor=convener, meeting=meeting)


@pytest.fixture
def two_areas(mworld):
    """Urban management (seated in R1) also attends a meeting of the neighbouring area R2."""
    tree = mworld.tree
    r2_staff = make_staff("r2jwh", PostRole.COMMITTEE_STAFF, tree.r2)
    cg_post = Post.objects.get(code="POST-cg")
    ours = held_at(mworld.users["jwh"], tree.r1, [], NOW + timedelta(days=1))
    theirs = held_at(r2_staff, tree.r2, [cg_post], NOW + timedelta(days=2))
    assert theirs.participants.filter(post=cg_post, attendance=Attendance.PRESENT).exists()
    return ours, theirs, cg_post.unit


def test_a_committee_sees_only_its_areas_meetings_in_a_units_figures(mworld, two_areas):
    ours, theirs, cg_unit = two_areas
    jwh = mworld.users["jwh"]
    month = period(date(2026, 11, 1), date(2026, 11, 30))
    with clock.freeze(NOW + timedelta(days=5)):
        subject = subject_for(jwh, unit=cg_unit.code)  # the department's seat at R1's table
        everything = meeting_figures.drill(subject, month, "held")
        assert set(everything) == {ours, theirs}  # the unit's own figures, read by nobody
        mine = drill.figure(subject, month, "held", user=jwh)
        assert list(mine.rows) == [ours]
        assert meeting_figures.measures(subject, month, jwh)["held"] == 1
        figures = kpis.kpi_set(subject, month, viewer=jwh)["meetings_held"]
        assert (figures.numerator, figures.denominator) == (1, 1)
        unscoped = kpis.kpi_set(subject, month)["meetings_held"]
        assert (unscoped.numerator, unscoped.denominator) == (2, 2)
        # the page lists what the count says
        client = Client()
        client.force_login(jwh)
        url = f"/reports/figures/held/cases/?unit={cg_unit.code}&start=2026-11-01&end=2026-11-30"
        page = client.get(url).content.decode()
        assert f"/meetings/{ours.pk}/" in page and f"/meetings/{theirs.pk}/" not in page
        # the neighbouring area's own committee sees its meeting
        r2 = Post.objects.get(code="POST-r2jwh").person.user
        theirs_view = drill.figure(subject_for(r2, node=mworld.tree.r2.code), month, "held", user=r2)
        assert list(theirs_view.rows) == [theirs]
