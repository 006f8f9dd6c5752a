"""The transactional outbox: a service writes the notification row in its own transaction, so
a message exists exactly when the change it reports committed; gongzhi.notify sends it later,
with retries. Sending never happens inside the caller's transaction.

After commit, `enqueue` kicks the dispatcher through the Celery broker when one is configured
(production). In embedded mode nothing is kicked: `gongzhi notify_dispatch` (cron, every
minute) or the eager task sends the pending rows.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage

log = logging.getLogger(__name__)

# By name, so core need not import notify (which sits above it in the layers).
DISPATCH_TASK = "gongzhi.notify.tasks.dispatch_outbox"


@dataclass(frozen=True)
class OutboxSpec:
    """One notification to write: for `recipient` (a user) or, when None, for the group robots
    over `node_path`. No clear personal data in subject or body."""

    kind: str
    subject: str
    body: str = ""
    recipient: Any = None
    node_path: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


def enqueue(spec: OutboxSpec) -> OutboxMessage:
    """Write one message in the caller's transaction and kick the dispatcher after commit."""
    return enqueue_all([spec])[0]


def enqueue_all(specs: Iterable[OutboxSpec]) -> list[OutboxMessage]:
    """Write the messages in the caller's transaction; one kick after commit for all of them."""
    now = clock.now()
    messages = [
        OutboxMessage(
            kind=spec.kind,
            recipient=spec.recipient,
            node_path=spec.node_path,
            subject=spec.subject[:200],
            body=spec.body,
            payload=spec.payload,
            next_attempt_at=now,
            created_at=now,
        )
        for spec in specs
    ]
    if messages:
        OutboxMessage.objects.bulk_create(messages)
        transaction.on_commit(kick)
    return messages


def kick() -> None:
    """Ask a Celery worker to dispatch now. Best effort: if the broker is down the rows stay
    pending and the beat schedule's every-minute dispatch sends them."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        return
    try:
        from celery import current_app

        current_app.send_task(DISPATCH_TASK, retry=False)
    except Exception:  # a broker outage must never fail the user's request
        log.warning(
            "outbox: could not reach the Celery broker; the beat schedule will dispatch", exc_info=True
        )
