"""Who is told what on each case event (cases.notifications), and the whole path from an event
to a user's inbox and the area's robot."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from gongzhi.cases import notifications
from gongzhi.cases.models import Case
from gongzhi.cases.services import Act, Intake, case_act, case_create, case_rate
from gongzhi.cases.states import Source
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.core import clock, outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.notify.dispatch import dispatch_pending
from gongzhi.notify.models import Channel, InboxItem
from gongzhi.orgs.models import Person
from gongzhi.testing.factories import PersonFactory, UserFactory

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def act(user, case, action, **kw) -> tuple[Case, list[outbox.OutboxSpec]]:
    """Apply an action and return the case and the messages its event causes."""
    case.refresh_from_db()
    with clock.freeze(NOW):
        case = case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))
    event = case.events.get(seq=case.version)
    return case, notifications.messages_for_event(case, event)


def who(specs) -> list[tuple[str, str]]:
    return sorted((s.kind, s.recipient.username if s.recipient else "robot") for s in specs)


@pytest.fixture
def case(world) -> Case:
    with clock.freeze(NOW):
        reporter = UserFactory(username="resident")
        intake = Intake(
            node=world.tree.b1,
            text="王大爷13812345678说楼道堆满纸板",
            source=Source.RESIDENT,
            category=world.category,
        )
        return case_create(actor=reporter, intake=intake)


def test_dispatch_tells_the_post_and_the_area_robot(world, case):
    case, _ = act(world.dispatcher, case, "register")
    case, specs = act(world.dispatcher, case, "dispatch")
    assert who(specs) == [("case.dispatched", "handler"), ("case.dispatched", "robot")]
    personal = specs[0]
    assert case.number in personal.subject and "楼道堆物" in personal.subject
    assert "11月24日 09:00" in personal.body  # the handling deadline, in Shanghai time
    assert personal.payload == {
        "case_id": case.pk,
        "case_number": case.number,
        "link": f"/cases/{case.pk}/",
        "event_seq": case.version,
    }
    assert personal.node_path == world.tree.b1.path
    for spec in specs:  # never the resident's words or number
        assert "13812345678" not in spec.body + spec.subject and "王大爷" not in spec.body


def test_the_deputy_is_told_too_and_each_user_once(world, case):
    deputy_user = UserFactory(username="deputy")
    deputy = PersonFactory(name="物业小李")
    Person.objects.filter(pk=deputy.pk).update(user=deputy_user)
    world.post.deputy = Person.objects.get(pk=deputy.pk)
    world.post.save()
    case, _ = act(world.dispatcher, case, "register")
    _, specs = act(world.dispatcher, case, "dispatch")
    assert who(specs) == [
        ("case.dispatched", "deputy"),
        ("case.dispatched", "handler"),
        ("case.dispatched", "robot"),
    ]


def test_reassign_tells_the_new_post_and_releases_the_old(world, case):
    from gongzhi.testing.factories import make_staff

    other_user = make_staff("other", "property_staff", world.tree.e1)
    other_post = other_user.person.posts.get()
    case, _ = act(world.dispatcher, case, "register")
    case, _ = act(world.dispatcher, case, "dispatch")
    _, specs = act(world.dispatcher, case, "reassign", post=other_post, note="该楼栋由二号物业负责")
    assert who(specs) == [
        ("case.dispatched", "other"),
        ("case.dispatched", "robot"),
        ("case.reassigned", "handler"),
    ]


def test_return_submit_close_reopen(world, case):
    case, _ = act(world.dispatcher, case, "register")
    case, _ = act(world.dispatcher, case, "dispatch")
    case, specs = act(world.handler, case, "return", note="不归我们管，请联系业主13912345678")
    assert who(specs) == [("case.returned", "r1staff")]
    assert "139****5678" in specs[0].body and "13912345678" not in specs[0].body
    case, _ = act(world.dispatcher, case, "dispatch")
    case, _ = act(world.handler, case, "accept")
    case, specs = act(world.handler, case, "submit", note="已清理", files=[photo()])
    assert who(specs) == [("case.submitted", "r1staff")]
    case, specs = act(world.dispatcher, case, "verify", files=[photo()])
    assert who(specs) == [("case.closed", "handler"), ("case.closed", "resident")]
    with clock.freeze(NOW):
        case = case_rate(case=case, satisfaction="unsatisfied", note="又堆上了")
    reopen = case.events.get(seq=case.version)
    assert who(notifications.messages_for_event(case, reopen)) == [("case.reopened", "handler")]


def test_escalation_tells_the_next_rung(world, case):
    case, _ = act(world.dispatcher, case, "register")
    case, _ = act(world.dispatcher, case, "record_attempt", note="多次上门劝说无果")
    _, specs = act(world.dispatcher, case, "escalate", note="需块区协调")
    assert who(specs) == [("case.escalated", "k1cadre")]


def test_reminders_by_people_and_by_the_sweep(world, case):
    case, _ = act(world.dispatcher, case, "register")
    case, _ = act(world.dispatcher, case, "dispatch")
    case, specs = act(world.dispatcher, case, "remind", note="请尽快")
    assert who(specs) == [("case.reminder", "handler")]
    case, specs = act(world.street, case, "supervise", note="街道督办")
    assert who(specs) == [("case.supervised", "handler")]
    _, specs = act(None, case, "remind")  # the sweep words its own
    assert specs == []
    _, specs = act(world.dispatcher, case, "comment", note="已电话联系")
    assert specs == []


def test_from_event_to_inbox_and_robot(world, case, robot):
    """case_act enqueues in the event's transaction; the dispatcher delivers."""
    Channel.objects.create(
        name="东安居民区群", kind="webhook", format="wecom", url=robot.url, scope=world.tree.r1
    )
    case, _ = act(world.dispatcher, case, "register")
    with clock.freeze(NOW), transaction.atomic():
        case, _specs = act(world.dispatcher, case, "dispatch")
    # the new case told its dispatcher; the dispatch told the handler and the area's robot
    assert dispatch_pending(NOW).sent == 3
    assert InboxItem.objects.get(user=world.dispatcher).title.startswith("新工单待受理")
    item = InboxItem.objects.get(user=world.handler)
    assert item.title.startswith("新派工单") and item.link == f"/cases/{case.pk}/"
    assert robot.received[0]["text"]["content"].startswith("【派单】")


def test_case_act_enqueues_in_its_transaction(world, case):
    case, _ = act(world.dispatcher, case, "register")
    act(world.dispatcher, case, "dispatch")
    assert OutboxMessage.objects.filter(kind="case.dispatched", recipient=world.handler).count() == 1
