"""The 直报 chain on a frozen clock: reported → the duty officer hears at once on every channel
→ 15 minutes without acknowledgement → the first leader → 15 more → the second → acknowledged:
the chain stops; no 续报 within the hour → reminded once and shown overdue."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.mobilisation import direct, direct_chain, direct_roster
from gongzhi.mobilisation.models import DirectEvent, DirectState
from gongzhi.mobilisation.tests.direct.conftest import DAY, SH, T0


def sweep(at: datetime) -> direct_chain.SweepResult:
    with clock.freeze(at):
        return direct_chain.advance(at)


def told(kind: str) -> set[str]:
    return {m.recipient.username for m in OutboxMessage.objects.filter(kind=kind) if m.recipient}


@pytest.mark.django_db
def test_the_chain_climbs_every_15_minutes_until_acknowledged(world, sms_on):
    report = world.report()
    # at once: the duty officer's inbox and email (one row), their phone, and the place's robots
    assert told("direct.reported") == {"officer"}
    texts = list(OutboxMessage.objects.filter(kind=direct_chain.SMS_KIND))
    assert [t.payload["person_id"] for t in texts] == [world.person("officer").pk]
    robots = OutboxMessage.objects.filter(kind="direct.reported", recipient__isnull=True)
    assert robots.count() == 1 and robots.get().node_path == world.tree.b1.path
    everything = " ".join(m.subject + m.body + str(m.payload) for m in OutboxMessage.objects.all())
    assert "已拨119" not in everything  # the text stays on the report
    assert "17000" not in everything  # no phone in any row
    report.refresh_from_db()
    assert report.next_escalation_at == T0 + timedelta(minutes=15)

    assert sweep(T0 + timedelta(minutes=14, seconds=59)).escalated == 0
    assert sweep(T0 + timedelta(minutes=15)).escalated == 1
    assert told("direct.escalated") == {"leader1"}
    assert sweep(T0 + timedelta(minutes=16)).escalated == 0  # once per step
    assert sweep(T0 + timedelta(minutes=30)).escalated == 1
    assert told("direct.escalated") == {"leader1", "leader2"}
    report.refresh_from_db()
    assert report.escalation_level == 2 and report.state == DirectState.REPORTED

    with clock.freeze(T0 + timedelta(minutes=33)):
        direct.report_acknowledge(actor=world.users["leader2"], report=report)
    report.refresh_from_db()
    assert report.state == DirectState.ACKNOWLEDGED and report.next_escalation_at is None
    assert report.acknowledged_by == world.users["leader2"]
    assert sweep(T0 + timedelta(minutes=45)).escalated == 0
    assert "leader3" not in told("direct.escalated")
    assert told("direct.answered") == {"grid"}  # the reporter hears who took it
    actions = list(DirectEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["report", "notify", "escalate", "escalate", "acknowledge"]
    levels = [e.data["level"] for e in DirectEvent.objects.filter(report=report, action="escalate")]
    assert levels == [1, 2]


@pytest.mark.django_db
def test_marking_misuse_stops_the_chain_but_the_report_still_waits_to_be_acknowledged(world):
    from gongzhi.mobilisation import direct_selectors

    report = world.report()
    assert sweep(T0 + timedelta(minutes=15)).escalated == 1  # leader1 rung
    with clock.freeze(T0 + timedelta(minutes=20)):
        direct.report_mark_misuse(actor=world.users["officer"], report=report, reason="楼道堆物，属一般问题")
    report.refresh_from_db()
    assert report.misuse and report.next_escalation_at is None
    assert sweep(T0 + timedelta(minutes=50)).escalated == 0  # no leader rung for a misuse
    assert told("direct.escalated") == {"leader1"}
    with clock.freeze(T0 + timedelta(minutes=50)):
        assert report in direct_selectors.to_acknowledge(world.users["officer"])  # to close it
        direct.report_acknowledge(actor=world.users["officer"], report=report)
    report.refresh_from_db()
    assert report.state == DirectState.ACKNOWLEDGED


@pytest.mark.django_db
def test_a_sweep_that_was_down_catches_up_and_the_ladder_ends(world):
    report = world.report()
    assert sweep(T0 + timedelta(minutes=50)).escalated == 3  # 15, 30, 45: every leader at once
    assert told("direct.escalated") == {"leader1", "leader2", "leader3"}
    report.refresh_from_db()
    assert report.escalation_level == 3 and report.next_escalation_at is None
    assert sweep(T0 + timedelta(hours=3)).escalated == 0


@pytest.mark.django_db
def test_the_days_leader_hears_at_once_and_is_skipped_on_the_ladder(world):
    direct_roster.duty_set(
        actor=None,
        street=world.tree.street,
        day=DAY,
        officer=world.person("officer"),
        leader=world.person("leader1"),
    )
    world.report()
    assert told("direct.reported") == {"officer", "leader1"}
    sweep(T0 + timedelta(minutes=15))
    assert told("direct.escalated") == {"leader2"}


@pytest.mark.django_db
def test_nobody_on_duty_the_first_leader_hears_at_once(world):
    night = datetime(2026, 3, 4, 2, 0, tzinfo=SH)  # Wednesday 02:00: Tuesday's duty day, unset
    assert direct_roster.duty_day_of(night) == date(2026, 3, 3)
    report = world.report(at=night)
    assert report.duty_day == date(2026, 3, 3)
    assert told("direct.reported") == {"leader1"}
    sweep(night + timedelta(minutes=15))
    assert told("direct.escalated") == {"leader2"}


@pytest.mark.django_db
def test_before_the_handover_the_previous_days_officer_is_on_duty(world):
    early = datetime(2026, 3, 3, 7, 0, tzinfo=SH)  # Tuesday 07:00: still Monday's duty
    report = world.report(at=early)
    assert report.duty_day == DAY
    assert told("direct.reported") == {"officer"}


@pytest.mark.django_db
def test_the_minutes_are_settings(world, settings):
    settings.DIRECT_ACK_MINUTES = 5
    world.report()
    assert sweep(T0 + timedelta(minutes=5)).escalated == 1


@pytest.mark.django_db
def test_follow_up_is_due_within_the_hour_and_overdue_after(world):
    report = world.report()
    assert report.follow_up_due_at == T0 + timedelta(hours=1)
    assert not direct.follow_up_overdue(report, T0 + timedelta(minutes=59))
    assert sweep(T0 + timedelta(minutes=59)).reminded == 0
    assert direct.follow_up_overdue(report, T0 + timedelta(minutes=61))
    assert sweep(T0 + timedelta(minutes=61)).reminded == 1
    assert told("direct.follow_up_overdue") == {"grid", "officer"}
    assert sweep(T0 + timedelta(minutes=62)).reminded == 0  # once
    with clock.freeze(T0 + timedelta(minutes=70)):
        direct.follow_up_add(actor=world.users["grid"], report=report, text="明火已扑灭，一人轻度烧伤送医")
    report.refresh_from_db()
    assert report.state == DirectState.FOLLOWED_UP and report.followed_up_at == T0 + timedelta(minutes=70)
    assert direct.followed_up_late(report) and not direct.follow_up_overdue(report)
    event = DirectEvent.objects.get(report=report, action="follow_up")
    assert event.data == {"first": True, "late": True}


@pytest.mark.django_db
def test_a_follow_up_before_the_acknowledgement_keeps_the_chain_running(world):
    report = world.report()
    with clock.freeze(T0 + timedelta(minutes=10)):
        direct.follow_up_add(actor=world.users["committee"], report=report, text="消防已到场")
    report.refresh_from_db()
    assert report.state == DirectState.FOLLOWED_UP and report.acknowledged_at is None
    assert sweep(T0 + timedelta(minutes=15)).escalated == 1  # still nobody has acknowledged
    with clock.freeze(T0 + timedelta(minutes=16)):
        direct.report_acknowledge(actor=world.users["officer"], report=report)
    report.refresh_from_db()
    assert report.state == DirectState.FOLLOWED_UP and report.acknowledged_at is not None
    assert sweep(T0 + timedelta(hours=2)).reminded == 0  # followed up in time: never reminded


@pytest.mark.django_db
def test_the_command_runs_one_pass(world, capsys):
    world.report()
    with clock.freeze(T0 + timedelta(minutes=15)):
        call_command("direct_sweep")
    assert "升级通知 1 次" in capsys.readouterr().out
