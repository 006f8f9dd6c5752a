"""Celery tasks of care, both idempotent: a redelivered or overlapping run changes nothing twice."""

from datetime import timedelta
from typing import Any

from django.conf import settings

from gongzhi.care import chain, rules
from gongzhi.care.models import Event
from gongzhi.core import background, clock


@background.task("gongzhi.care.tasks.sweep")
def sweep() -> dict[str, Any]:
    """The rule pass, then the alert chain (beat: every minute)."""
    result = rules.sweep()
    advanced = chain.advance()
    return {
        "candidates": result.candidates,
        "opened": len(result.opened),
        "notified": advanced.notified,
        "visit_cases": advanced.visit_cases,
    }


def prune_events() -> int:
    """Delete raw events older than CARE_EVENT_RETENTION_DAYS (the last-seen rows stay)."""
    cutoff = clock.now() - timedelta(days=settings.CARE_EVENT_RETENTION_DAYS)
    deleted, _detail = Event.objects.filter(received_at__lt=cutoff).delete()
    return deleted


@background.task("gongzhi.care.tasks.prune")
def prune() -> dict[str, int]:
    """Raw events past their retention (beat: daily at 03:10)."""
    return {"deleted": prune_events()}
