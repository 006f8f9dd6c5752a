"""The outbox and its dispatcher against real channels: the inbox, Django's locmem email
backend, and a robot endpoint on 127.0.0.1 (see conftest)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from gongzhi.core import clock, outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.core.outbox import OutboxSpec
from gongzhi.notify.channels import signed_url
from gongzhi.notify.dispatch import BACKOFF_MINUTES, dispatch_pending, retry
from gongzhi.notify.models import Channel, Delivery, InboxItem
from gongzhi.notify.selectors import inbox, inbox_unread_count
from gongzhi.notify.services import inbox_mark_read
from gongzhi.testing.factories import UserFactory

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
Status = OutboxMessage.Status


def put(spec: OutboxSpec) -> OutboxMessage:
    with clock.freeze(T0), transaction.atomic():
        return outbox.enqueue(spec)


def personal(user, **kw) -> OutboxSpec:
    return OutboxSpec(
        kind=kw.pop("kind", "case.dispatched"),
        subject="新派工单：工单 2026112300000001（楼道堆物，东安一村1号楼）",
        body="请于 11月24日 10:00 前处置完毕。",
        recipient=user,
        node_path=kw.pop("node_path", "/S/S-K1/S-R1/"),
        payload={"case_id": 1, "link": "/cases/1/"},
    )


def group(**kw) -> OutboxSpec:
    return OutboxSpec(
        kind=kw.pop("kind", "case.overdue"),
        subject="【超时】工单 2026112300000001",
        body="已超过处置时限。",
        node_path=kw.pop("node_path", "/S/S-K1/S-R1/"),
        payload={"link": "/cases/1/"},
    )


def webhook(robot, **kw) -> Channel:
    fields = {"name": "东安居民区群", "kind": Channel.Kind.WEBHOOK, "url": robot.url, "format": "wecom", **kw}
    return Channel.objects.create(**fields)


def test_enqueue_writes_only_when_the_caller_commits(db):
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(personal(user))
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    message = put(personal(user))
    assert message.status == Status.PENDING and message.next_attempt_at == T0 and message.attempts == 0


def test_enqueue_kicks_the_broker_after_commit_only_in_production(
    db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from celery import current_app

    sent: list[str] = []
    monkeypatch.setattr(current_app, "send_task", lambda name, **kw: sent.append(name))
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.enqueue_all([personal(user), personal(user)])
    assert len(callbacks) == 1 and sent == []  # embedded (eager): nothing to kick
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(personal(user))
    assert sent == [outbox.DISPATCH_TASK]


def test_a_broker_outage_does_not_fail_the_commit(
    db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from celery import current_app

    def down(name, **kw):
        raise ConnectionError("redis down")

    monkeypatch.setattr(current_app, "send_task", down)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(personal(UserFactory()))
    assert OutboxMessage.objects.get().status == Status.PENDING


def test_inbox_and_email_for_a_user(db):
    user = UserFactory(email="wang@example.org")
    Channel.objects.create(name="邮件", kind=Channel.Kind.EMAIL)
    message = put(personal(user))
    result = dispatch_pending(T0)
    assert (result.sent, result.failed, result.dead) == (1, 0, 0)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at == T0 and message.attempts == 1
    item = InboxItem.objects.get()
    assert item.user == user and item.title == message.subject and item.link == "/cases/1/"
    assert [m.to for m in mail.outbox] == [["wang@example.org"]]
    assert mail.outbox[0].subject == message.subject and "/cases/1/" in mail.outbox[0].body
    assert sorted(Delivery.objects.values_list("channel_key", "ok")) == [("email", True), ("inbox", True)]
    # nothing is due any more
    assert dispatch_pending(T0 + timedelta(hours=1)).sent == 0
    assert InboxItem.objects.count() == 1 and len(mail.outbox) == 1


def test_inbox_reads_are_per_user(db):
    alice, bob = UserFactory(), UserFactory()
    put(personal(alice))
    put(personal(alice))
    put(personal(bob))
    dispatch_pending(T0)
    assert inbox_unread_count(user=alice) == 2 and inbox_unread_count(user=bob) == 1
    bobs = list(inbox(user=bob).values_list("pk", flat=True))
    assert inbox_mark_read(user=alice, ids=bobs) == 0  # not hers
    assert inbox_mark_read(user=alice) == 2
    assert inbox_unread_count(user=alice) == 0 and inbox_unread_count(user=bob) == 1


def test_nobody_signed_in_has_an_empty_inbox_and_marks_nothing_read(db):
    bob = UserFactory(username="bob")
    put(personal(bob))
    dispatch_pending(T0)
    nobody = AnonymousUser()
    assert list(inbox(user=nobody)) == [] and inbox_unread_count(user=nobody) == 0
    assert inbox_mark_read(user=nobody) == 0
    assert inbox_unread_count(user=bob) == 1


def test_a_user_without_email_gets_the_inbox_only(db):
    Channel.objects.create(name="邮件", kind=Channel.Kind.EMAIL)
    message = put(personal(UserFactory(email="")))
    dispatch_pending(T0)
    message.refresh_from_db()
    assert message.status == Status.SENT and not mail.outbox
    assert list(message.deliveries.values_list("channel_key", flat=True)) == ["inbox"]


def test_wecom_robot_gets_a_text_message(db, robot, settings):
    settings.NOTIFY_SITE_URL = "https://gongzhi.example.gov.cn/"
    webhook(robot)
    message = put(group())
    assert dispatch_pending(T0).sent == 1
    assert robot.received == [
        {
            "msgtype": "text",
            "text": {
                "content": "【超时】工单 2026112300000001\n已超过处置时限。\nhttps://gongzhi.example.gov.cn/cases/1/"
            },
        }
    ]
    assert robot.paths == ["/cgi-bin/webhook/send?key=test-key"]
    message.refresh_from_db()
    assert message.status == Status.SENT and not InboxItem.objects.exists()  # robots only


def test_dingtalk_keyword_and_signature(db, robot):
    webhook(robot, format="dingtalk", keyword="工单", secret="SEC123")
    put(group(kind="case.supervised"))
    dispatch_pending(T0)
    content = robot.received[0]["text"]["content"]
    assert content.startswith("【超时】工单")  # the keyword is already there: not added again
    assert "timestamp=" in robot.paths[0] and "&sign=" in robot.paths[0]
    Channel.objects.update(keyword="共治")
    put(group())
    dispatch_pending(T0)
    assert robot.received[1]["text"]["content"].startswith("【共治】【超时】")


def test_dingtalk_signature_is_the_documented_one():
    # HMAC-SHA256 over "timestamp\nsecret", base64, URL-quoted (DingTalk's 加签 document).
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SEC", 1700000000000)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign=")
    assert url.endswith("%3D")  # base64 padding, quoted


def test_robots_by_scope_and_kind(db, robot, tree):
    webhook(robot, name="东安", scope=tree.r1)
    webhook(robot, name="南丹", scope=tree.r3)
    webhook(robot, name="街道指挥中心", scope=tree.street, message_kinds="case.supervised, case.overdue")
    put(group(kind="case.dispatched", node_path=tree.b1.path))
    dispatch_pending(T0)
    assert len(robot.received) == 1  # 东安 only: not 南丹, and the street takes only two kinds
    put(group(kind="case.overdue", node_path=tree.b1.path))
    dispatch_pending(T0)
    assert len(robot.received) == 3  # 东安 and the street


def test_failing_robot_backs_off_then_dies_and_keeps_what_succeeded(db, robot):
    robot.status = 500
    webhook(robot)
    ok_user = UserFactory()
    mine = put(personal(ok_user))
    message = put(group())
    now = T0
    for attempt, wait in enumerate(BACKOFF_MINUTES, start=1):
        dispatch_pending(now)
        message.refresh_from_db()
        assert message.status == Status.FAILED and message.attempts == attempt
        assert message.next_attempt_at == now + timedelta(minutes=wait)
        assert "HTTP 500" in message.last_error and "key=" not in message.last_error
        assert dispatch_pending(message.next_attempt_at - timedelta(seconds=1)).failed == 0  # not yet due
        now = message.next_attempt_at
    dispatch_pending(now)
    message.refresh_from_db()
    assert message.status == Status.DEAD and message.attempts == len(BACKOFF_MINUTES) + 1
    assert len(robot.received) == len(BACKOFF_MINUTES) + 1
    assert message.deliveries.filter(ok=False).count() == len(BACKOFF_MINUTES) + 1
    mine.refresh_from_db()
    assert mine.status == Status.SENT  # a user's inbox does not wait for a broken robot
    assert dispatch_pending(now + timedelta(days=1)).dead == 0  # dead stays dead


def test_errcode_in_a_200_reply_is_a_failure(db, robot):
    robot.reply = {"errcode": 93000, "errmsg": "invalid webhook url"}
    webhook(robot)
    message = put(group())
    assert dispatch_pending(T0).failed == 1
    message.refresh_from_db()
    assert "93000" in message.last_error


def test_unreachable_robot_fails_within_the_timeout(db, robot, settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 2
    Channel.objects.create(name="关了的", kind="webhook", format="wecom", url="http://127.0.0.1:9/send")
    message = put(group())
    dispatch_pending(T0)
    message.refresh_from_db()
    assert message.status == Status.FAILED and "无法连接机器人" in message.last_error


def test_retry_resends_only_the_failed_channel(db, robot):
    good = webhook(robot, name="好")
    bad = Channel.objects.create(name="坏", kind="webhook", format="wecom", url="http://127.0.0.1:9/send")
    message = put(group())
    dispatch_pending(T0)
    message.refresh_from_db()
    assert message.status == Status.FAILED and "坏" in message.last_error and "好" not in message.last_error
    Channel.objects.filter(pk=bad.pk).update(url=robot.url)
    dispatch_pending(message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(robot.received) == 2  # 好 once (first pass), 坏 once (retry)
    assert set(message.deliveries.filter(ok=True).values_list("channel_id", flat=True)) == {good.pk, bad.pk}


def test_retry_action_revives_dead_messages(db):
    message = put(group())
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.DEAD, attempts=5)
    sent = put(group())
    OutboxMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    assert retry(OutboxMessage.objects.all(), now=T0) == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 0 and message.next_attempt_at == T0


def test_a_claimed_message_is_not_sent_twice(db, robot):
    webhook(robot)
    put(group())
    from gongzhi.notify.dispatch import _claim

    pk = OutboxMessage.objects.get().pk
    assert _claim(pk, T0) is True and _claim(pk, T0) is False  # a second dispatcher loses
    assert dispatch_pending(T0).sent == 0 and robot.received == []


def test_no_channel_applies(db):
    Channel.objects.all().delete()
    message = put(group())
    dispatch_pending(T0)
    message.refresh_from_db()
    assert message.status == Status.SENT and not message.deliveries.exists()


def test_inactive_channels_are_skipped(db):
    Channel.objects.update(active=False)
    put(personal(UserFactory()))
    dispatch_pending(T0)
    assert not InboxItem.objects.exists()


def test_webhook_channel_needs_a_url_and_a_format(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        Channel(name="x", kind="webhook", url="file:///etc/passwd").full_clean()
    assert {"url", "format"} <= set(exc.value.message_dict)


def test_the_command_runs_one_pass(db):
    put(personal(UserFactory()))
    from io import StringIO

    out = StringIO()
    call_command("notify_dispatch", stdout=out)
    assert "已发送 1 条" in out.getvalue() and InboxItem.objects.count() == 1
