"""The case workflow through its services: intake, routing, each action's rules, concurrency."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases import selectors
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Act, Intake, allowed_for, case_act, case_create, case_rate
from gongzhi.cases.states import Rung, Source, State
from gongzhi.core.errors import ConflictError, PermissionDeniedError


def photo(name: str = "p.jpg") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (800, 600), (200, 80, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def new_case(world, **extra) -> Case:
    intake = Intake(
        node=world.tree.b1,
        text="3楼楼道堆满纸板，影响通行",
        source=Source.PATROL,
        category=world.category,
        **extra,
    )
    return case_create(actor=world.dispatcher, intake=intake)


def act(user, case, action, **kw) -> Case:
    case.refresh_from_db()
    return case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))


def test_intake_routes_to_the_post_and_sets_the_dispatch_deadline(world):
    case = new_case(world)
    assert case.state == State.RECEIVED
    assert case.post == world.post
    assert case.dispatch_due is not None and case.dispatch_due > case.created_at
    assert case.node_path == world.tree.b1.path
    assert list(case.events.values_list("action", "to_state")) == [("create", State.RECEIVED)]
    assert case.number.endswith(f"{case.pk:08d}")


def test_bad_intake_writes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        case_create(actor=None, intake=Intake(node=world.tree.b1, text="x" * 4001, source=Source.RESIDENT))
    assert "text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        case_create(
            actor=None,
            intake=Intake(
                node=world.tree.b1,
                text="坏照片",
                source=Source.RESIDENT,
                files=[SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")],
            ),
        )
    assert "files" in exc.value.message_dict
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_replayed_external_id_returns_the_same_case(world):
    first = case_create(
        actor=None,
        intake=Intake(node=world.tree.b1, text="热线转办", source=Source.HOTLINE, external_id="12345-001"),
    )
    again = case_create(
        actor=None,
        intake=Intake(node=world.tree.b1, text="热线转办", source=Source.HOTLINE, external_id="12345-001"),
    )
    assert first.pk == again.pk and Case.objects.count() == 1


def test_full_loop_to_closed_and_rated(world):
    case = new_case(world)
    case = act(world.dispatcher, case, "register")
    case = act(world.dispatcher, case, "dispatch")
    assert case.handle_due is not None
    assert allowed_for(world.handler, case) == ["accept", "return"]
    case = act(world.handler, case, "accept")
    case = act(world.handler, case, "submit", note="已清理", files=[photo()])
    case = act(world.dispatcher, case, "verify", files=[photo("after.jpg")])
    assert case.state == State.CLOSED and case.closed_at is not None
    case = case_rate(case=case, satisfaction="satisfied")
    assert case.state == State.CLOSED and case.satisfaction == "satisfied"
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["create", "register", "dispatch", "accept", "submit", "verify", "rate"]
    assert case.events.get(action="rate").data == {"satisfaction": "satisfied"}  # the log tells the grade
    # the state replays from the events
    assert list(case.events.order_by("seq").values_list("to_state", flat=True))[-1] == case.state
    assert case.events.get(action="verify").attachments.get().thumbnail


def test_unsatisfied_callback_reopens_as_rework(world):
    case = new_case(world)
    for user, action, kw in [
        (world.dispatcher, "register", {}),
        (world.dispatcher, "dispatch", {}),
        (world.handler, "accept", {}),
        (world.handler, "submit", {"note": "已清理", "files": [photo()]}),
        (world.dispatcher, "verify", {"files": [photo()]}),
    ]:
        case = act(user, case, action, **kw)
    case = case_rate(case=case, satisfaction="unsatisfied", note="又堆上了")
    assert case.state == State.IN_PROGRESS and case.rework_count == 1 and case.post == world.post


def test_photo_after_is_required_by_policy(world):
    case = new_case(world)
    for user, action in [
        (world.dispatcher, "register"),
        (world.dispatcher, "dispatch"),
        (world.handler, "accept"),
    ]:
        case = act(user, case, action)
    with pytest.raises(ValidationError) as exc:
        act(world.handler, case, "submit", note="已清理")
    assert "files" in exc.value.message_dict
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS


def test_forbidden_transition_is_a_conflict_naming_allowed_actions(world):
    case = new_case(world)
    with pytest.raises(ConflictError) as exc:
        act(world.dispatcher, case, "verify", files=[photo()])
    assert "register" in str(exc.value) and "void" in str(exc.value)


def test_stale_version_is_a_conflict_and_changes_nothing(world):
    case = new_case(world)
    stale = case.version
    act(world.dispatcher, case, "register")
    with pytest.raises(ConflictError):
        case_act(actor=world.dispatcher, case=case, act=Act(action="void", version=stale, note="重复"))
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_outsider_cannot_act_or_see(world):
    case = new_case(world)
    with pytest.raises(PermissionDeniedError):
        act(world.outsider, case, "register")
    assert selectors.case_get(user=world.outsider, pk=case.pk) is None
    assert selectors.case_get(user=world.dispatcher, pk=case.pk) is not None
    assert selectors.case_get(user=world.handler, pk=case.pk) is not None  # assigned post


def test_void_needs_a_reason(world):
    case = new_case(world)
    with pytest.raises(ValidationError) as exc:
        act(world.dispatcher, case, "void")
    assert "note" in exc.value.message_dict


def test_escalation_needs_a_local_attempt_and_goes_one_rung(world):
    case = new_case(world)
    case = act(world.dispatcher, case, "register")
    with pytest.raises(ValidationError) as exc:
        act(world.dispatcher, case, "escalate", note="解决不了")
    assert "处置尝试" in exc.value.message_dict["note"][0]
    case = act(world.dispatcher, case, "record_attempt", note="约谈物业两次，业主拒不清理")
    case = act(world.dispatcher, case, "escalate", note="需城管联合执法")
    assert case.state == State.ESCALATED and case.rung == Rung.BLOCK
    # now the block dispatches; the committee no longer can
    assert "dispatch" in allowed_for(world.block, case)
    assert "dispatch" not in allowed_for(world.dispatcher, case)


def test_local_only_category_never_goes_up(world):
    from gongzhi.orgs.models import Category

    case = case_create(
        actor=None,
        intake=Intake(
            node=world.tree.b1,
            text="邻居吵架",
            source=Source.RESIDENT,
            category=Category.objects.get(code="AQ02"),
        ),
    )
    case = act(world.dispatcher, case, "register")
    case = act(world.dispatcher, case, "record_attempt", note="调解一次")
    with pytest.raises(ValidationError) as exc:
        act(world.dispatcher, case, "escalate", note="上报")
    assert "不得上报" in exc.value.message_dict["note"][0]


def test_street_can_pull_any_case(world):
    case = new_case(world)
    case = act(world.street, case, "pull", note="市领导关注")
    assert case.rung == Rung.STREET and case.state == State.ESCALATED


def test_merge_and_unmerge_are_audited(world):
    master = new_case(world)
    dup = new_case(world)
    dup = act(world.dispatcher, dup, "merge", master=master)
    assert dup.state == State.MERGED and dup.master == master
    dup = act(world.dispatcher, dup, "unmerge", note="并错了")
    assert dup.state == State.RECEIVED and dup.master is None
    assert list(dup.events.values_list("action", flat=True)) == ["create", "merge", "unmerge"]


def test_callback_link_rates_once_and_expires(world):
    import time

    from django.core import signing

    from gongzhi.cases.callback import SALT, callback_token, case_for_token, rate_by_token

    case = new_case(world)
    for user, action, kw in [
        (world.dispatcher, "register", {}),
        (world.dispatcher, "dispatch", {}),
        (world.handler, "accept", {}),
        (world.handler, "submit", {"note": "已清理", "files": [photo()]}),
        (world.dispatcher, "verify", {"files": [photo()]}),
    ]:
        case = act(user, case, action, **kw)
    token = callback_token(case)
    rated = rate_by_token(token=token, satisfaction="basically")
    assert rated.satisfaction == "basically"
    with pytest.raises(ConflictError):
        rate_by_token(token=token, satisfaction="satisfied")
    with pytest.raises(ValidationError) as exc:
        rate_by_token(token=token + "x", satisfaction="satisfied")
    assert "无效" in exc.value.message_dict["token"][0]

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 8 * 86400)

    with pytest.raises(ValidationError) as exc:
        case_for_token(EightDaysAgo(salt=SALT).sign(str(case.pk)))
    assert "过期" in exc.value.message_dict["token"][0]
