"""直报 services: who may report and where, what a bad report writes (nothing), converting to a
case, the mobilisation seam, closing, and misuse marked and counted."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.cases.models import Attachment, Case
from gongzhi.cases.states import State
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.mobilisation import direct, direct_hooks, direct_selectors, from_direct
from gongzhi.mobilisation.models import DirectEvent, DirectPhoto, DirectReport, DirectState
from gongzhi.mobilisation.tests.direct.conftest import T0, png
from gongzhi.orgs.models import Category


def nothing_written() -> bool:
    return not DirectReport.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_grid_worker_and_committee_report_from_their_post(world):
    report = world.report("grid", files=[png(), png("2.png")])
    assert report.reporter_post.code == "POST-grid" and report.street == world.tree.street
    assert DirectPhoto.objects.filter(report=report).count() == 2
    other = world.report("committee", node=world.tree.r3)  # anywhere in the street, not only R1
    assert other.reporter_post.code == "POST-committee" and other.node == world.tree.r3


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dept", "property", "block", "officer"])
def test_who_may_not_report(world, who):
    with pytest.raises(PermissionDeniedError):
        world.report(who)
    assert nothing_written()


@pytest.mark.django_db
def test_a_place_outside_the_street_is_refused_and_nothing_written(world):
    with pytest.raises(ValidationError) as exc:
        world.report("grid", node=world.other_place)
    assert "node" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        world.report("grid", node=None, lat=31.0, lon=121.0)  # no boundary drawn: outside
    assert "lat" in exc.value.message_dict
    assert nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "flood"}, "kind"),
        ({"text": "   "}, "text"),
        ({"text": "火" * 2001}, "text"),
        ({"node": None}, "node"),
        ({"lat": 31.2}, "lat"),
        ({"files": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]}, "files"),
        ({"files": [png(f"{i}.png") for i in range(5)]}, "files"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, fields, field):
    with pytest.raises(ValidationError) as exc:
        world.report("grid", **fields)
    assert field in exc.value.message_dict
    assert nothing_written() and not DirectPhoto.objects.exists()


@pytest.mark.django_db
def test_convert_to_case_carries_text_place_follow_ups_and_photos(world):
    report = world.report("grid", files=[png()])
    category = Category.objects.get(code="LD01")
    with pytest.raises(ConflictError):  # not acknowledged yet
        direct.report_convert_case(actor=world.users["officer"], report=report, category=category)
    with clock.freeze(T0 + timedelta(minutes=3)):
        direct.report_acknowledge(actor=world.users["officer"], report=report)
        direct.follow_up_add(actor=world.users["grid"], report=report, text="楼道堆物起火，已扑灭")
    with pytest.raises(ValidationError):
        direct.report_convert_case(actor=world.users["officer"], report=report, category=category.parent)
    with pytest.raises(PermissionDeniedError):  # the reporter does not convert
        direct.report_convert_case(actor=world.users["grid"], report=report, category=category)
    with clock.freeze(T0 + timedelta(minutes=20)):
        report = direct.report_convert_case(actor=world.users["officer"], report=report, category=category)
    assert report.state == DirectState.CONVERTED and report.converted_to == "case"
    case = Case.objects.get(pk=report.case_id)
    assert case.node == world.tree.b1 and case.category == category and case.state == State.RECEIVED
    assert "三楼冒烟" in case.text and "楼道堆物起火" in case.text
    assert case.reporter == world.person("grid") and case.external_id == f"direct-{report.pk}"
    assert Attachment.objects.filter(event__case=case).count() == 1
    assert not report.is_open and report.closed_at == T0 + timedelta(minutes=20)
    with pytest.raises(ConflictError):
        direct.report_close(actor=world.users["officer"], report=report, result="重复")


@pytest.mark.django_db
def test_convert_to_mobilisation_goes_through_the_registered_hook(world):
    report = world.report()
    with clock.freeze(T0 + timedelta(minutes=1)):
        direct.report_acknowledge(actor=world.users["officer"], report=report)
    direct_hooks.unregister()  # as if no incident service were installed
    assert "convert_mobilisation" not in direct.actions_for(world.users["officer"], report)
    with pytest.raises(ConflictError):
        direct.report_convert_mobilisation(actor=world.users["officer"], report=report)
    seen = []

    def mobilise(*, actor, report):
        seen.append((actor.username, report.pk, report.kind))
        return direct_hooks.Opened(incident_id=77, link="/mobilisation/77/")

    direct_hooks.register(mobilise)
    try:
        report.refresh_from_db()
        assert "convert_mobilisation" in direct.actions_for(world.users["officer"], report)
        report = direct.report_convert_mobilisation(actor=world.users["officer"], report=report)
    finally:
        direct_hooks.register(from_direct.mobilise)  # the app's own, as ready() left it
    assert seen == [("officer", report.pk, "fire")]
    assert report.state == DirectState.CONVERTED and report.converted_to == "mobilisation"
    assert report.incident_id == 77
    assert DirectEvent.objects.get(report=report, action="convert_mobilisation").data["incident"] == 77


@pytest.mark.django_db
def test_close_needs_a_result_and_an_acknowledgement(world):
    report = world.report()
    with pytest.raises(ConflictError):
        direct.report_close(actor=world.users["officer"], report=report, result="已处置")
    direct.report_acknowledge(actor=world.users["leader3"], report=report)  # any leader may
    with pytest.raises(ValidationError):
        direct.report_close(actor=world.users["officer"], report=report, result=" ")
    with pytest.raises(ConflictError):
        direct.report_acknowledge(actor=world.users["officer"], report=report)
    report = direct.report_close(actor=world.users["officer"], report=report, result="明火扑灭，无人员伤亡")
    assert report.state == DirectState.CLOSED and report.result == "明火扑灭，无人员伤亡"
    with pytest.raises(ConflictError):
        direct.follow_up_add(actor=world.users["grid"], report=report, text="补充")


@pytest.mark.django_db
def test_only_the_duty_roster_acknowledges(world):
    report = world.report()
    for who in ("grid", "committee", "block", "admin", "dept"):
        with pytest.raises(PermissionDeniedError):
            direct.report_acknowledge(actor=world.users[who], report=report)
    report.refresh_from_db()
    assert report.acknowledged_at is None


@pytest.mark.django_db
def test_misuse_is_marked_once_with_a_reason_and_counted(world):
    ordinary = world.report(kind="other", text="楼道灯坏了")
    with pytest.raises(ValidationError):
        direct.report_mark_misuse(actor=world.users["officer"], report=ordinary, reason="")
    with pytest.raises(PermissionDeniedError):
        direct.report_mark_misuse(actor=world.users["grid"], report=ordinary, reason="一般问题")
    direct.report_acknowledge(actor=world.users["officer"], report=ordinary)
    marked = direct.report_mark_misuse(
        actor=world.users["officer"], report=ordinary, reason="一般设施报修，应走工单"
    )
    assert marked.misuse and marked.misuse_reason == "一般设施报修，应走工单"
    with pytest.raises(ConflictError):
        direct.report_mark_misuse(actor=world.users["officer"], report=marked, reason="再次")
    assert "grid" in {m.recipient.username for m in OutboxMessage.objects.filter(kind="direct.answered")}
    world.report()  # a real one
    assert DirectReport.objects.filter(misuse=True).count() == 1


@pytest.mark.django_db
def test_who_sees_which_report(world):
    report = world.report("grid")
    seeing = {
        who
        for who, user in world.users.items()
        if direct_selectors.report_get(user=user, pk=report.pk) is not None
    }
    # the reporter, the committee of R1, the block cadre of K1, the street's cadres (the roster
    # among them) and its admin; not the department, the property company or the other street
    assert seeing == {"grid", "committee", "block", "officer", "leader1", "leader2", "leader3", "admin"}
    r3 = world.report("committee", node=world.tree.r3)  # the block K2: the K1 cadre does not see it
    assert direct_selectors.report_get(user=world.users["block"], pk=r3.pk) is None
    assert direct_selectors.report_get(user=world.users["grid"], pk=r3.pk) is None
    assert not direct_selectors.reports(user=world.users["grid_t"]).exists()


@pytest.mark.django_db
def test_one_tap_declares_an_incident_over_the_reports_area(world):
    """The app's own mobiliser: a fire reported in an area opens a fire incident over that area,
    led by the duty officer who converted it (a street cadre: MOBILISE)."""
    from gongzhi.mobilisation.models import Incident

    report = world.report()
    with clock.freeze(T0 + timedelta(minutes=1)):
        direct.report_acknowledge(actor=world.users["officer"], report=report)
        report = direct.report_convert_mobilisation(actor=world.users["officer"], report=report)
    incident = Incident.objects.get(pk=report.incident_id)
    assert incident.kind == "fire" and report.node.name in incident.title
    zone = from_direct.zone_of(report.node)
    assert report.node_path.startswith(zone.path)
    assert report.state == DirectState.CONVERTED
