"""The pages warn when next year's holidays are not entered and mark deadlines counted on an
unconfirmed calendar (docs/working-calendar.md)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from gongzhi.core import clock, workdays
from gongzhi.core.workcal_db import package_years
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff
from gongzhi.web.tests.case_world import report

KNOWN = max(package_years())
NEXT = KNOWN + 1
NOVEMBER = datetime(KNOWN, 11, 16, 2, 0, tzinfo=UTC)
# 16:45 in Shanghai: one working hour runs into next year
NEW_YEARS_EVE = datetime(KNOWN, 12, 31, 8, 45, tzinfo=UTC)


def page(client, user, url: str) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_the_street_admin_is_warned_from_november_and_the_committee_is_not(client, cw):
    admin = make_staff("jiedao-admin", PostRole.STREET_ADMIN, cw.tree.street)
    with clock.freeze(NOVEMBER):
        assert f"{NEXT} 年的法定节假日和调休尚未录入" in page(client, admin, "/")
        assert "尚未录入" not in page(client, cw.users["dispatcher"], "/")
        workdays.workday_set(actor=admin, day=date(NEXT, 1, 1), is_workday=False, note="元旦")
        assert "尚未录入" not in page(client, admin, "/")


def test_the_command_centre_shows_the_warning_to_whoever_opens_it(client, cw):
    with clock.freeze(NOVEMBER):
        html = page(client, cw.users["street"], "/dashboard/")
    assert 'class="alert calendar-warning"' in html and str(NEXT) in html


def test_a_deadline_in_an_unentered_year_is_marked_on_the_case_page(client, cw):
    with clock.freeze(NEW_YEARS_EVE):
        case = report(cw)
        html = page(client, cw.users["dispatcher"], f"/cases/{case.pk}/")
    assert case.dispatch_due.astimezone(ZoneInfo("Asia/Shanghai")).year == NEXT
    assert "日历未确认" in html
    workdays.workday_set(actor=None, day=date(NEXT, 1, 1), is_workday=False, note="元旦")
    with clock.freeze(NEW_YEARS_EVE):
        assert "日历未确认" not in page(client, cw.users["dispatcher"], f"/cases/{case.pk}/")
