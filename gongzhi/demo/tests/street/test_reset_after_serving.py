"""`gongzhi demo --reset` after the demo has been served: the beat's rollup and the 日报/周报
write rows that name the demo's cases, nodes, posts and users, and the reset must take them
too (before, on SQLite it failed on a foreign key at commit)."""

from datetime import timedelta

import pytest
from django.db import connection

from gongzhi.demo.reset import reset_demo
from gongzhi.demo.tests.street.shared import NOW
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.reports import rollup
from gongzhi.reports.models import CategoryTotal, DayTotal, Fact, Report
from gongzhi.reports.services import reports_generate

pytestmark = pytest.mark.django_db


def test_the_reset_takes_the_reports_rows_the_served_demo_wrote() -> None:
    rollup.rebuild()
    reports_generate(kind="daily", start=(NOW - timedelta(days=1)).date())
    assert Fact.objects.exists() and DayTotal.objects.exists() and CategoryTotal.objects.exists()
    assert Report.objects.exists()
    reset_demo()
    connection.check_constraints()  # what the commit would check (deferred foreign keys)
    assert not Node.objects.filter(level=Level.STREET).exists()
    assert not Fact.objects.exists() and not DayTotal.objects.exists()
    assert not CategoryTotal.objects.exists() and not Report.objects.exists()
