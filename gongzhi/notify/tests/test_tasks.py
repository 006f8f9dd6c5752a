"""The Celery side: tasks run in-process in embedded mode, and through a real worker on the
local Redis in production mode (skipped when Redis is not running)."""

import socket
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import connections

from config.celery import app
from gongzhi.core import clock, outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.core.outbox import OutboxSpec
from gongzhi.notify.models import InboxItem
from gongzhi.notify.tasks import dispatch_outbox
from gongzhi.testing.factories import UserFactory

REDIS = ("127.0.0.1", 6379)


def redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


def test_embedded_mode_runs_tasks_in_process(db, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER and app.conf.task_always_eager
    assert app.conf.beat_schedule["dispatch-outbox"]["schedule"] == 60.0
    assert app.conf.beat_schedule["sla-sweep"]["schedule"] == 300.0
    app.loader.import_default_modules()  # what a worker does at start: autodiscovers tasks.py
    assert {"gongzhi.notify.tasks.dispatch_outbox", "gongzhi.cases.tasks.sla_sweep"} <= set(app.tasks)
    with clock.freeze(datetime(2026, 11, 23, 1, tzinfo=UTC)):
        outbox.enqueue(OutboxSpec(kind="case.dispatched", subject="新派工单", recipient=UserFactory()))
        assert dispatch_outbox.delay().get() == {"sent": 1, "failed": 0, "dead": 0}
    assert InboxItem.objects.count() == 1


@pytest.mark.skipif(not redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_a_real_worker_on_redis_sends_what_a_commit_kicked(db, settings, django_capture_on_commit_callbacks):
    """enqueue → commit → kick through Redis → a real worker (in a thread) runs the dispatch."""
    from celery.contrib.testing.worker import start_worker

    conn = connections["default"]
    if not (conn.vendor == "sqlite" and conn.is_in_memory_db()):
        pytest.skip("the worker shares the test's in-memory SQLite connection, as Django's live server does")
    # A fresh app configured as config.celery's is, pointed at Redis: the embedded-mode app of
    # the other tests keeps its in-memory broker connections.
    worker_app = Celery("gongzhi-redis-test")
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    worker_app.conf.update(broker_url="redis://127.0.0.1:6379/15", task_always_eager=False)
    worker_app.control.purge()  # leftovers of an interrupted run must not answer for this one
    worker_app.set_current()  # the outbox kicks through celery.current_app
    settings.CELERY_TASK_ALWAYS_EAGER = False  # production mode
    done = threading.Event()

    def share_connection(**kwargs: Any) -> None:
        # The test's data lives in its open transaction; the worker thread uses that connection
        # (no transactional flush, so the seeded rows stay for the tests that follow).
        connections["default"] = conn

    def finished(sender: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == outbox.DISPATCH_TASK:
            done.set()

    conn.inc_thread_sharing()
    task_prerun.connect(share_connection, weak=False)
    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            with django_capture_on_commit_callbacks(execute=True):
                outbox.enqueue(
                    OutboxSpec(kind="case.dispatched", subject="新派工单", recipient=UserFactory())
                )
            assert done.wait(timeout=20), "the worker did not run the kicked dispatch"
    finally:
        task_prerun.disconnect(share_connection)
        task_postrun.disconnect(finished)
        conn.dec_thread_sharing()
        worker_app.close()
        app.set_current()
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert InboxItem.objects.count() == 1
