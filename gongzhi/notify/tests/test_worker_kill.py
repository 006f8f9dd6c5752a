"""A real worker on a real broker, killed with SIGKILL in the middle of sending, loses nothing
and sends nothing twice (docs/background.md): after a restart every message is delivered
exactly once. The worker is a `celery -A config worker -Q notify` subprocess on the test's
PostgreSQL database; each broker's test is skipped when it is not running (Redis by default,
RabbitMQ once)."""

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection, transaction

from gongzhi.core import outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.core.outbox import DISPATCH_TASK, OutboxSpec
from gongzhi.notify.channels import idempotency_key
from gongzhi.notify.models import Channel, Delivery

ROOT = Path(settings.BASE_DIR)
MESSAGES = 6
HELD = 3  # the sink holds the 3rd post open: the worker is killed waiting for the reply


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


BROKERS = [
    pytest.param(
        "redis://127.0.0.1:6379/15",
        marks=pytest.mark.skipif(not answers(6379), reason="Redis is not running on 127.0.0.1:6379"),
        id="redis",
    ),
    pytest.param(
        "amqp://guest:guest@127.0.0.1:5672//",
        # RabbitMQ is the documented alternative, tested once (docs/background.md): the run
        # costs a worker start-up, so it is on demand: GONGZHI_TEST_RABBITMQ=1
        marks=pytest.mark.skipif(
            not (os.environ.get("GONGZHI_TEST_RABBITMQ") and answers(5672)),
            reason="RabbitMQ run on demand: GONGZHI_TEST_RABBITMQ=1 with RabbitMQ on 127.0.0.1:5672",
        ),
        id="rabbitmq",
    ),
]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(broker: str, queue: str, options: dict[str, Any], log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(options),
        "NOTIFY_WEBHOOK_TIMEOUT": "30",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-c", "1"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    command += ["-n", f"{queue}@%h"]
    with open(log, "ab") as out:  # the worker's own log, for a failure's diagnosis
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", BROKERS)
def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(broker, robot, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs the test's PostgreSQL database")
    run = uuid.uuid4().hex[:8]
    queue = f"notify-kill-{run}"  # this run's own queue (and, on Redis, its own keys)
    # Redis puts an unacknowledged message back after visibility_timeout: 1 s here, so the
    # restarted worker finds it at once (production: an hour, settings.py).
    options = (
        {"visibility_timeout": 1, "global_keyprefix": f"gz-kill-{run}:"} if broker.startswith("redis") else {}
    )
    channel = Channel.objects.create(
        name="东安居民区群", kind=Channel.Kind.WEBHOOK, url=robot.url, format="wecom"
    )
    with transaction.atomic():
        sent = outbox.enqueue_all(
            [
                OutboxSpec(kind="case.overdue", subject=f"【超时】工单 {n}", node_path="/S/S-K1/")
                for n in range(MESSAGES)
            ]
        )
    robot.hold_at = HELD

    sender = Celery("gongzhi-kill-test", broker=broker)
    sender.conf.broker_transport_options = options
    log = tmp_path / "worker.log"
    try:
        with sender.connection_for_write() as conn:
            sender.send_task(DISPATCH_TASK, queue=queue, connection=conn)  # one task sends all six
        first = start_worker(broker, queue, options, log)
        try:
            assert robot.arrived.wait(timeout=60), log.read_text()
            # Two posts answered and recorded, the third in flight: kill the whole worker.
            os.killpg(first.pid, signal.SIGKILL)
        finally:
            first.wait(timeout=30)
        robot.release.set()
        assert first.returncode == -signal.SIGKILL
        assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == HELD - 1
        # No ack was sent: the broker gives the task to the next worker, which sends the rest.
        robot.hold_at = 0
        robot.expect = MESSAGES + 1  # the rest, and the one in flight again
        second = start_worker(broker, queue, options, log)
        try:
            assert robot.reached.wait(timeout=60), log.read_text()
        finally:
            second.send_signal(signal.SIGTERM)  # warm shutdown: the running task finishes first
            second.wait(timeout=60)
    finally:
        with sender.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        sender.close()

    keys = {idempotency_key(channel, message) for message in sent}
    assert set(robot.keys) == keys  # every message arrived ...
    repeats = Counter(robot.keys) - Counter(keys)
    # ... and only the one in flight when the worker died came again, under the same key, so a
    # receiver honouring Idempotency-Key keeps one copy of each
    assert list(repeats.elements()) == [robot.keys[HELD - 1]]
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == MESSAGES
    assert Delivery.objects.filter(ok=True).count() == MESSAGES
    assert sorted(Delivery.objects.values_list("message_id", flat=True)) == sorted(m.pk for m in sent)
