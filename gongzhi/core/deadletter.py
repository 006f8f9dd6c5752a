"""The dead-letter records of background tasks (core.models.FailedTask): written when a task
keeps failing (core.background), resolved when it later succeeds, sent again by an admin
(the admin action, `gongzhi failed_tasks --retry`). The only writer of FailedTask.

Arguments are kept as ids only: numbers, and short plain strings with no run of digits a
phone or an ID number could hide in; anything else is stored as REDACTED, and such a record
cannot be sent again from here (the task's own schedule runs it again)."""

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext

from gongzhi.core import clock
from gongzhi.core.models import FailedTask
from gongzhi.core.scrub import numbers_masked

REDACTED = "<redacted>"
UNRESOLVED = (FailedTask.Status.OPEN, FailedTask.Status.RETRIED)
_ID_TEXT = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
_DIGIT_RUN = re.compile(r"\d{7,}")


def _safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str) and _ID_TEXT.match(value) and not _DIGIT_RUN.search(value):
        return value
    if isinstance(value, list | tuple):
        return [_safe(item) for item in value]
    return REDACTED


def recorded_args(args: Any, kwargs: Any) -> dict[str, Any]:
    """What a record keeps of a task's arguments: ids only."""
    return {
        "args": [_safe(a) for a in (args or ())],
        "kwargs": {str(k): _safe(v) for k, v in sorted((kwargs or {}).items())},
    }


def _key(task: str, kept: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([task, kept], sort_keys=True).encode()).hexdigest()


def _error_text(exc: BaseException) -> str:
    return numbers_masked(f"{type(exc).__name__}: {exc}")[:2000]


def record_failure(task: str, args: Any, kwargs: Any, exc: BaseException, *, attempts: int) -> FailedTask:
    """Add a final failure: to the task's unresolved record, or a new one."""
    kept = recorded_args(args, kwargs)
    key = _key(task, kept)
    now = clock.now()
    error = _error_text(exc)
    for _turn in range(2):  # a concurrent failure of the same task may create the row first
        updated = FailedTask.objects.filter(key=key, status__in=UNRESOLVED).update(
            attempts=F("attempts") + attempts, last_at=now, error=error, status=FailedTask.Status.OPEN
        )
        if updated:
            return FailedTask.objects.get(key=key, status__in=UNRESOLVED)
        try:
            with transaction.atomic():
                return FailedTask.objects.create(
                    task=task, key=key, args=kept, error=error, attempts=attempts, first_at=now, last_at=now
                )
        except IntegrityError:
            continue
    return FailedTask.objects.get(key=key, status__in=UNRESOLVED)


def resolve(task: str, args: Any, kwargs: Any) -> int:
    """A success of the task with these arguments resolves its unresolved record (a read
    first: nearly every run has none, and a read takes no write lock)."""
    unresolved = FailedTask.objects.filter(key=_key(task, recorded_args(args, kwargs)), status__in=UNRESOLVED)
    if not unresolved.exists():
        return 0
    return unresolved.update(status=FailedTask.Status.RESOLVED, resolved_at=clock.now())


@dataclass
class Retried:
    sent: int = 0
    skipped: int = 0  # redacted arguments, or a task this process does not know

    def __str__(self) -> str:
        return gettext("已重新排队 %(sent)d 项，跳过 %(skipped)d 项（参数已隐去或任务未知）") % {
            "sent": self.sent,
            "skipped": self.skipped,
        }


def retry(records: QuerySet[FailedTask]) -> Retried:
    """Send each unresolved record's task again with its arguments; mark it RETRIED (a success
    then resolves it, a failure reopens it)."""
    from celery import current_app

    current_app.loader.import_default_modules()  # every app's tasks.py, as a worker does
    result = Retried()
    for record in records.filter(status__in=UNRESOLVED).order_by("pk"):
        task = current_app.tasks.get(record.task)
        args = record.args.get("args", [])
        kwargs = record.args.get("kwargs", {})
        if task is None or REDACTED in json.dumps(record.args):
            result.skipped += 1
            continue
        FailedTask.objects.filter(pk=record.pk).update(
            status=FailedTask.Status.RETRIED, retried_at=clock.now()
        )
        if settings.CELERY_TASK_ALWAYS_EAGER:
            from gongzhi.core.background import run_here

            with contextlib.suppress(Exception):  # failing again, run_here reopened the record
                run_here(task, args, kwargs)
        else:
            try:
                task.apply_async(args=args, kwargs=kwargs)
            except Exception:  # the broker refused it: still open
                FailedTask.objects.filter(pk=record.pk).update(status=FailedTask.Status.OPEN)
                result.skipped += 1
                continue
        result.sent += 1
    return result
