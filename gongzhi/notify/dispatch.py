"""The outbox dispatcher: send each due message through the channels that cover it, retry
failures with exponential backoff, give up after the last step and leave it for an admin.

Successful channels are remembered per message, so a retry only repeats the ones that failed.
A message is claimed before it is sent, so the beat schedule, on-commit kicks, several workers
and cron can overlap without double sends:

- on PostgreSQL, by a row lock (SELECT … FOR UPDATE SKIP LOCKED) held while the message is
  sent, its deliveries recorded and its status set, in one transaction: a worker killed
  mid-send (SIGKILL, a lost machine) drops its connection, PostgreSQL rolls back and frees the
  row at once, and the next pass sends it, nothing marked sent that was not;
- on SQLite (embedded mode: one process, one writer, no transaction may wait on HTTP), by
  moving its next attempt past a lease before it is sent.

The one window no claim closes: a worker killed after a robot accepted a post and before the
transaction committed. That post is sent again, with the same idempotency key
(channels.idempotency_key): a receiver that honours it (an SMS gateway, the test sink) keeps
one; a group robot shows the message twice. Delivery is exactly once up to that window.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet

from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.notify import channels
from gongzhi.notify.models import Channel, Delivery

# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last, the message is dead.
BACKOFF_MINUTES = (1, 5, 30, 120)
LEASE = timedelta(minutes=10)  # longer than one message's sends (5 s timeout per robot)
DUE = (OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED)


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0

    def __str__(self) -> str:
        return f"已发送 {self.sent} 条，失败待重试 {self.failed} 条，放弃 {self.dead} 条"


def applicable(message: OutboxMessage, active: list[Channel]) -> list[Channel]:
    """A user's message goes to the inbox and email; a text for a reporter's phone to the SMS
    gateway only; any other message with no user to the robots."""
    if channels.is_sms(message):
        return [channels.sms_channel()]
    personal = message.recipient_id is not None
    chosen: dict[str, Channel] = {}
    for channel in active:
        if (channel.kind == Channel.Kind.WEBHOOK) == personal or not channel.covers(message):
            continue
        chosen.setdefault(channel.key, channel)
    return list(chosen.values())


def dispatch_pending(now: datetime | None = None, *, limit: int = 500) -> DispatchResult:
    """One pass over the due messages (oldest first)."""
    now = now or clock.now()
    active = list(Channel.objects.filter(active=True).select_related("scope"))
    due = (
        OutboxMessage.objects.filter(status__in=DUE, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    result = DispatchResult()
    for pk in list(due):
        with claimed(pk, now) as message:
            if message is None:
                continue  # another dispatcher has it, or sent it meanwhile
            status = dispatch_one(message, active, now)
        if status == OutboxMessage.Status.SENT:
            result.sent += 1
        elif status == OutboxMessage.Status.DEAD:
            result.dead += 1
        else:
            result.failed += 1
    return result


@contextmanager
def claimed(pk: int, now: datetime) -> Iterator[OutboxMessage | None]:
    """The message, claimed for this dispatcher while the block runs; None when it is not due
    any more or another dispatcher holds it."""
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            yield (
                OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=pk, status__in=DUE, next_attempt_at__lte=now)
                .first()
            )
    elif _claim(pk, now):
        yield OutboxMessage.objects.select_related("recipient").get(pk=pk)
    else:
        yield None


def _claim(pk: int, now: datetime) -> bool:
    claimed = OutboxMessage.objects.filter(pk=pk, status__in=DUE, next_attempt_at__lte=now)
    return claimed.update(next_attempt_at=now + LEASE) == 1


def dispatch_one(message: OutboxMessage, active: list[Channel], now: datetime) -> str:
    """Try every channel not yet delivered; record each attempt; set the message's status."""
    attempt = message.attempts + 1
    done = set(Delivery.objects.filter(message=message, ok=True).values_list("channel_key", flat=True))
    errors: list[str] = []
    for channel in applicable(message, active):
        if channel.key in done:
            continue
        try:
            _deliver(message, channel, attempt, now)
        except Exception as exc:  # one broken channel must not stop the queue; the admin sees why
            error = str(exc) if isinstance(exc, channels.DeliveryError) else f"{type(exc).__name__}: {exc}"
            errors.append(f"{channel.name}：{error}")
            _record(message, channel, attempt, now, error)
    message.attempts = attempt
    message.last_error = "\n".join(errors)[:2000]
    if not errors:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
    elif attempt > len(BACKOFF_MINUTES):
        message.status = OutboxMessage.Status.DEAD
    else:
        message.status = OutboxMessage.Status.FAILED
        message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[attempt - 1])
    message.save(update_fields=["attempts", "last_error", "status", "sent_at", "next_attempt_at"])
    return message.status


def _record(message: OutboxMessage, channel: Channel, attempt: int, now: datetime, error: str) -> None:
    Delivery.objects.create(
        message=message,
        channel=channel if channel.pk else None,  # the SMS gateway is settings, not a row
        channel_key=channel.key,
        attempt=attempt,
        at=now,
        ok=not error,
        error=error[:2000],
    )


def _deliver(message: OutboxMessage, channel: Channel, attempt: int, now: datetime) -> None:
    if channel.kind == Channel.Kind.INBOX:
        # The inbox item and its Delivery row commit together, so a retry never doubles it.
        # Only the inbox: a transaction around an HTTP call would hold SQLite's write lock.
        with transaction.atomic():
            channels.send(channel, message)
            _record(message, channel, attempt, now, "")
    elif channels.send(channel, message):
        _record(message, channel, attempt, now, "")


def retry(messages: QuerySet[OutboxMessage], now: datetime | None = None) -> int:
    """Send failed or dead messages again at the next pass, with a fresh run of retries."""
    now = now or clock.now()
    return messages.exclude(status=OutboxMessage.Status.SENT).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=now
    )
