"""Celery tasks of core: idempotent, a redelivered run changes nothing twice."""

from django.conf import settings

from gongzhi.core import background, partitions


@background.task("gongzhi.core.tasks.partitions_ensure")
def partitions_ensure() -> dict[str, list[str]]:
    """The event tables' next monthly partitions (beat: daily at 02:40; no-op on SQLite)."""
    return {"created": partitions.ensure(settings.PARTITIONS_AHEAD_MONTHS)}
