"""The back office shows failed and dead messages with their attempts, and retries them."""

from datetime import UTC, datetime

from django.urls import reverse

from gongzhi.core import clock, outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.core.outbox import OutboxSpec
from gongzhi.notify.dispatch import dispatch_pending
from gongzhi.notify.models import Channel
from gongzhi.testing.factories import UserFactory

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_failed_messages_are_listed_with_their_attempts_and_can_be_retried(db, client, robot):
    robot.status = 500
    Channel.objects.create(name="东安居民区群", kind="webhook", format="wecom", url=robot.url)
    with clock.freeze(T0):
        failing = outbox.enqueue(OutboxSpec(kind="case.overdue", subject="【超时】工单 A"))
        fine = outbox.enqueue(
            OutboxSpec(kind="case.dispatched", subject="新派工单 B", recipient=UserFactory())
        )
    dispatch_pending(T0)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:core_outboxmessage_changelist")

    page = client.get(url, {"state": "problem"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "【超时】工单 A" in body and "新派工单 B" not in body and "HTTP 500" in body

    detail = client.get(reverse("admin:core_outboxmessage_change", args=[failing.pk]))
    assert detail.status_code == 200 and "机器人返回 HTTP 500" in detail.content.decode()

    robot.status = 200
    with clock.freeze(T0):
        done = client.post(
            url, {"action": "retry_now", "_selected_action": [failing.pk, fine.pk]}, follow=True
        )
    assert "已安排重新发送 1 条通知" in done.content.decode()
    failing.refresh_from_db()
    assert failing.status == OutboxMessage.Status.PENDING and failing.attempts == 0
    dispatch_pending(T0)
    failing.refresh_from_db()
    assert failing.status == OutboxMessage.Status.SENT and len(robot.received) == 2


def test_channels_are_edited_in_the_admin(db, client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:notify_channel_changelist")).status_code == 200
    assert client.get(reverse("admin:notify_inboxitem_changelist")).status_code == 200
