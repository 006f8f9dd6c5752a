"""Care in the demo street (demo.care, demo.carehistory) on a small street: who is enrolled,
their posts, contacts, consent and devices, the year of history, and a rule pass at `now`."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.care import rules, services
from gongzhi.care.choices import SIGNAL_OF_DEVICE, AlertState, DeviceKind, Door, Duty, Signal, SubjectKind
from gongzhi.care.consent_forms import validate_consent_form
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert, CareSubject, Device, Event, Gateway, LastSeen, Visit, VisitRound
from gongzhi.core import clock, pii
from gongzhi.demo.calibration import AS_OF
from gongzhi.demo.care import DEMO_GATEWAY_TOKEN
from gongzhi.demo.carehistory import catch_up
from gongzhi.demo.people import age_on
from gongzhi.demo.tests.street.shared import NOW
from gongzhi.orgs.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, media_root):  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    settings.MEDIA_ROOT = str(media_root)


def alone_80() -> list[Person]:
    return [
        p
        for p in Person.objects.filter(code__startswith="FL-P", lives_alone=True)
        if age_on(p.birth_date) >= 80
    ]


def test_about_70_percent_of_the_80_plus_living_alone_are_enrolled(street) -> None:
    old = alone_80()
    enrolled = CareSubject.objects.filter(person__in=old)
    assert 0.55 <= enrolled.count() / len(old) <= 0.9
    assert set(enrolled.values_list("kind", flat=True)) == {SubjectKind.ALONE_80}
    subjects = CareSubject.objects.select_related("person")
    assert all(s.person.lives_alone and s.node_path == s.person.home.path for s in subjects)
    assert {SubjectKind.ALONE_60, SubjectKind.DISABLED} & set(subjects.values_list("kind", flat=True))
    assert all(age_on(s.person.birth_date) >= 60 for s in subjects)
    assert street.counts["care_subjects"] == subjects.count()
    assert date(2026, 1, 1) == AS_OF


def test_each_subject_has_a_grid_worker_and_sealed_contacts() -> None:
    for subject in CareSubject.objects.select_related("home").prefetch_related("assignments__post__node"):
        posts = [(a.post, a.duty) for a in subject.assignments.all()]
        with clock.freeze(NOW):
            assert services.posts_errors(posts, subject.home) == {}
        assert Duty.GRID in {d for _p, d in posts}
        assert all(p.person.user_id for p, _d in posts)  # their holders can log in to visit
        contacts = list(subject.contacts.all())
        assert 1 <= len(contacts) <= 2
        for c in contacts:
            name, phone = pii.decrypt(c.name_enc), pii.decrypt(c.phone_enc)
            assert c.name_masked == services.mask_name(name) and c.phone_masked == pii.mask_phone(phone)
            assert name not in repr(c) and phone not in c.phone_masked


def test_every_bound_device_is_covered_by_a_consent_with_its_form() -> None:
    bound = Device.objects.filter(subject__isnull=False).select_related("subject")
    assert bound.filter(kind=DeviceKind.DOOR).exists() and bound.filter(kind=DeviceKind.WATER_METER).exists()
    for device in bound:
        consent = device.subject.consents.get(withdrawn_at__isnull=True)
        signal = SIGNAL_OF_DEVICE[device.kind]
        assert signal in consent.signals and signal in device.subject.signals
        assert consent.recorded_at < device.bound_at < NOW
        assert device.household_id == device.subject.home_id
    forms = {c.subject_id: c for c in CareSubject.objects.get(pk=bound[0].subject_id).consents.all()}
    for consent in forms.values():
        with default_storage.open(consent.form.name) as f:
            upload = SimpleUploadedFile("form.png", f.read(), content_type="image/png")
        assert validate_consent_form(upload) == {}
    without = CareSubject.objects.filter(consents__isnull=True)
    assert without.exists(), "some are visited without devices"
    assert not Device.objects.filter(subject__in=without).exists()
    assert all(s.signals == [] for s in without)


def test_no_event_is_stored_without_consent() -> None:
    subject = CareSubject.objects.filter(consents__isnull=True).first()
    assert subject is not None
    with clock.freeze(NOW):
        device = services.device_register(
            actor=None, serial="T7-DOOR", kind=DeviceKind.DOOR, household=subject.home
        )
        with pytest.raises(ValidationError):
            services.device_bind(actor=None, device=device, subject=subject)
        refused = ingest([Incoming(device="T7-DOOR", event_id="e1", at=NOW)], door=Door.HTTP)
        assert refused.stored == 0 and refused.errors[0].reason == "unbound_device"
        bound = Device.objects.filter(kind=DeviceKind.DOOR, subject__isnull=False).first()
        assert bound is not None
        stored = ingest([Incoming(device=bound.serial, event_id="e1", at=NOW)], door=Door.HTTP)
        assert stored.stored == 1
    assert list(Event.objects.values_list("subject_id", flat=True)) == [bound.subject_id]


def test_a_year_of_visits_and_holiday_rounds() -> None:
    visits = Visit.objects.filter(subject__node_path__startswith="/SFQ/FL/")
    first = visits.order_by("at").first()
    assert first is not None and (NOW - first.at).days >= 300 and visits.filter(at__gte=NOW).count() == 0
    assert visits.filter(kind="call").exists() and visits.filter(by__isnull=True).count() == 0
    rounds = list(VisitRound.objects.order_by("due_at"))
    assert [r.kind for r in rounds] == ["spring_festival", "double_ninth"]
    for r in rounds:
        answered = r.visits.count()
        assert 0.8 * r.subjects <= answered <= r.subjects
    for subject in CareSubject.objects.all():
        last = subject.visits.filter(kind__in=["visit", "call"]).order_by("-at").first()
        assert last is not None and subject.visit_due_at >= NOW
        gaps = list(
            subject.visits.filter(kind__in=["visit", "call"], round__isnull=True, alert__isnull=True)
            .values_list("at", flat=True)
            .order_by("at")
        )
        late = sum(1 for a, b in pairwise(gaps) if (b - a).days > subject.visit_every_days)
        assert late < len(gaps) / 2  # most on time, some late


def test_a_year_of_alerts_acknowledged_in_time_or_visited() -> None:
    alerts = Alert.objects.filter(node_path__startswith="/SFQ/FL/")
    assert alerts.count() >= 20 and not alerts.exclude(state=AlertState.CLOSED).exists()
    acked = alerts.filter(visit_case__isnull=True)
    assert all(timedelta(0) < a.acknowledged_at - a.opened_at < timedelta(minutes=30) for a in acked)
    assert all(a.closed_at >= a.acknowledged_at for a in acked)
    assert alerts.filter(false_alarm=True).exists() and alerts.filter(outcome="safe").exists()
    assert alerts.filter(visits__isnull=False).exists()
    cases = alerts.filter(visit_case__isnull=False).select_related("visit_case__category", "subject")
    assert cases.exists()
    for alert in cases:
        case = alert.visit_case
        assert case.category.code == "MS03" and case.source == "sensor" and case.state == "closed"
        assert alert.subject.node_path.startswith(case.node_path)
        assert case.created_at - alert.opened_at == timedelta(minutes=30) and alert.acknowledged_at is None


def test_the_rule_pass_at_now_raises_only_the_subjects_going_quiet() -> None:
    quiet = set(
        LastSeen.objects.filter(signal=Signal.DOOR, active_at__lt=NOW - timedelta(hours=40)).values_list(
            "subject_id", flat=True
        )
    )
    away = set(CareSubject.objects.filter(away_periods__ends_at__gt=NOW).values_list("pk", flat=True))
    assert 1 <= len(quiet - away) <= 3
    opened = rules.sweep(NOW + timedelta(minutes=90)).opened
    assert opened and {a.subject_id for a in opened} <= quiet - away
    assert {a.kind for a in opened} <= {"no_door", "water_low"}


def test_an_old_street_is_moved_forward_before_its_first_rule_pass() -> None:
    later = NOW + timedelta(days=12, minutes=10)
    assert catch_up(later) == 12 * 48
    assert catch_up(later) == 0
    opened = rules.sweep(later + timedelta(minutes=90)).opened
    assert opened and len({a.subject_id for a in opened}) <= 3


def test_the_demo_gateway_takes_the_known_token() -> None:
    gateway = services.gateway_authenticate(DEMO_GATEWAY_TOKEN)
    assert gateway is not None and gateway == Gateway.objects.get()
