"""Each rule on hand-built event sequences, with away periods, quiet hours, signs of life,
per-subject overrides and at most one alert per subject and rule. T0 is a Monday 09:00."""

from datetime import time, timedelta

import pytest

from gongzhi.care import services
from gongzhi.care.choices import AwayReason, Door, RuleKind, VisitKind
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert, Rule
from gongzhi.care.rules import sweep
from gongzhi.care.tests.conftest import T0
from gongzhi.core import clock


def run(at) -> list[str]:
    with clock.freeze(at):
        return sorted(a.kind for a in sweep(at).opened)


def feed(*events: Incoming, at=None) -> None:
    with clock.freeze(at or max(e.at for e in events)):
        result = ingest(list(events), door=Door.HTTP)
    assert not result.errors, result.errors


def door(n: int, at) -> Incoming:
    return Incoming(device="DEV-door", event_id=f"d{n}", at=at)


def meter(kind: str, n: int, value: float, at) -> Incoming:
    return Incoming(device=f"DEV-{kind}", event_id=f"{kind}{n}", at=at, value=value)


def keep_water_and_power_busy(until_hours: int) -> None:
    """Enough water and electricity every few hours that only the rule under test can fire."""
    events = []
    for h in range(0, until_hours + 1, 3):
        events.append(meter("water_meter", h, 100.0 + 20 * h, T0 + timedelta(hours=h)))
        events.append(meter("power_meter", h, 10.0 + h, T0 + timedelta(hours=h)))
    feed(*events, at=T0 + timedelta(hours=until_hours))


@pytest.mark.django_db
def test_no_door_for_48_hours_opens_one_alert(world):
    keep_water_and_power_busy(60)
    feed(door(1, T0))
    assert run(T0 + timedelta(hours=47)) == []
    assert run(T0 + timedelta(hours=49)) == [RuleKind.NO_DOOR]  # Wednesday 10:00
    assert run(T0 + timedelta(hours=50)) == []  # still open: no second alert
    assert Alert.objects.filter(kind=RuleKind.NO_DOOR).count() == 1


@pytest.mark.django_db
def test_quiet_hours_hold_the_alert_until_morning(world):
    keep_water_and_power_busy(75)
    feed(door(1, T0 + timedelta(hours=12)))  # Monday 21:00
    assert run(T0 + timedelta(hours=62)) == []  # Wednesday 23:00: quiet
    assert run(T0 + timedelta(hours=69, minutes=30)) == []  # Thursday 06:30: still quiet
    assert run(T0 + timedelta(hours=70, minutes=30)) == [RuleKind.NO_DOOR]  # Thursday 07:30


@pytest.mark.django_db
def test_an_away_period_pauses_the_silence_rules_without_a_storm_on_return(world):
    keep_water_and_power_busy(24 * 6)
    feed(door(1, T0))
    with clock.freeze(T0 + timedelta(hours=1)):
        services.away_record(
            actor=world.users["committee"], subject=world.subject, reason=AwayReason.HOSPITAL,
            starts_at=T0 + timedelta(hours=1), ends_at=T0 + timedelta(days=4),
        )  # fmt: skip
    assert run(T0 + timedelta(days=3, hours=1)) == []  # away
    assert run(T0 + timedelta(days=4, hours=1)) == []  # back an hour ago: the silence counts from the return
    assert run(T0 + timedelta(days=6, hours=1)) == [RuleKind.NO_DOOR]  # 49 hours after the return


@pytest.mark.django_db
def test_an_alarm_goes_through_an_away_period(world):
    with clock.freeze(T0):
        services.away_record(
            actor=world.users["committee"], subject=world.subject, reason=AwayReason.FAMILY,
            starts_at=T0, ends_at=T0 + timedelta(days=10),
        )  # fmt: skip
    feed(Incoming(device="DEV-sos", event_id="s1", at=T0 + timedelta(hours=1)))
    assert list(Alert.objects.values_list("kind", flat=True)) == [RuleKind.SOS]


@pytest.mark.django_db
def test_a_check_in_or_a_visit_is_a_sign_of_life(world):
    keep_water_and_power_busy(96)
    feed(door(1, T0))
    with clock.freeze(T0 + timedelta(hours=40)):
        services.visit_record(actor=world.users["volunteer"], subject=world.subject, kind=VisitKind.CHECKIN)
    assert run(T0 + timedelta(hours=49)) == []
    # 48 hours after the check-in is Friday 01:00, inside the night's quiet hours
    assert run(T0 + timedelta(hours=92)) == []  # Friday 05:00
    assert run(T0 + timedelta(hours=95)) == [RuleKind.NO_DOOR]  # Friday 08:00


@pytest.mark.django_db
def test_too_little_water_in_12_hours(world):
    feed(door(1, T0 + timedelta(hours=11)))
    # 08:00 the meter is first heard, 09:00 3 litres, then nothing
    feed(meter("water_meter", 1, 100.0, T0 - timedelta(hours=1)), meter("water_meter", 2, 103.0, T0))
    assert run(T0 + timedelta(hours=10)) == []  # 19:00: the 12-hour window is not yet observed
    assert run(T0 + timedelta(hours=11)) == [RuleKind.WATER_LOW]  # 20:00


@pytest.mark.django_db
def test_enough_water_keeps_the_low_water_rule_quiet_until_it_leaves_the_window(world):
    feed(door(1, T0 + timedelta(hours=12)))
    feed(meter("water_meter", 1, 100.0, T0 - timedelta(hours=2)), meter("water_meter", 2, 160.0, T0))
    assert run(T0 + timedelta(hours=11, minutes=50)) == []  # 20:50: the 60 L at 09:00 is inside the window
    assert run(T0 + timedelta(hours=12, minutes=10)) == [RuleKind.WATER_LOW]  # 21:10


@pytest.mark.django_db
def test_water_in_every_half_hour_of_a_day_is_a_leak(world):
    events = [meter("water_meter", n, 100.0 + 2 * n, T0 + timedelta(minutes=30 * n)) for n in range(49)]
    feed(*events, at=T0 + timedelta(hours=24))
    assert RuleKind.WATER_LEAK in run(T0 + timedelta(hours=24, minutes=5))


@pytest.mark.django_db
def test_more_than_two_cubic_metres_a_day_is_a_leak(world):
    feed(meter("water_meter", 1, 1000.0, T0), meter("water_meter", 2, 3100.0, T0 + timedelta(hours=3)))
    assert RuleKind.WATER_LEAK in run(T0 + timedelta(hours=3, minutes=1))


@pytest.mark.django_db
def test_no_electricity_for_24_hours(world):
    feed(door(1, T0 + timedelta(hours=25)))
    feed(
        meter("power_meter", 1, 50.0, T0),
        meter("power_meter", 2, 50.0, T0 + timedelta(hours=12)),  # reported, unchanged: no use
        meter("power_meter", 3, 50.0, T0 + timedelta(hours=24)),
    )
    assert RuleKind.NO_POWER not in run(T0 + timedelta(hours=23))
    assert RuleKind.NO_POWER in run(T0 + timedelta(hours=25))


@pytest.mark.django_db
def test_a_subjects_override_and_a_switched_off_rule(world):
    keep_water_and_power_busy(30)
    feed(door(1, T0))
    with clock.freeze(T0):
        services.override_set(
            actor=world.users["committee"], subject=world.subject, kind=RuleKind.NO_DOOR, hours=12
        )
    assert run(T0 + timedelta(hours=11)) == []
    assert run(T0 + timedelta(hours=12, minutes=30)) == [RuleKind.NO_DOOR]  # 21:30, before the quiet hours


@pytest.mark.django_db
def test_a_rule_switched_off_opens_nothing(world):
    keep_water_and_power_busy(60)
    feed(door(1, T0))
    with clock.freeze(T0):
        services.rule_update(
            actor=world.users["street_admin"], street=world.tree.street, kind=RuleKind.NO_DOOR, enabled=False
        )
    assert run(T0 + timedelta(hours=49)) == []
    assert Rule.objects.get(kind=RuleKind.NO_DOOR).enabled is False


@pytest.mark.django_db
def test_a_visit_overdue_by_its_frequency(world):
    assert RuleKind.VISIT_OVERDUE not in run(T0 + timedelta(days=7, hours=23))
    assert RuleKind.VISIT_OVERDUE in run(T0 + timedelta(days=8, hours=1))  # due day 7, a day's grace


@pytest.mark.django_db
def test_a_visit_moves_the_due_date(world):
    with clock.freeze(T0 + timedelta(days=6)):
        services.visit_record(
            actor=world.users["grid"], subject=world.subject, kind=VisitKind.VISIT, note="身体好"
        )
    assert RuleKind.VISIT_OVERDUE not in run(T0 + timedelta(days=8, hours=1))
    assert RuleKind.VISIT_OVERDUE in run(T0 + timedelta(days=14, hours=1))


@pytest.mark.django_db
def test_quiet_hours_are_data(world):
    with clock.freeze(T0):
        services.rule_update(
            actor=world.users["street_admin"], street=world.tree.street, kind=RuleKind.VISIT_OVERDUE,
            enabled=True, quiet_from=time(8, 0), quiet_until=time(12, 0),
        )  # fmt: skip
    assert RuleKind.VISIT_OVERDUE not in run(
        T0 + timedelta(days=8, hours=1)
    )  # 10:00: the street's quiet hours
    assert RuleKind.VISIT_OVERDUE in run(T0 + timedelta(days=8, hours=4))
