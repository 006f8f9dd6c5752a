"""Consent gates the watch; withdrawal deletes; enrolment needs a responsible post; emergency
contacts are sealed and revealed with a logged purpose; the bad-input list writes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.care import services
from gongzhi.care.choices import ConsentBy, DeviceKind, Door, Duty, Refusal, Signal, SubjectKind
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import CareSubject, Consent, Device, EmergencyContact, Event, IngestCount, LastSeen
from gongzhi.care.tests.conftest import T0, build_world, png_form
from gongzhi.core import clock
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.models import PiiAccessLog
from gongzhi.testing.factories import PersonFactory


def door_event(n: int, at=None) -> Incoming:
    return Incoming(device="DEV-door", event_id=f"d{n}", at=at or T0 + timedelta(minutes=n))


@pytest.mark.django_db
def test_without_consent_no_device_is_bound_and_no_event_is_stored():
    w = build_world(consent=False)
    with clock.freeze(T0), pytest.raises(ValidationError) as exc:
        services.device_bind(actor=w.users["committee"], device=w.devices[DeviceKind.DOOR], subject=w.subject)
    assert "device" in exc.value.message_dict
    assert Device.objects.filter(subject__isnull=False).count() == 0
    with clock.freeze(T0 + timedelta(hours=1)):
        result = ingest([door_event(1)], door=Door.HTTP)
    assert result.stored == 0 and [e.reason for e in result.errors] == [Refusal.UNBOUND_DEVICE]
    assert Event.objects.count() == 0
    assert IngestCount.objects.get(reason=Refusal.UNBOUND_DEVICE, door=Door.HTTP).count == 1


@pytest.mark.django_db
def test_a_signal_outside_the_consent_is_refused_and_counted():
    w = build_world(consent=False)
    with clock.freeze(T0):
        services.consent_record(
            actor=w.users["committee"],
            subject=w.subject,
            given_by=ConsentBy.SUBJECT,
            signals=[Signal.DOOR],
            given_on=T0.date(),
            form=png_form(),
        )
        services.device_bind(actor=w.users["committee"], device=w.devices[DeviceKind.DOOR], subject=w.subject)
        with pytest.raises(ValidationError):
            services.device_bind(
                actor=w.users["committee"], device=w.devices[DeviceKind.WATER_METER], subject=w.subject
            )
        # bound behind the service's back: ingestion still checks the consent
        Device.objects.filter(serial="DEV-water_meter").update(subject=w.subject)
    with clock.freeze(T0 + timedelta(hours=1)):
        result = ingest(
            [door_event(1), Incoming(device="DEV-water_meter", event_id="w1", at=T0, value=5.0)],
            door=Door.MQTT,
        )
    assert result.stored == 1 and [(e.index, e.reason) for e in result.errors] == [(1, Refusal.NO_CONSENT)]
    assert list(Event.objects.values_list("event_id", flat=True)) == ["d1"]


@pytest.mark.django_db
def test_withdrawal_stops_collection_and_deletes_the_raw_events(world):
    with clock.freeze(T0 + timedelta(hours=2)):
        assert ingest([door_event(n) for n in range(5)], door=Door.HTTP).stored == 5
        services.visit_record(actor=world.users["grid"], subject=world.subject, kind="visit")
        deleted = services.consent_withdraw(actor=world.users["committee"], subject=world.subject)
        assert deleted == 5
        assert Event.objects.count() == 0
        assert not Device.objects.filter(subject__isnull=False).exists()
        # the device signals' last-seen rows go; the visits (people's records) stay
        assert set(LastSeen.objects.values_list("signal", flat=True)) == {Signal.LIFE, Signal.VISIT}
        world.subject.refresh_from_db()
        assert world.subject.signals == []
        result = ingest([door_event(9)], door=Door.HTTP)
    assert result.stored == 0 and result.errors[0].reason == Refusal.UNBOUND_DEVICE
    assert Consent.objects.get().withdrawn_at == T0 + timedelta(hours=2)


@pytest.mark.django_db
def test_consent_needs_the_form_and_a_guardian_named(world):
    w = world
    services.consent_withdraw(actor=w.users["committee"], subject=w.subject)
    before = Consent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=w.users["committee"], subject=w.subject, given_by=ConsentBy.GUARDIAN,
            signals=[Signal.DOOR], given_on=T0.date(), form=None,
        )  # fmt: skip
    assert {"form", "guardian_name"} <= set(exc.value.message_dict)
    not_a_scan = SimpleUploadedFile("form.png", b"<html>not an image</html>")
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=w.users["committee"], subject=w.subject, given_by=ConsentBy.SUBJECT,
            signals=["location"], given_on=T0.date(), form=not_a_scan,
        )  # fmt: skip
    assert {"form", "signals"} <= set(exc.value.message_dict)
    assert Consent.objects.count() == before
    pdf = SimpleUploadedFile("form.pdf", b"%PDF-1.4\n% a scanned form\n")
    consent = services.consent_record(
        actor=w.users["committee"], subject=w.subject, given_by=ConsentBy.GUARDIAN, signals=[Signal.ALARM],
        given_on=T0.date(), form=pdf, guardian_name="王小红", guardian_relation="女儿",
    )  # fmt: skip
    assert consent.form_content_type == "application/pdf"
    assert consent.guardian_name_masked == "王**" and "王小红" not in consent.guardian_name_enc


@pytest.mark.django_db
def test_enrolment_without_a_responsible_post_is_refused(world):
    person = PersonFactory(name="李老伯", home=world.tree.h1)
    with pytest.raises(ValidationError) as exc:
        services.subject_enrol(
            actor=world.users["committee"], person=person, kind=SubjectKind.ALONE_80, posts=[]
        )
    assert "posts" in exc.value.message_dict
    # a post that does not serve the person's home (another area's committee) is refused too
    with pytest.raises(ValidationError) as exc:
        services.subject_enrol(
            actor=world.users["committee"], person=person, kind=SubjectKind.ALONE_80,
            posts=[(world.post("committee_r3"), Duty.OTHER)],
        )  # fmt: skip
    assert "posts" in exc.value.message_dict
    assert not CareSubject.objects.filter(person=person).exists()
    with pytest.raises(PermissionDeniedError):
        services.subject_enrol(
            actor=world.users["grid"], person=person, kind=SubjectKind.ALONE_80,
            posts=[(world.post("grid"), Duty.GRID)],
        )  # fmt: skip
    with pytest.raises(ValidationError) as exc:  # already enrolled
        services.subject_enrol(
            actor=world.users["committee"], person=world.subject.person, kind=SubjectKind.ALONE_80,
            posts=[(world.post("grid"), Duty.GRID)],
        )  # fmt: skip
    assert "person" in exc.value.message_dict


@pytest.mark.django_db
def test_a_device_bound_twice_is_refused(world):
    other = PersonFactory(name="李老伯", home=world.tree.h1)
    second = services.subject_enrol(
        actor=world.users["committee"], person=other, kind=SubjectKind.ALONE_60,
        posts=[(world.post("grid"), Duty.GRID)],
    )  # fmt: skip
    services.consent_record(
        actor=world.users["committee"], subject=second, given_by=ConsentBy.SUBJECT, signals=[Signal.DOOR],
        given_on=T0.date(), form=png_form(),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.device_bind(
            actor=world.users["committee"], device=world.devices[DeviceKind.DOOR], subject=second
        )
    assert "device" in exc.value.message_dict
    assert Device.objects.get(serial="DEV-door").subject_id == world.subject.pk
    with pytest.raises(ValidationError):
        services.device_register(
            actor=world.users["committee"], serial="DEV-door", kind=DeviceKind.DOOR, household=world.tree.h1
        )


@pytest.mark.django_db
def test_emergency_contacts_are_sealed_and_revealed_only_to_those_who_serve(world):
    contact = EmergencyContact.objects.get()
    assert contact.phone_masked == "139****5678" and contact.name_masked == "王**"
    assert "13912345678" not in contact.phone_enc and "13912345678" not in repr(contact)
    for who in ("committee_r3", "dept", "grid_other"):
        with pytest.raises(PermissionDeniedError):
            services.contact_reveal(actor=world.users[who], contact=contact, purpose="联系家属")
    assert PiiAccessLog.objects.count() == 0
    with pytest.raises(ValidationError):
        services.contact_reveal(actor=world.users["grid"], contact=contact, purpose="")
    for who in ("grid", "volunteer", "auditor"):
        assert services.contact_reveal(actor=world.users[who], contact=contact, purpose="联系家属") == (
            "王小红",
            "13912345678",
        )
    rows = list(PiiAccessLog.objects.values_list("subject_model", "field", "purpose"))
    assert rows == [("care.emergencycontact", "contact", "联系家属")] * 3
    assert all(
        "13912345678" not in label for label in PiiAccessLog.objects.values_list("subject_label", flat=True)
    )
