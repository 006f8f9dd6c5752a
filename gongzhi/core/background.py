"""Background tasks that survive failure (docs/background.md, ADR 0032).

Every app declares its Celery tasks with `background.task(name)` instead of `shared_task`:

- acks_late and reject_on_worker_lost: a task's message is acknowledged after the task ran, and
  put back when the process running it dies, so a killed worker loses nothing; the price is
  that a task may run twice, so every task is idempotent (docs/background.md says how each is);
- transient errors (the database or the network down: TRANSIENT) are retried with exponential
  backoff and full jitter, TASK_MAX_RETRIES times at most, waiting TASK_RETRY_BACKOFF_MAX
  seconds at most;
- what still fails (or fails on an error that waiting cannot mend, a bug) lands in a
  dead-letter record, core.models.FailedTask (core.deadletter), shown in the admin and listed
  and retried by `gongzhi failed_tasks`; a later success of the same task resolves it.
"""

import logging
import urllib.error
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Retry
from django import db
from django.conf import settings

from gongzhi.core import deadletter

log = logging.getLogger(__name__)


def _transient() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [
        db.OperationalError,  # the database refused, dropped or timed out the connection
        db.InterfaceError,  # a connection Django had closed under us
        ConnectionError,  # refused, reset, broken pipe (the builtin family)
        TimeoutError,
        urllib.error.URLError,  # an HTTP peer that does not answer
    ]
    try:  # Redis (the cache, the broker) down: redis-py's own classes
        from redis import exceptions as redis_errors

        found += [redis_errors.ConnectionError, redis_errors.TimeoutError]
    except ImportError:  # pragma: no cover - redis is in requirements.txt
        pass
    return tuple(found)


TRANSIENT = _transient()


class DurableTask(Task):  # type: ignore[misc]  # celery ships no type hints
    """The base of every gongzhi task: the dead letter on final failure, resolved on success."""

    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        attempts = int(getattr(self.request, "retries", 0) or 0) + 1
        try:
            deadletter.record_failure(self.name, args, kwargs, exc, attempts=attempts)
        except Exception:  # the database itself may be what is down: the log keeps the trace
            log.exception("background: %s failed and its dead-letter record could not be written", self.name)
        log.error("background: %s failed after %d attempt(s): %s", self.name, attempts, type(exc).__name__)

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: Any) -> None:
        try:
            deadletter.resolve(self.name, args, kwargs)
        except Exception:  # a success is never turned into a failure by its bookkeeping
            log.warning("background: could not resolve the dead letters of %s", self.name, exc_info=True)


def task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`@background.task("gongzhi.app.tasks.name")`: a shared task with the policy above."""
    policy: dict[str, Any] = {
        "base": DurableTask,
        "ignore_result": True,
        "autoretry_for": TRANSIENT,
        "retry_backoff": 2,  # seconds before the 1st retry; 4, 8, 16 … then
        "retry_backoff_max": settings.TASK_RETRY_BACKOFF_MAX,
        "retry_jitter": True,  # a random wait in [0, backoff]: workers do not retry in step
        "max_retries": settings.TASK_MAX_RETRIES,
    }
    return shared_task(name=name, **{**policy, **options})  # type: ignore[no-any-return]


def run_here(task: Task, args: Any = (), kwargs: Any = None) -> Any:
    """Run a task in this process (embedded mode: the embedded beat, a dead letter sent again)
    and return its result. Celery's eager mode hands errors to the caller without its failure
    handler, so a failure is recorded here; a transient error is not retried in-process: the
    task's next turn on the beat is its retry."""
    try:
        return task.apply(args=args, kwargs=kwargs, throw=True).get()
    except Exception as exc:
        cause = exc.exc if isinstance(exc, Retry) and exc.exc is not None else exc
        try:
            deadletter.record_failure(task.name, args, kwargs, cause, attempts=1)
        except Exception:
            log.exception("background: %s failed and its dead-letter record could not be written", task.name)
        raise
