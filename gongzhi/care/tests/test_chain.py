"""The alert chain on a frozen clock: alert → posts and contacts told → no acknowledgement for
30 minutes → a 上门探访 case for the grid worker with 2 hours on the wall clock → missed: the
committee is told, then the street supervises → the outcome closes the alert and the case.
T0 is a Monday 09:00; the SOS arrives on the Saturday night, outside working hours."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from gongzhi.care import chain
from gongzhi.care.choices import AlertState, Door, Outcome, RuleKind
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert, Visit
from gongzhi.care.tests.conftest import T0
from gongzhi.cases import timers
from gongzhi.cases.models import Case
from gongzhi.cases.services import Act, case_act
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.orgs.models import Category

SAT_NIGHT = T0 + timedelta(days=5, hours=13)  # Saturday 22:00


def sos(at=SAT_NIGHT, n: int = 1) -> Alert:
    with clock.freeze(at):
        result = ingest([Incoming(device="DEV-sos", event_id=f"sos{n}", at=at)], door=Door.HTTP)
    assert result.alerts == 1, result.errors
    return Alert.objects.get(kind=RuleKind.SOS, state__in=[AlertState.OPEN])


def step(at) -> chain.AdvanceResult:
    with clock.freeze(at):
        return chain.advance(at)


def inbox_of(user) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient=user).order_by("pk"))


@pytest.fixture
def sms_on(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"


@pytest.mark.django_db
def test_the_whole_chain_on_the_wall_clock(world, sms_on):
    alert = sos()
    # told at once: the grid worker and the volunteer in their inbox, the daughter by SMS
    told = OutboxMessage.objects.filter(kind="care.alert")
    assert {m.recipient.username for m in told} == {"grid", "volunteer"}
    texts = list(OutboxMessage.objects.filter(kind=chain.CONTACT_SMS))
    assert len(texts) == 1 and texts[0].payload["care_contact_id"] == world.subject.contacts.get().pk
    assert "13912345678" not in texts[0].body + texts[0].subject + str(texts[0].payload)
    assert "王小红" not in texts[0].body
    alert.refresh_from_db()
    assert alert.notified_at == SAT_NIGHT

    assert step(SAT_NIGHT + timedelta(minutes=29)).visit_cases == 0
    assert step(SAT_NIGHT + timedelta(minutes=30)).visit_cases == 1
    alert.refresh_from_db()
    assert alert.state == AlertState.VISITING
    case = Case.objects.select_related("category", "post").get(pk=alert.visit_case_id)
    assert case.category.code == "MS03" and case.state == State.DISPATCHED
    assert case.post == world.post("grid")
    assert set(case.assisting_posts.values_list("code", flat=True)) == {"POST-volunteer"}
    # two hours on the wall clock, Saturday night, not Monday's working hours
    assert case.handle_due == SAT_NIGHT + timedelta(minutes=150)
    assert "张阿婆" not in case.text
    assert step(SAT_NIGHT + timedelta(minutes=31)).visit_cases == 0  # once

    # missed: at the deadline the committee hears, an hour later the street supervises
    with clock.freeze(case.handle_due):
        timers.sweep(case.handle_due)
    overdue = OutboxMessage.objects.filter(kind="case.overdue", payload__case_id=case.pk)
    assert "committee" in {m.recipient.username for m in overdue if m.recipient}
    assert not OutboxMessage.objects.filter(kind="case.supervised", payload__case_id=case.pk).exists()
    later = case.handle_due + timedelta(minutes=60)
    with clock.freeze(later):
        timers.sweep(later)
    supervised = OutboxMessage.objects.filter(kind="case.supervised", payload__case_id=case.pk)
    assert "street_admin" in {m.recipient.username for m in supervised if m.recipient}

    # the grid worker goes and records the outcome on the phone form: alert and case closed
    with clock.freeze(later + timedelta(minutes=10)):
        chain.outcome_record(
            actor=world.users["grid"], alert=alert, outcome=Outcome.SAFE, note="摔倒已扶起，无大碍"
        )
    alert.refresh_from_db()
    case.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.outcome == Outcome.SAFE
    assert case.state == State.CLOSED and case.closed_at is not None
    assert Visit.objects.filter(alert=alert, by=world.users["grid"]).count() == 1
    world.subject.refresh_from_db()
    assert world.subject.visit_due_at > later  # the visit counts for the schedule


@pytest.mark.django_db
def test_acknowledgement_stops_the_chain(world):
    alert = sos()
    with clock.freeze(SAT_NIGHT + timedelta(minutes=5)):
        chain.acknowledge(actor=world.users["volunteer"], alert=alert)
    assert step(SAT_NIGHT + timedelta(hours=3)).visit_cases == 0
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED and alert.visit_case_id is None
    with pytest.raises(ConflictError), clock.freeze(SAT_NIGHT + timedelta(minutes=6)):
        chain.acknowledge(actor=world.users["grid"], alert=alert)
    with clock.freeze(SAT_NIGHT + timedelta(minutes=40)):
        chain.outcome_record(
            actor=world.users["volunteer"], alert=alert, outcome=Outcome.SAFE, note="误按", false_alarm=True
        )
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.false_alarm
    assert chain.false_alarm_counts(Alert.objects.all()) == {RuleKind.SOS: (1, 1)}


@pytest.mark.django_db
def test_only_the_serving_posts_and_committee_act(world):
    alert = sos()
    for key in ("grid_other", "dept", "committee_r3"):
        with pytest.raises(PermissionDeniedError), clock.freeze(SAT_NIGHT):
            chain.acknowledge(actor=world.users[key], alert=alert)
    with clock.freeze(SAT_NIGHT):
        chain.acknowledge(actor=world.users["committee"], alert=alert)


@pytest.mark.django_db
def test_needs_help_opens_a_case_of_the_right_category(world):
    alert = sos()
    step(SAT_NIGHT + timedelta(minutes=30))
    with pytest.raises(ValidationError) as exc, clock.freeze(SAT_NIGHT + timedelta(hours=1)):
        chain.outcome_record(actor=world.users["grid"], alert=alert, outcome=Outcome.NEEDS_HELP, note="")
    assert {"category", "note"} <= set(exc.value.message_dict)
    alert.refresh_from_db()
    assert alert.state == AlertState.VISITING  # nothing written
    leak = Category.objects.get(code="SS05")
    with clock.freeze(SAT_NIGHT + timedelta(hours=1)):
        chain.outcome_record(
            actor=world.users["grid"], alert=alert, outcome=Outcome.NEEDS_HELP, note="水管爆裂", category=leak
        )
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.help_case.category == leak
    assert Case.objects.get(pk=alert.visit_case_id).state == State.CLOSED


@pytest.mark.django_db
def test_unreachable_escalates_and_keeps_the_alert_open(world):
    alert = sos()
    step(SAT_NIGHT + timedelta(minutes=30))
    with clock.freeze(SAT_NIGHT + timedelta(hours=1)):
        chain.outcome_record(
            actor=world.users["grid"], alert=alert, outcome=Outcome.UNREACHABLE, note="敲门无人应"
        )
    alert.refresh_from_db()
    assert alert.state == AlertState.VISITING and alert.escalated_at is not None
    told = {m.recipient.username for m in OutboxMessage.objects.filter(kind="care.escalated")}
    assert {"committee", "street_admin"} <= told
    case = Case.objects.get(pk=alert.visit_case_id)
    assert case.events.filter(action="record_attempt").exists() and case.state == State.DISPATCHED
    with clock.freeze(SAT_NIGHT + timedelta(hours=2)):
        chain.outcome_record(
            actor=world.users["grid"], alert=alert, outcome=Outcome.HOSPITAL, note="邻居说已送医"
        )
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED


@pytest.mark.django_db
def test_died_ends_the_care_and_its_watch(world):
    alert = sos()
    with clock.freeze(SAT_NIGHT + timedelta(hours=1)):
        chain.outcome_record(
            actor=world.users["committee"], alert=alert, outcome=Outcome.DIED, note="已通知家属"
        )
    world.subject.refresh_from_db()
    assert world.subject.ended_at is not None and world.subject.signals == []


@pytest.mark.django_db
def test_a_visit_case_closed_by_the_committee_closes_the_alert(world):
    alert = sos()
    step(SAT_NIGHT + timedelta(minutes=30))
    alert.refresh_from_db()
    case = Case.objects.get(pk=alert.visit_case_id)
    with clock.freeze(SAT_NIGHT + timedelta(hours=1)):
        case_act(
            actor=None, case=case, act=Act(action="conclude", version=case.version, note="已电话联系家属")
        )
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.outcome == Outcome.CASE_CLOSED


@pytest.mark.django_db
def test_bad_outcomes_write_nothing(world):
    alert = sos()
    for kwargs in (
        {"outcome": "gone"},
        {"outcome": Outcome.HOSPITAL, "note": ""},
        {"outcome": Outcome.DIED, "note": "x", "false_alarm": True},
        {"outcome": Outcome.SAFE, "note": "长" * 501},
    ):
        with pytest.raises(ValidationError), clock.freeze(SAT_NIGHT):
            chain.outcome_record(actor=world.users["grid"], alert=alert, **kwargs)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and not Visit.objects.exists()
