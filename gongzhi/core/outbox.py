"""The transactional outbox: a service writes the notification row in its own transaction, so
a message exists exactly when the change it reports committed; gongzhi.notify sends it later,
with retries. Sending never happens inside the caller's transaction.

After commit, `enqueue` kicks the dispatcher through the Celery broker when one is configured
(production). Inside a request the kick waits until the response has been sent (Django's
request_finished), so a slow or dead broker never delays or fails the write the user asked
for; it makes one attempt with a short timeout (OUTBOX_KICK_TIMEOUT) and, failing, leaves the
rows pending for the beat's every-minute dispatch. In embedded mode nothing is kicked:
`gongzhi notify_dispatch` (cron, every minute) or the eager task sends the pending rows.
"""

import logging
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
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
    recipient: User | None = None
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
        transaction.on_commit(_after_commit)
    return messages


# Per request (WSGI runs a request on one thread, so its signals and its view share a context).
_in_request: ContextVar[bool] = ContextVar("outbox_in_request", default=False)
_kick_pending: ContextVar[bool] = ContextVar("outbox_kick_pending", default=False)


def _after_commit() -> None:
    if _in_request.get():
        _kick_pending.set(True)  # sent by _request_finished, after the response
    else:
        kick()  # a command, a Celery task, a test without a request


def _request_started(**kwargs: Any) -> None:
    _in_request.set(True)
    _kick_pending.set(False)


def _request_finished(**kwargs: Any) -> None:
    pending = _kick_pending.get()
    _in_request.set(False)
    _kick_pending.set(False)
    if pending:
        kick()


def connect() -> None:
    """Called from CoreConfig.ready, so even a process's first request defers its kick."""
    request_started.connect(_request_started, dispatch_uid="gongzhi.core.outbox.request_started")
    request_finished.connect(_request_finished, dispatch_uid="gongzhi.core.outbox.request_finished")


def kick_connection() -> Any:
    """A broker connection of its own for the kick: one attempt, OUTBOX_KICK_TIMEOUT seconds to
    connect and to write (the app's pool would retry for broker_connection_timeout, 4 s, and
    the workers keep their own patient settings)."""
    from celery import current_app

    timeout = float(settings.OUTBOX_KICK_TIMEOUT)
    options = {
        **(current_app.conf.broker_transport_options or {}),
        "max_retries": 0,
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
    }
    return current_app.connection_for_write(connect_timeout=timeout, transport_options=options)


def kick() -> None:
    """Ask a Celery worker to dispatch now. Best effort: if the broker is down the rows stay
    pending and the beat schedule's every-minute dispatch sends them."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        return
    try:
        from celery import current_app

        with kick_connection() as connection:
            current_app.send_task(DISPATCH_TASK, connection=connection, retry=False)
    except Exception:  # a broker outage must never fail anything
        log.warning(
            "outbox: could not reach the Celery broker; the beat schedule will dispatch", exc_info=True
        )
