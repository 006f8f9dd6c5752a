"""The care walk (issue 14 item 10) in Debian's chromium at 375 px on the care world (张阿婆,
served by the grid worker and a volunteer, enrolled an hour ago with consent and her devices):
her SOS button's event comes through the gateways' endpoint, the embedded beat (the Beat that
`gongzhi schedule` runs) tells the grid worker, nobody acknowledges; the clock then moves past
CARE_ACK_MINUTES (first to a minute short of it: no case yet) and the beat's care sweep opens
the 上门探访 case for the grid worker with two hours on the wall clock; the grid worker opens it
from the 待我处理 tile and records 平安 on the outcome form; the alert is closed and the case
finished. The test delivers nothing itself: it lets the beat's turns come."""

from contextlib import ExitStack
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils.timezone import localtime

from gongzhi.care import services
from gongzhi.care.choices import AlertState, Outcome, RuleKind
from gongzhi.care.models import Alert
from gongzhi.care.tests.conftest import build_world
from gongzhi.cases.models import Case
from gongzhi.cases.states import State
from gongzhi.core import beat, clock
from gongzhi.core.management.commands.schedule import load_tasks, run_task
from gongzhi.core.models import OutboxMessage
from gongzhi.testing.factories import PASSWORD
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, PHONE, chromium, phone_page
from gongzhi.web.walks import care

pytestmark = MARKS

NOTE = "老人在家，晨练回来不小心按到了呼叫按钮"


@pytest.fixture
def page(live_server, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with chromium() as browser, phone_page(browser, PHONE) as page:
        yield page


def test_care_walk_alert_timeout_visit_case_outcome_on_a_phone(page, live_server):
    world = build_world(at=clock.now() - timedelta(hours=1))
    subject = world.subject
    assert subject is not None
    _gateway, token = services.gateway_create(actor=None, name="楼宇网关")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    load_tasks()
    runner = beat.Beat(
        beat.entries_from(django_settings.CELERY_BEAT_SCHEDULE, tz=ZoneInfo(django_settings.TIME_ZONE)),
        run_task,
    )
    started = clock.now()
    runner.tick(started)  # the beat starts beside the server: every task once
    ack = timedelta(minutes=django_settings.CARE_ACK_MINUTES)

    def next_turn() -> None:
        assert not OutboxMessage.objects.filter(kind="care.alert", sent_at__isnull=False).exists()
        assert "dispatch-outbox" in runner.tick(started + timedelta(seconds=61))

    with ExitStack() as later:

        def time_passes() -> None:
            """The beat's turns a minute short of CARE_ACK_MINUTES (nothing yet), then past it."""
            short = started + ack - timedelta(minutes=1)
            later.enter_context(clock.freeze(short))
            assert "care-sweep" in runner.tick(short)
            assert not Case.objects.exists()
            past = started + ack + timedelta(minutes=1)
            later.enter_context(clock.freeze(past))
            assert "care-sweep" in runner.tick(past)

        walk = care.Walk(
            base=live_server.url,
            password=PASSWORD,
            subject_id=subject.pk,
            shots=ARTIFACTS,
            deliver=next_turn,
            time_passes=time_passes,
            wait_seconds=10,
            ack_wait_seconds=5,
            say=lambda line: None,
        )
        pressed = care.press_sos(walk, serial="DEV-sos", token=token)
        alert = Alert.objects.get()
        assert alert.detail == f"一键呼叫 {localtime(pressed):%H:%M}"  # local time, though sent in UTC
        assert (alert.kind, alert.state, alert.subject_id) == (RuleKind.SOS, AlertState.OPEN, subject.pk)

        assert care.told(walk, page, "grid") == alert.pk
        told = OutboxMessage.objects.filter(kind="care.alert")
        assert {m.recipient.username for m in told if m.recipient} == {"grid", "volunteer"}
        assert all("张阿婆" not in m.subject + m.body for m in told)  # the home and the rule only
        care.on_the_board(walk, page, "committee", alert.pk)
        alert.refresh_from_db()
        assert alert.state == AlertState.OPEN and alert.acknowledged_at is None

        case_url = care.becomes_a_visit_case(walk, page, "grid", alert.pk)
        alert.refresh_from_db()
        case = Case.objects.select_related("category", "post").get(pk=alert.visit_case_id)
        assert case_url == f"{live_server.url}/cases/{case.pk}/"
        assert case.category.code == django_settings.CARE_VISIT_CATEGORY
        assert case.post == world.post("grid")
        assert case.handle_due == started + ack + timedelta(minutes=1) + timedelta(hours=2)
        assert "剩余 2小时" in page.inner_text("section.deadlines li.running")

        care.record_safe(walk, page, case_url, alert.pk, NOTE)

    alert.refresh_from_db()
    case.refresh_from_db()
    assert (alert.state, alert.outcome, alert.outcome_note) == (AlertState.CLOSED, Outcome.SAFE, NOTE)
    assert alert.closed_by == world.users["grid"]
    assert case.state == State.CLOSED
    assert subject.visits.filter(alert=alert).count() == 1  # the visit counts for the schedule
    assert not errors
