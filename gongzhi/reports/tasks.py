"""Celery tasks of reports. Each is idempotent, so a redelivered or overlapping run is safe."""

from typing import Any

from gongzhi.core import background
from gongzhi.orgs import figures
from gongzhi.reports import rollup, services
from gongzhi.reports.models import ReportKind


@background.task("gongzhi.reports.tasks.rollup")
def rollup_refresh() -> dict[str, Any]:
    """The KPI tables follow the case events (beat: every 10 minutes); then the kept card
    figures of the home page and the tree browser are counted again (orgs.figures)."""
    progress = rollup.refresh()
    return {"cases": progress.cases, "pairs": progress.pairs, "node_figures": figures.refresh_kept()}


@background.task("gongzhi.reports.tasks.daily")
def daily() -> str:
    """Yesterday's 日报 of every street, block area and residential area (beat: 00:30)."""
    return str(services.reports_generate(kind=ReportKind.DAILY))


@background.task("gongzhi.reports.tasks.weekly")
def weekly() -> str:
    """Last week's 周报 (beat: Monday 01:00)."""
    return str(services.reports_generate(kind=ReportKind.WEEKLY))
