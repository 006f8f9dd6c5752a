"""The embedded beat runs the production beat table on its schedule, inside one process."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from gongzhi.core import beat, clock, outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.core.outbox import OutboxSpec
from gongzhi.notify.models import InboxItem
from gongzhi.testing.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Saturday 2026-12-05 23:00 in Shanghai: the 日报 is due at 00:30, the 周报 on Monday 01:00.
START = datetime(2026, 12, 5, 23, 0, tzinfo=SHANGHAI).astimezone(UTC)


def recording_beat() -> tuple[beat.Beat, list[str]]:
    calls: list[str] = []
    entries = beat.entries_from(settings.CELERY_BEAT_SCHEDULE, tz=SHANGHAI)
    return beat.Beat(entries, calls.append), calls


def test_every_entry_runs_once_at_start_then_on_its_schedule():
    runner, calls = recording_beat()
    assert sorted(runner.tick(START)) == sorted(settings.CELERY_BEAT_SCHEDULE)
    assert calls == [spec["task"] for spec in settings.CELERY_BEAT_SCHEDULE.values()]
    assert runner.tick(START + timedelta(seconds=30)) == []
    every_minute = {"dispatch-outbox", "care-sweep", "orders-sweep", "direct-sweep"}
    assert set(runner.tick(START + timedelta(seconds=61))) == every_minute
    assert set(runner.tick(START + timedelta(seconds=301))) == every_minute | {"sla-sweep"}
    assert set(runner.tick(START + timedelta(seconds=601))) == every_minute | {"sla-sweep", "reports-rollup"}


def test_the_daily_report_runs_at_half_past_midnight_local_and_the_weekly_on_monday():
    runner, _ = recording_beat()
    runner.tick(START)
    at = START
    daily, weekly = [], []
    while at < START + timedelta(days=3):
        at += timedelta(minutes=1)
        names = runner.tick(at)
        if "reports-daily" in names:
            daily.append(at.astimezone(SHANGHAI))
        if "reports-weekly" in names:
            weekly.append(at.astimezone(SHANGHAI))
    assert [(d.day, d.hour, d.minute) for d in daily] == [(6, 0, 30), (7, 0, 30), (8, 0, 30)]
    assert [(w.weekday(), w.hour, w.minute) for w in weekly] == [(0, 1, 0)]  # Monday 7 Dec


def test_a_failing_task_is_logged_and_the_others_still_run(caplog):
    entries = beat.entries_from(
        {"a": {"task": "broken", "schedule": 60.0}, "b": {"task": "fine", "schedule": 60.0}}, tz=SHANGHAI
    )
    done: list[str] = []

    def runner(name: str) -> None:
        if name == "broken":
            raise RuntimeError("database away")
        done.append(name)

    assert beat.Beat(entries, runner).tick(START) == ["a", "b"]
    assert done == ["fine"]
    assert "a failed" in caplog.text


def test_one_pass_of_the_real_tasks_delivers_a_pending_notification_to_the_inbox(db):
    user = UserFactory()
    with clock.freeze(START), transaction.atomic():
        outbox.enqueue(OutboxSpec(kind="case.dispatched", subject="新派工单", recipient=user))
    call_command("schedule", "--once")
    assert InboxItem.objects.filter(user=user, title="新派工单").count() == 1
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
