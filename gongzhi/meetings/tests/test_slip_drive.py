"""Slips drive their cases and finish: the cases a slip creates are dispatched to its lead
unit's post (主办) with the assisting units' posts as 协办; the slip completes in the same
transaction as its last case; a slip without cases is reported done by its lead with
evidence and confirmed (or returned) by the Party organisation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from gongzhi.cases import hooks
from gongzhi.cases.models import Case
from gongzhi.cases.services import Act, allowed_for, case_act, notes_for
from gongzhi.cases.states import State
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.meetings import completion, services, slips
from gongzhi.meetings.models import MeetingEvent, PartyRole, Slip, SlipEvidence, SlipState, Verdict
from gongzhi.meetings.slips import NewCase, PartySpec, SlipDraft
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.meetings.tests.test_flow import close_case, hold, meeting_held, problem, topic_on_agenda
from gongzhi.orgs import access
from gongzhi.orgs.models import Category

LATER = NOW + timedelta(days=3)


@pytest.fixture
def topic(mworld):
    case = problem(mworld)
    topic = topic_on_agenda(mworld, case)
    services.topic_vet(actor=mworld.users["secretary"], topic=topic, approve=True)
    meeting = meeting_held(mworld)
    services.topic_schedule(actor=mworld.users["jwh"], topic=topic, meeting=meeting)
    hold(mworld, meeting)
    return services.topic_discuss(actor=mworld.users["jwh"], topic=topic, text="物业牵头，城管配合")


def bound_slip(mworld, topic, *, cases=(), new_cases=()) -> Slip:
    """A slip led by the property company, assisted by urban management, signed by both."""
    with clock.freeze(NOW + timedelta(days=2)):
        slip = slips.slip_create(
            actor=mworld.users["jwh"],
            topic=topic,
            draft=SlipDraft(
                action="清理3号楼楼道并建立巡查机制",
                due=date(2026, 12, 15),
                parties=[
                    PartySpec(mworld.units["wy"], PartyRole.LEAD),
                    PartySpec(mworld.units["cg"], PartyRole.ASSIST),
                ],
                cases=list(cases),
                new_cases=list(new_cases),
            ),
        )
        slip = slips.slip_issue(actor=mworld.users["jwh"], slip=slip)
        for name in ("wy", "cg"):
            slips.slip_sign(actor=mworld.users[name], slip=slip, verdict=Verdict.AGREE, version=1)
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING
    return slip


def act(user, case, action, **kw) -> Case:
    case = Case.objects.get(pk=case.pk)
    return case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))


# --- 主办 / 协办 ------------------------------------------------------------------------------------


def test_a_slips_new_case_goes_to_the_lead_as_lead_and_the_assisting_unit_assists(mworld, topic):
    wj = Category.objects.get(code="WJ01")
    slip = bound_slip(mworld, topic, new_cases=[NewCase(wj, mworld.tree.b1, "3号楼底层私搭棚屋一处")])
    created = slip.cases.get()
    assert created.state == State.DISPATCHED and created.handle_due is not None
    assert created.post == mworld.cases.post  # the property company's post for estate E1
    cg_post = created.assisting_posts.get()
    assert cg_post.unit == mworld.units["cg"]
    dispatch = created.events.get(action="dispatch")
    assert dispatch.actor is None and dispatch.data["slip"] == slip.pk
    assert dispatch.data["assisting"] == [cg_post.code]
    assert slip.events.get(action="bind").data["undispatched"] == []
    # the lead's holder is told, as for any dispatch
    assert OutboxMessage.objects.filter(kind="case.dispatched", recipient=mworld.users["wy"]).exists()

    # 协办: the urban-management officer sees the case, reports progress with a photo...
    cg, outsider = mworld.users["cg"], mworld.cases.outsider
    assert Case.objects.filter(access.cases_q(cg), pk=created.pk).count() == 1
    assert not Case.objects.filter(access.cases_q(outsider), pk=created.pk).exists()
    assert "progress" in notes_for(cg, created) and "comment" in notes_for(cg, created)
    with clock.freeze(LATER):
        act(cg, created, "progress", note="已对棚屋业主下达整改通知", files=[photo()])
    event = created.events.get(action="progress")
    assert event.actor == cg and event.attachments.count() == 1
    # ...but neither accepts, submits nor closes it
    assert allowed_for(cg, created) == []
    with pytest.raises(PermissionDeniedError):
        act(cg, created, "accept")
    act(mworld.users["wy"], created, "accept")
    with pytest.raises(PermissionDeniedError):
        act(cg, created, "submit", note="办完了", files=[photo()])
    # progress needs a note; a bad photo is refused and nothing is written
    with pytest.raises(ValidationError) as caught:
        act(cg, created, "progress", note=" ")
    assert "note" in caught.value.message_dict
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        act(cg, created, "progress", note="照片", files=[bad])
    assert "files" in caught.value.message_dict
    assert created.events.filter(action="progress").count() == 1


def test_an_assisting_post_must_be_one_the_case_may_go_to(mworld):
    case = problem(mworld)
    dispatcher = mworld.cases.dispatcher
    act(dispatcher, case, "register")
    far = mworld.cases.outsider  # committee staff of another residential area
    far_post = access.scope(far).post_ids
    from gongzhi.orgs.models import Post

    with pytest.raises(ValidationError) as caught:
        act(dispatcher, case, "dispatch", assisting=list(Post.objects.filter(pk__in=far_post)))
    assert "assisting" in caught.value.message_dict
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    cg_post = Post.objects.get(code="POST-cg")
    act(dispatcher, case, "dispatch", assisting=[cg_post])
    assert list(Case.objects.get(pk=case.pk).assisting_posts.all()) == [cg_post]
    with pytest.raises(ValidationError) as caught:  # only a dispatch names assisting posts
        act(mworld.users["wy"], case, "accept", assisting=[cg_post])
    assert "assisting" in caught.value.message_dict


# --- completion in the case's transaction --------------------------------------------------------


def test_the_last_case_closing_completes_the_slip_in_the_same_transaction(mworld, topic):
    case = topic.cases.get()
    slip = bound_slip(mworld, topic, cases=[case])
    assert slips.complete_on_case_finished in hooks.on_case_finished._callbacks
    with clock.freeze(LATER):
        close_case(mworld, case)
    slip.refresh_from_db()  # no follow-up sweep has run
    assert slip.state == SlipState.DONE and slip.done_at == LATER
    complete = slip.events.get(action="complete")
    assert complete.actor is None and complete.data["case"] == case.pk
    assert OutboxMessage.objects.filter(kind="slip.done", recipient=mworld.users["secretary"]).exists()
    assert slips.slips_follow_up(LATER).done == 0


def test_a_rolled_back_close_leaves_the_slip_as_it_was(mworld, topic):
    case = topic.cases.get()
    slip = bound_slip(mworld, topic, cases=[case])
    world = mworld.cases
    act(world.dispatcher, case, "register")
    act(world.dispatcher, case, "dispatch")
    act(world.handler, case, "accept")
    act(world.handler, case, "submit", note="已清理", files=[photo()])
    seq = Slip.objects.get(pk=slip.pk).seq

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        act(world.dispatcher, case, "verify", files=[photo()])
        assert Slip.objects.get(pk=slip.pk).state == SlipState.DONE  # inside: done with the case
        raise Abort
    slip.refresh_from_db()
    assert Case.objects.get(pk=case.pk).state == State.AWAITING_VERIFICATION
    assert slip.state == SlipState.BINDING and slip.seq == seq and slip.done_at is None
    assert not MeetingEvent.objects.filter(slip=slip, action="complete").exists()
    assert not OutboxMessage.objects.filter(kind="slip.done").exists()


def test_a_voided_case_alone_does_not_complete_a_slip(mworld, topic):
    case = topic.cases.get()
    slip = bound_slip(mworld, topic, cases=[case])
    act(mworld.cases.dispatcher, case, "void", note="重复上报")
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING  # finished, but nothing was closed


# --- a slip without cases ------------------------------------------------------------------------


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")


def test_a_slip_without_cases_is_reported_confirmed_or_returned(mworld, topic):
    users = mworld.users
    slip = bound_slip(mworld, topic)
    # only the lead unit reports it done
    with pytest.raises(PermissionDeniedError):
        completion.slip_submit_completion(actor=users["cg"], slip=slip, note="完成", files=[photo()])
    with clock.freeze(LATER):
        completion.slip_submit_completion(
            actor=users["wy"], slip=slip, note="已清理并排定每周巡查", files=[photo(), pdf()], seq=slip.seq
        )
    slip.refresh_from_db()
    assert slip.state == SlipState.CONFIRMING
    report = completion.latest_report(slip)
    assert report is not None and report.note == "已清理并排定每周巡查"
    kinds = sorted(e.content_type for e in report.evidence.all())
    assert kinds == ["application/pdf", "image/jpeg"]
    assert SlipEvidence.objects.get(content_type="image/jpeg").thumbnail
    assert OutboxMessage.objects.filter(kind="slip.to_confirm", recipient=users["secretary"]).exists()

    # only the Party organisation confirms or returns; a return needs a reason
    for someone in ("wy", "jwh", "cg"):
        with pytest.raises(PermissionDeniedError):
            completion.slip_confirm_completion(actor=users[someone], slip=slip)
    with pytest.raises(ValidationError) as caught:
        completion.slip_return_completion(actor=users["secretary"], slip=slip, note="  ")
    assert "note" in caught.value.message_dict
    completion.slip_return_completion(actor=users["secretary"], slip=slip, note="缺少巡查记录照片")
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING
    assert slip.events.order_by("-id").first().note == "缺少巡查记录照片"
    assert OutboxMessage.objects.filter(kind="slip.completion_returned", recipient=users["wy"]).exists()

    # reported again, then confirmed: done, and the Party organisation may evaluate it
    with clock.freeze(LATER + timedelta(days=1)):
        completion.slip_submit_completion(actor=users["wy"], slip=slip, note="补充巡查记录", files=[photo()])
        completion.slip_confirm_completion(actor=users["secretary"], slip=slip, note="属实")
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE and slip.done_at == LATER + timedelta(days=1)
    assert OutboxMessage.objects.filter(kind="slip.confirmed", recipient=users["wy"]).exists()
    states = list(slip.events.order_by("id").values_list("action", "to_state"))
    assert states[-4:] == [
        ("submit_completion", "confirming"),
        ("return_completion", "binding"),
        ("submit_completion", "confirming"),
        ("confirm_completion", "done"),
    ]
    slips.slip_evaluate(actor=users["secretary"], slip=slip, rating="good")
    with pytest.raises(ConflictError):  # done is done
        completion.slip_submit_completion(actor=users["wy"], slip=slip, note="再报", files=[photo()])


@pytest.mark.parametrize(
    ("note", "files", "field"),
    [
        ("", "photo", "note"),
        ("办完了", "", "files"),
        ("办完了", "junk", "files"),
        ("办完了", "seven", "files"),
        ("长" * 2001, "photo", "note"),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_written(mworld, topic, note, files, field):
    slip = bound_slip(mworld, topic)
    uploads = {
        "": [],
        "photo": [photo()],
        "junk": [SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")],
        "seven": [photo(f"{i}.jpg") for i in range(7)],
    }[files]
    with pytest.raises(ValidationError) as caught:
        completion.slip_submit_completion(actor=mworld.users["wy"], slip=slip, note=note, files=uploads)
    assert field in caught.value.message_dict
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING
    assert not SlipEvidence.objects.exists()
    assert not slip.events.filter(action="submit_completion").exists()


def test_a_slip_with_cases_is_not_reported_done_by_hand(mworld, topic):
    slip = bound_slip(mworld, topic, cases=[topic.cases.get()])
    with pytest.raises(ConflictError):
        completion.slip_submit_completion(actor=mworld.users["wy"], slip=slip, note="完成", files=[photo()])
    with pytest.raises(ConflictError):  # a stale page
        completion.slip_confirm_completion(actor=mworld.users["secretary"], slip=slip, seq=slip.seq - 1)


# --- a case reopened after its slip is done ------------------------------------------------------


def test_a_reopened_case_makes_its_done_slip_binding_again_in_the_same_transaction(mworld, topic):
    case = topic.cases.get()
    slip = bound_slip(mworld, topic, cases=[case])
    assert slips.reopen_on_case_reopened in hooks.on_case_reopened._callbacks
    with clock.freeze(LATER):
        close_case(mworld, case)
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE
    dispatcher = mworld.cases.dispatcher
    with clock.freeze(LATER + timedelta(days=1)):
        act(dispatcher, case, "reopen", note="居民反映楼道又堆满了")
    slip.refresh_from_db()
    assert slip.state == SlipState.BINDING and slip.done_at is None
    reopened = slip.events.order_by("-id").first()
    assert (reopened.action, reopened.from_state, reopened.to_state) == ("reopen", "done", "binding")
    assert (
        reopened.actor is None
        and reopened.data["case"] == case.pk
        and reopened.note == "居民反映楼道又堆满了"
    )
    told = OutboxMessage.objects.filter(kind="slip.reopened")
    assert {m.recipient for m in told} >= {mworld.users["wy"], mworld.users["cg"]}
    assert slips.slips_follow_up(LATER + timedelta(days=1)).done == 0  # the case is open again
    # it completes again with the case
    with clock.freeze(LATER + timedelta(days=3)):
        for user, action, kw in [
            (mworld.users["wy"], "submit", {"note": "再次清理", "files": [photo()]}),
            (dispatcher, "verify", {"files": [photo()]}),
        ]:
            act(user, case, action, **kw)
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE and slip.done_at == LATER + timedelta(days=3)


def test_a_rolled_back_reopen_leaves_the_slip_done(mworld, topic):
    case = topic.cases.get()
    slip = bound_slip(mworld, topic, cases=[case])
    with clock.freeze(LATER):
        close_case(mworld, case)

    def fail(_case, _event):
        raise RuntimeError("a later step failed")

    hooks.on_case_reopened.register(fail)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            act(mworld.cases.dispatcher, case, "reopen", note="重新办理")
    finally:
        hooks.on_case_reopened.unregister(fail)
    slip.refresh_from_db()
    assert slip.state == SlipState.DONE and not slip.events.filter(action="reopen").exists()
    assert Case.objects.get(pk=case.pk).state == State.CLOSED
