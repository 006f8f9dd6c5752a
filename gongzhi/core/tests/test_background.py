"""The background-task policy (core.background): every task durable and routed to its queue;
transient errors retried with exponential backoff and jitter, then dead-lettered with ids
only; the dead letters listed, sent again by the command and the admin, resolved by a success."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from celery.exceptions import Retry
from celery.signals import task_retry
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse

from config.celery import app
from gongzhi.core import background, clock
from gongzhi.core.management.commands.schedule import run_task
from gongzhi.core.models import FailedTask
from gongzhi.testing.factories import UserFactory

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
PHONE = "13812345678"
runs: list[tuple[Any, ...]] = []
fails_with: dict[str, BaseException | None] = {"error": None}


@background.task("gongzhi.core.tests.flaky")
def flaky(*args: Any) -> int:
    runs.append(args)
    if fails_with["error"] is not None:
        raise fails_with["error"]
    return len(runs)


@pytest.fixture(autouse=True)
def fresh() -> None:
    runs.clear()
    fails_with["error"] = None


@pytest.fixture
def as_a_worker() -> Iterator[None]:
    """Run retries through as a worker would, one after another in this process (eager mode
    otherwise hands the first Retry to the caller: the embedded beat's next turn retries)."""
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_eager_propagates = True


QUEUES = {
    "gongzhi.notify.tasks.dispatch_outbox": "notify",
    "gongzhi.reports.tasks.rollup": "reports",
    "gongzhi.reports.tasks.daily": "documents",
    "gongzhi.reports.tasks.weekly": "documents",
    "gongzhi.care.tasks.sweep": "care",
    "gongzhi.care.tasks.prune": "care",
    "gongzhi.cases.tasks.sla_sweep": "default",
    "gongzhi.meetings.tasks.follow_up": "default",
    "gongzhi.orders.tasks.sweep": "default",
    "gongzhi.community.tasks.follow_up": "default",
    "gongzhi.mobilisation.tasks.direct_sweep": "default",
    "gongzhi.core.tasks.partitions_ensure": "default",
}


def test_every_task_is_durable_and_goes_to_its_queue():
    app.loader.import_default_modules()  # as a worker does at start
    scheduled = {spec["task"] for spec in settings.CELERY_BEAT_SCHEDULE.values()}
    ours = {name for name in app.tasks if name.startswith("gongzhi.") and ".tests." not in name}
    assert ours == scheduled == set(QUEUES)  # every task is on the beat and has its queue here
    assert {q.name for q in app.conf.task_queues} == set(QUEUES.values())
    for name, queue in QUEUES.items():
        task = app.tasks[name]
        assert isinstance(task, background.DurableTask), name
        assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
        assert OperationalError in task.autoretry_for and task.retry_jitter
        assert task.max_retries == settings.TASK_MAX_RETRIES
        assert app.amqp.router.route({}, name)["queue"].name == queue
    assert app.conf.worker_prefetch_multiplier == 1 and app.conf.task_default_queue == "default"


def test_a_transient_error_is_retried_with_backoff_then_dead_lettered_with_ids_only(as_a_worker):
    waits: list[float] = []

    def retried(request: Any = None, reason: Any = None, **kwargs: Any) -> None:
        waits.append(reason.when)

    task_retry.connect(retried, weak=False)
    fails_with["error"] = OperationalError(f"server closed the connection; caller {PHONE}")
    try:
        with clock.freeze(T0):
            assert flaky.apply(args=[7, PHONE]).state == "FAILURE"
    finally:
        task_retry.disconnect(retried)
    retries = settings.TASK_MAX_RETRIES
    assert len(runs) == retries + 1 and len(waits) == retries
    # full jitter: the n-th wait is anywhere in [0, min(2·2ⁿ, the cap)]
    assert all(0 <= w <= min(2 * 2**n, settings.TASK_RETRY_BACKOFF_MAX) for n, w in enumerate(waits))
    record = FailedTask.objects.get()
    assert (record.task, record.attempts, record.status) == ("gongzhi.core.tests.flaky", retries + 1, "open")
    assert record.args == {"args": [7, "<redacted>"], "kwargs": {}}
    assert PHONE not in record.error and "OperationalError" in record.error
    assert record.first_at == record.last_at == T0

    # It fails again later: the same record grows; then it succeeds: resolved.
    with clock.freeze(T0 + timedelta(hours=1)):
        assert flaky.apply(args=[7, PHONE]).state == "FAILURE"
    record.refresh_from_db()
    assert record.attempts == 2 * (retries + 1) and record.first_at == T0 and record.last_at > T0
    fails_with["error"] = None
    with clock.freeze(T0 + timedelta(hours=2)):
        flaky.apply(args=[7, PHONE])
    record.refresh_from_db()
    assert record.status == FailedTask.Status.RESOLVED and record.resolved_at == T0 + timedelta(hours=2)


def test_a_bug_is_dead_lettered_at_once_and_retried_by_the_command(as_a_worker):
    fails_with["error"] = ValueError("a bug, not an outage")
    assert flaky.apply(args=[42]).state == "FAILURE"
    assert flaky.apply(args=[7, PHONE]).state == "FAILURE"
    assert len(runs) == 2  # no retry for an error that waiting cannot mend
    bug = FailedTask.objects.get(args__args=[42])
    assert bug.attempts == 1

    out = StringIO()
    call_command("failed_tasks", stdout=out)
    listing = out.getvalue()
    assert f"#{bug.pk} gongzhi.core.tests.flaky" in listing and "共 2 条" in listing and PHONE not in listing

    with pytest.raises(CommandError):
        call_command("failed_tasks", "--retry", "999999")
    fails_with["error"] = None
    out = StringIO()
    call_command("failed_tasks", "--retry-all", stdout=out)
    # the one with ids only runs again (here, in embedded mode) and is resolved by its success;
    # the redacted one cannot be sent from here
    assert "已重新排队 1 项，跳过 1 项" in out.getvalue()
    assert runs[-1] == (42,)
    bug.refresh_from_db()
    assert bug.status == FailedTask.Status.RESOLVED
    assert FailedTask.objects.get(args__args=[7, "<redacted>"]).status == FailedTask.Status.OPEN


def test_the_embedded_beat_records_what_fails_in_process():
    """Embedded mode: the beat runs a task here; a failure, transient or not, is recorded once
    per turn (the next turn is the retry) and raised to the beat, which logs it."""
    fails_with["error"] = OperationalError("database is locked")
    with pytest.raises(Retry):
        run_task("gongzhi.core.tests.flaky")
    fails_with["error"] = ValueError("a bug")
    with pytest.raises(ValueError):
        run_task("gongzhi.core.tests.flaky")
    assert len(runs) == 2  # no retries in-process
    record = FailedTask.objects.get()
    assert record.attempts == 2 and record.error == "ValueError: a bug"
    fails_with["error"] = None
    assert run_task("gongzhi.core.tests.flaky") == 3
    record.refresh_from_db()
    assert record.status == FailedTask.Status.RESOLVED


def test_the_admin_lists_dead_letters_and_sends_them_again(db, client):
    fails_with["error"] = ValueError("a bug")
    with pytest.raises(ValueError):
        background.run_here(flaky, [5])
    record = FailedTask.objects.get()
    url = reverse("admin:core_failedtask_changelist")
    client.force_login(UserFactory(username="viewer", is_staff=True))
    assert client.get(url).status_code == 403  # no core.view_failedtask

    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    page = client.get(url)
    assert page.status_code == 200 and "gongzhi.core.tests.flaky" in page.content.decode()
    fails_with["error"] = None
    done = client.post(url, {"action": "retry_selected", "_selected_action": [record.pk]}, follow=True)
    assert "已重新排队 1 项，跳过 0 项" in done.content.decode()
    record.refresh_from_db()
    assert record.status == FailedTask.Status.RESOLVED and runs[-1] == (5,)


pytestmark = pytest.mark.django_db
