"""日报 / 周报 generation: frozen figures, idempotent re-runs (a commented report is never
replaced, nothing is sent twice), delivery through the outbox, the commands and the schedule."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gongzhi.core import clock
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.models import OutboxMessage
from gongzhi.reports import services
from gongzhi.reports.models import Report, ReportKind
from gongzhi.reports.tests import test_kpis
from gongzhi.reports.tests.conftest import DAY1, DAY2, at

scenario = test_kpis.scenario
NOW = test_kpis.NOW


def generate(node, kind=ReportKind.DAILY, start=DAY1, when=NOW):
    with clock.freeze(when):
        return services.report_generate(kind=kind, node=node, start=start)


def test_daily_figures_by_category_with_meetings_and_slips(scenario):
    report = generate(scenario.tree.r1).report
    f = report.figures
    assert (report.start, report.end) == (DAY1, DAY2)
    assert f["period"] == "2026-03-02" and f["node"]["name"] == "东安居民区"
    assert f["totals"] == {"new": 8, "closed": 3, "overdue": 2, "escalated": 1}
    row = f["cases"][0]
    assert (row["category"], row["new"], row["closed"], row["escalated"]) == ("楼道堆物", 8, 3, 1)
    assert {k["key"]: k["value"] for k in f["kpis"]}["close_on_time"] == 100.0
    assert f["meetings_held"] == 0 and f["slips"]["issued"] == 0


def test_weekly_covers_monday_to_sunday(scenario):
    report = generate(scenario.tree.street, ReportKind.WEEKLY, start=DAY2).report
    assert (report.start, report.end) == (DAY1, DAY1 + timedelta(days=7))
    assert report.figures["totals"]["new"] == 9 and report.figures["totals"]["closed"] == 5


def test_created_once_sent_once(scenario):
    first = generate(scenario.tree.r1)
    sent = OutboxMessage.objects.filter(kind="report.daily")
    recipients = {m.recipient_id for m in sent}
    assert first.outcome == "created" and scenario.dispatcher.pk in recipients
    assert any(m.recipient_id is None and m.node_path == scenario.tree.r1.path for m in sent)  # the robots
    assert "新增 8 件" in sent.first().body
    count = sent.count()
    again = generate(scenario.tree.r1)
    assert again.outcome == "kept" and again.report.pk == first.report.pk
    assert OutboxMessage.objects.filter(kind="report.daily").count() == count


def test_uncommented_report_follows_the_facts_commented_one_is_frozen(scenario):
    report = generate(scenario.tree.r1).report
    scenario.act("F", scenario.dispatcher, "void", at(DAY1, "23:00"))  # a late change to day 1
    refreshed = generate(scenario.tree.r1)
    assert refreshed.outcome == "refreshed" and refreshed.report.revision == 2
    assert refreshed.report.figures["totals"]["overdue"] == 1
    with clock.freeze(NOW):
        services.report_note_add(actor=scenario.dispatcher, report=report, text="已核对")
    frozen = refreshed.report.figures
    scenario.act("H", scenario.handler, "submit", at(DAY1, "23:30"))
    kept = generate(scenario.tree.r1)
    assert kept.outcome == "kept" and kept.report.figures == frozen
    assert Report.objects.get().revision == 2


def test_who_may_comment_and_what(scenario):
    report = generate(scenario.tree.r1).report
    with pytest.raises(PermissionDeniedError):
        services.report_note_add(actor=scenario.outsider, report=report, text="看看")
    with pytest.raises(ValidationError) as caught:
        services.report_note_add(actor=scenario.dispatcher, report=report, text="x" * 4001)
    assert "text" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.report_generate(kind=ReportKind.DAILY, node=scenario.tree.e1, start=DAY1)
    with pytest.raises(ValidationError):
        services.report_generate(kind="monthly", node=scenario.tree.r1, start=DAY1)


def test_command_generates_every_area_block_and_street(scenario):
    out = StringIO()
    with clock.freeze(NOW):
        call_command("reports_generate", "--daily", "--date", DAY1.isoformat(), stdout=out)
    assert "新生成 6 份" in out.getvalue()  # S, K1, K2, R1, R2, R3
    with clock.freeze(NOW):
        call_command("reports_generate", "--daily", "--date", DAY1.isoformat(), stdout=out)
        call_command("reports_generate", "--weekly", stdout=out)  # last week: before day 1, empty
    assert "保持不变 6 份" in out.getvalue()
    assert Report.objects.filter(kind=ReportKind.WEEKLY).count() == 6


def test_rollup_command_and_schedule(scenario):
    out = StringIO()
    call_command("reports_rollup", stdout=out)
    call_command("reports_rollup", "--days", DAY1.isoformat(), DAY2.isoformat(), stdout=out)
    call_command("reports_rollup", "--rebuild", stdout=out)
    assert out.getvalue().count("重算工单") == 3
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reports-rollup"]["task"] == "gongzhi.reports.tasks.rollup"
    assert {schedule["reports-daily"]["task"], schedule["reports-weekly"]["task"]} == {
        "gongzhi.reports.tasks.daily",
        "gongzhi.reports.tasks.weekly",
    }
    from gongzhi.reports import tasks

    assert tasks.rollup_refresh()["cases"] >= 0
