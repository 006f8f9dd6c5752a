"""The WorkDay table: calendar_sync, the loader's precedence (table over package over weekdays),
and the back office."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import override_settings

from gongzhi.core.models import WorkDay
from gongzhi.core.workcal import WorkLimit, deadline
from gongzhi.core.workcal_db import current_calendar, load_calendar, package_days

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY = date(2026, 10, 1)


def sync(*years: int) -> str:
    out = StringIO()
    call_command("calendar_sync", *[f"--year={y}" for y in years], stdout=out)
    return out.getvalue()


def test_sync_copies_the_package_year() -> None:
    sync(2026)
    rows = {r.date: r for r in WorkDay.objects.all()}
    assert set(rows) == set(package_days(2026))
    assert len(rows) == 39  # 33 rest days and 6 make-up workdays in chinesecalendar 1.11.0
    assert (rows[NATIONAL_DAY].is_workday, rows[NATIONAL_DAY].note) == (False, "国庆节")
    assert (rows[date(2026, 10, 10)].is_workday, rows[date(2026, 10, 10)].note) == (
        True,
        "调休上班（国庆节）",
    )
    assert {r.source for r in rows.values()} == {WorkDay.Source.PACKAGE}


def test_sync_keeps_admin_rows_and_repairs_package_rows() -> None:
    WorkDay.objects.create(date=NATIONAL_DAY, is_workday=True, note="街道值班", source=WorkDay.Source.ADMIN)
    WorkDay.objects.create(
        date=date(2026, 3, 3), is_workday=False, note="街道自定", source=WorkDay.Source.ADMIN
    )
    WorkDay.objects.create(
        date=date(2026, 3, 4), is_workday=False, note="旧数据", source=WorkDay.Source.PACKAGE
    )
    WorkDay.objects.create(date=date(2026, 10, 2), is_workday=True, note="错", source=WorkDay.Source.PACKAGE)

    out = sync(2026)

    assert "保留后台录入 1" in out
    assert "删除 1" in out
    national = WorkDay.objects.get(date=NATIONAL_DAY)
    assert (national.is_workday, national.note, national.source) == (True, "街道值班", WorkDay.Source.ADMIN)
    assert WorkDay.objects.filter(date=date(2026, 3, 3), source=WorkDay.Source.ADMIN).exists()
    assert not WorkDay.objects.filter(date=date(2026, 3, 4)).exists()  # no longer in the package
    repaired = WorkDay.objects.get(date=date(2026, 10, 2))
    assert (repaired.is_workday, repaired.note) == (False, "国庆节")

    before = list(WorkDay.objects.values_list("date", "is_workday", "note", "source"))
    assert "新增 0，更新 0，删除 0" in sync(2026)  # idempotent
    assert list(WorkDay.objects.values_list("date", "is_workday", "note", "source")) == before


def test_sync_refuses_a_year_the_package_does_not_know() -> None:
    with pytest.raises(CommandError, match="2031"):
        sync(2031)
    assert not WorkDay.objects.exists()


def test_loader_prefers_the_table_then_the_package_then_weekdays() -> None:
    WorkDay.objects.create(date=NATIONAL_DAY, is_workday=True, note="街道值班", source=WorkDay.Source.ADMIN)
    WorkDay.objects.create(date=date(2027, 1, 1), is_workday=False, note="元旦", source=WorkDay.Source.ADMIN)
    cal = load_calendar([2025, 2026, 2027])
    assert cal.is_workday(NATIONAL_DAY)  # the admin row
    assert not cal.is_workday(date(2026, 10, 2))  # the package: 2026 was never synced
    assert not cal.is_workday(date(2025, 10, 1))  # the package
    assert cal.is_workday(date(2026, 10, 10))  # the package's make-up Saturday
    assert not cal.is_workday(date(2027, 1, 1))  # next year, entered by an admin
    assert cal.is_workday(date(2027, 1, 4)) and not cal.is_workday(date(2027, 1, 9))  # weekday rule


def test_loader_limits_to_the_years_asked() -> None:
    WorkDay.objects.create(date=date(2027, 1, 1), is_workday=False, source=WorkDay.Source.ADMIN)
    cal = load_calendar([2026])
    assert cal.is_workday(date(2027, 1, 1))
    assert not cal.is_workday(NATIONAL_DAY)


@override_settings(WORK_PERIODS="09:00-12:00,14:00-18:00")
def test_loader_reads_the_periods_setting() -> None:
    cal = load_calendar([2026])
    assert cal.day_length == timedelta(hours=7)
    start = datetime(2026, 9, 30, 17, tzinfo=SH)  # Wednesday before National Day
    assert deadline(start, WorkLimit.hours(2), cal) == datetime(2026, 10, 8, 10, tzinfo=SH)


def test_current_calendar_is_kept_until_a_workday_changes(django_assert_num_queries) -> None:
    assert not current_calendar().is_workday(NATIONAL_DAY)
    with django_assert_num_queries(1):  # the reference stamp; the calendar is kept
        assert not current_calendar().is_workday(NATIONAL_DAY)
    WorkDay.objects.create(date=NATIONAL_DAY, is_workday=True, source=WorkDay.Source.ADMIN)
    assert current_calendar().is_workday(NATIONAL_DAY)  # seen at once, in every process


def test_admin_edits_become_admin_rows(client) -> None:
    sync(2026)
    assert not current_calendar().is_workday(NATIONAL_DAY)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    row = WorkDay.objects.get(date=NATIONAL_DAY)
    url = f"/admin/core/workday/{row.pk}/change/"
    response = client.post(url, {"date": "2026-10-01", "is_workday": "on", "note": "街道值班"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.is_workday, row.note, row.source) == (True, "街道值班", WorkDay.Source.ADMIN)
    assert current_calendar().is_workday(NATIONAL_DAY)  # the save cleared the cache

    response = client.post("/admin/core/workday/add/", {"date": "2027-01-01", "note": "元旦"})
    assert response.status_code == 302
    added = WorkDay.objects.get(date=date(2027, 1, 1))
    assert (added.is_workday, added.source) == (False, WorkDay.Source.ADMIN)

    sync(2026)
    assert WorkDay.objects.get(date=NATIONAL_DAY).is_workday


def test_admin_needs_model_permissions(client) -> None:
    staff = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/core/workday/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_workday"))
    assert client.get("/admin/core/workday/").status_code == 200
