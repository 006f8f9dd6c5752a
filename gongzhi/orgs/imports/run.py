"""Run an import: refuse oversized files, read, validate every row, then write all or nothing."""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import stats
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.orgs.imports.calendar import plan_calendar
from gongzhi.orgs.imports.people import plan_people
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.roster import plan_posts, plan_units
from gongzhi.orgs.imports.rows import UNCHANGED, Planned, RowCheck
from gongzhi.orgs.imports.templates import TEMPLATES
from gongzhi.orgs.imports.tree import plan_tree
from gongzhi.orgs.imports.workbook import SheetRow, read_rows

Planner = Callable[[list[SheetRow], ImportReport, Any], list[Planned]]
PLANNERS: dict[str, Planner] = {
    "tree": plan_tree,
    "units": plan_units,
    "people": plan_people,
    "posts": plan_posts,
    "calendar": plan_calendar,
}
Progress = Callable[[int, int], None]


class _RollBack(Exception):
    """Raised inside the transaction to undo a dry run or a failed write."""


def size_error(size: int) -> str | None:
    limit = settings.IMPORT_MAX_BYTES
    if size <= limit:
        return None
    return _("文件太大（%(size).1f MB），上限为 %(limit).1f MB：请分成几个文件导入") % {
        "size": size / 1048576,
        "limit": limit / 1048576,
    }


def run_import(
    *,
    kind: str,
    data: bytes,
    actor: Actor | None,
    scope_user: Actor | None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """`scope_user` limits the rows to what that user may manage; None (the command line) does not.
    The caller checks the size before reading the upload into `data`; it is checked again here."""
    template = TEMPLATES[kind]
    report = ImportReport(kind=kind, dry_run=dry_run)
    too_big = size_error(len(data))
    if too_big:
        report.add("", None, "", too_big)
        return report
    rows = read_rows(data, template, report)
    if report.errors:
        return report
    if not rows:
        report.add(template.sheet, None, "", _("表中没有数据行"))
        return report
    planned = PLANNERS[kind](rows, report, scope_user)
    if report.errors:
        return report
    for entry in planned:
        report.count(entry.action)
    try:
        with transaction.atomic():
            _write(planned, report, actor, progress)
            if report.errors or dry_run:
                raise _RollBack
    except _RollBack:
        if report.errors:
            report.reset_counts()
    else:
        if report.created or report.updated:  # the tree, roster or calendar tables (core.stats)
            stats.analyze(
                *(m for app in ("geo", "orgs", "core") for m in apps.get_app_config(app).get_models())
            )
    return report


def _write(
    planned: list[Planned], report: ImportReport, actor: Actor | None, progress: Progress | None
) -> None:
    """Services validate once more as they write; any refusal is filed under its row and column,
    and the caller rolls the whole file back."""
    template = TEMPLATES[report.kind]
    for done, entry in enumerate(planned, start=1):
        if entry.action != UNCHANGED and entry.write is not None:
            try:
                entry.write(actor)
            except ValidationError as exc:
                RowCheck(template, report, entry.row).validation(exc)
            except PermissionDeniedError as exc:  # the planner checks scope first; the service again
                RowCheck(template, report, entry.row).error("", str(exc))
            except ObjectDoesNotExist:
                if not report.errors:  # only a consequence of an earlier refused row is expected
                    raise
        if progress:
            progress(done, len(planned))
