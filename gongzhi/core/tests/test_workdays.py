"""The working calendar warns when a year's holidays are unknown, and the street enters them
from the State Council's notice through the calendar import template."""

from datetime import UTC, date, datetime

from gongzhi.core import workcal, workdays
from gongzhi.core.models import WorkDay
from gongzhi.core.workcal_db import load_calendar, package_years
from gongzhi.orgs.imports.run import run_import
from gongzhi.orgs.imports.templates import TEMPLATES
from gongzhi.orgs.imports.workbook import workbook_bytes
from gongzhi.orgs.roles import PostRole
from gongzhi.orgs.tests.test_imports import xlsx
from gongzhi.testing.factories import make_staff

KNOWN = max(package_years())  # the last year chinesecalendar knows (2026 for 1.11.0)
NEXT = KNOWN + 1
HEADERS = ["日期", "安排", "说明"]


def calendar_file(rows: list) -> bytes:
    return xlsx("工作日历", HEADERS, rows)


def test_a_year_is_confirmed_by_the_package_or_by_a_rest_day_the_street_entered(db):
    assert workdays.year_confirmed(KNOWN)
    assert not workdays.year_confirmed(NEXT)
    workdays.workday_set(actor=None, day=date(NEXT, 1, 2), is_workday=True, note="调休上班")
    assert not workdays.year_confirmed(NEXT)  # a make-up workday alone does not say the holidays are in
    workdays.workday_set(actor=None, day=date(NEXT, 1, 1), is_workday=False, note="元旦")
    assert workdays.year_confirmed(NEXT)


def test_the_warning_starts_in_november_and_stops_once_next_year_is_entered(db):
    assert workdays.calendar_warning(date(KNOWN, 10, 31)) is None
    warning = workdays.calendar_warning(date(KNOWN, 11, 1))
    assert warning is not None and str(NEXT) in warning and "元旦" in warning
    workdays.workday_set(actor=None, day=date(NEXT, 1, 1), is_workday=False, note="元旦")
    assert workdays.calendar_warning(date(KNOWN, 12, 31)) is None


def test_a_year_nobody_confirmed_warns_all_year_and_marks_its_deadlines(db):
    warning = workdays.calendar_warning(date(NEXT + 1, 3, 1))
    assert warning is not None and str(NEXT + 1) in warning
    assert workdays.deadline_unconfirmed(datetime(NEXT, 1, 4, 2, 0, tzinfo=UTC))
    assert not workdays.deadline_unconfirmed(datetime(KNOWN, 12, 30, 2, 0, tzinfo=UTC))
    # 31 Dec 16:00 local is 08:00 UTC; a deadline at 17:00 UTC on 31 Dec is already 1 Jan locally
    assert workdays.deadline_unconfirmed(datetime(KNOWN, 12, 31, 17, 0, tzinfo=UTC))
    assert not workdays.deadline_unconfirmed(None)


def test_the_street_admin_imports_next_years_holidays_and_deadlines_skip_them(tree):
    admin = make_staff("jiedao-admin", PostRole.STREET_ADMIN, tree.street)
    rows = [
        [f"{NEXT}-01-01", "休息", "元旦"],
        [f"{NEXT}-01-04", "休息", "元旦补休"],
        [f"{NEXT}-01-09", "上班", "调休上班"],
    ]
    report = run_import(kind="calendar", data=calendar_file(rows), actor=admin, scope_user=admin)
    assert report.ok and report.created == 3
    assert WorkDay.objects.get(date=date(NEXT, 1, 9)).is_workday
    assert workdays.year_confirmed(NEXT)
    # Thursday 31 Dec 16:00 local + 4 working hours: Friday 1 Jan and Monday 4 Jan are off now
    cal = load_calendar([KNOWN, NEXT])
    start = datetime(KNOWN, 12, 31, 8, 0, tzinfo=UTC)
    due = workcal.deadline(start, workcal.WorkLimit.hours(4), cal)
    assert due.astimezone(cal.tz).date() == date(NEXT, 1, 5)
    # re-importing the same sheet changes nothing
    again = run_import(kind="calendar", data=calendar_file(rows), actor=admin, scope_user=admin)
    assert again.ok and again.unchanged == 3 and again.created == 0


def test_only_the_street_may_import_the_calendar_and_bad_rows_write_nothing(tree):
    committee = make_staff("juwei", PostRole.COMMITTEE_STAFF, tree.r1)
    refused = run_import(
        kind="calendar",
        data=calendar_file([[f"{NEXT}-01-01", "休息", "元旦"]]),
        actor=committee,
        scope_user=committee,
    )
    assert not refused.ok and "街道管理员" in refused.errors[0].reason
    admin = make_staff("jiedao-admin", PostRole.STREET_ADMIN, tree.street)
    bad = [[f"{NEXT}-01-01", "休息", "元旦"], ["明年元旦", "放假", ""], [f"{NEXT}-01-01", "上班", "重复"]]
    report = run_import(kind="calendar", data=calendar_file(bad), actor=admin, scope_user=admin)
    reasons = [(e.row, e.column) for e in report.errors]
    assert (3, "日期") in reasons and (3, "安排") in reasons and (4, "日期") in reasons
    assert not WorkDay.objects.filter(date__year=NEXT).exists()


def test_the_empty_template_names_the_holidays_to_enter():
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook_bytes(TEMPLATES["calendar"])))
    notes = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    for holiday in ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"):
        assert holiday in notes
    assert [c.value for c in book["工作日历"][1]] == HEADERS
