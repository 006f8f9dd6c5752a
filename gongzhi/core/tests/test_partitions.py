"""Monthly partitions of the event tables (core.partitions): the migrations' conversion, the
job that creates months ahead, archive and restore. PostgreSQL only; SQLite keeps plain tables."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core import clock, partitions
from gongzhi.core.models import OutboxMessage

pytestmark = pytest.mark.django_db
pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL only")


def _message(at: datetime, status: str = OutboxMessage.Status.SENT) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind="test.partition", subject="分区测试", status=status, next_attempt_at=at, created_at=at
    )


def _home(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_outboxmessage WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row[0] if row else ""


@pg
def test_the_four_tables_are_partitioned_with_the_key_in_every_unique_rule():
    with connection.cursor() as cursor:
        for spec in partitions.TABLES:
            assert partitions.is_partitioned(cursor, spec.table), spec.table
            cursor.execute(
                "SELECT c.conname, c.contype, array(SELECT a.attname FROM unnest(c.conkey) k "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) "
                "FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u')",
                [spec.table],
            )
            rules = {name: (kind, cols) for name, kind, cols in cursor.fetchall()}
            assert rules[f"{spec.table}_pkey"] == ("p", ["id", spec.column])
            assert all(spec.column in cols for _kind, cols in rules.values())
            assert [n for n, _m in partitions.partitions(cursor, spec.table)], spec.table
            cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [f"{spec.table}_default"])
            assert cursor.fetchone()
        assert rules_of("cases_caseevent")["case_event_seq"] == ["case_id", "seq", "at"]
        assert rules_of("care_event")["care_event_once"] == ["device_id", "event_id", "at"]
        # attachments keep no database FK to the partitioned case events (ADR 0036)
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'cases_attachment'::regclass "
            "AND confrelid = 'cases_caseevent'::regclass"
        )
        assert cursor.fetchone()[0] == 0


def rules_of(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname, array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) "
            "FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'u'",
            [table],
        )
        return dict(cursor.fetchall())


@pg
def test_ensure_creates_months_ahead_and_moves_rows_out_of_the_default_partition():
    far = clock.now() + timedelta(days=300)
    early = _message(far)  # no month of its own yet: the default partition holds it
    assert _home(early.pk) == "core_outboxmessage_default"
    out = StringIO()
    call_command("partitions_ensure", "--months", "11", stdout=out)
    name = partitions.partition_name(
        "core_outboxmessage", partitions.month_start(timezone.localtime(far).date())
    )
    assert f"已建分区 {name}" in out.getvalue()
    assert _home(early.pk) == name
    assert partitions.ensure(11) == []  # idempotent
    assert OutboxMessage.objects.get(pk=early.pk).subject == "分区测试"  # Django still finds it by id


@pg
def test_archive_dumps_and_drops_old_months_and_restore_brings_one_back(settings, tmp_path):
    settings.OUTBOX_RETENTION_DAYS = 30
    settings.CASE_EVENT_RETENTION_DAYS = 0  # kept for ever: never archived
    old, busy = date(2024, 1, 1), date(2024, 2, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        partitions.add_month(cursor, partitions.BY_TABLE["core_outboxmessage"], old)
        partitions.add_month(cursor, partitions.BY_TABLE["core_outboxmessage"], busy)
    sent = [_message(datetime(2024, 1, 10 + i, 4, tzinfo=UTC)) for i in range(3)]
    pending = _message(datetime(2024, 2, 3, 4, tzinfo=UTC), OutboxMessage.Status.PENDING)
    with connection.cursor() as cursor:  # notify's delivery of the first (raw: core imports no notify)
        cursor.execute(
            "INSERT INTO notify_delivery (message_id, channel_key, attempt, at, ok, error) "
            "VALUES (%s, 'inbox', 1, %s, true, '')",
            [sent[0].pk, sent[0].created_at],
        )

    out = StringIO()
    call_command("partitions_archive", "--before", "2024-03", "--dir", str(tmp_path), stdout=out)
    archived = tmp_path / "core_outboxmessage" / "core_outboxmessage_p2024_01.csv.gz"
    assert archived.is_file()
    assert "未归档 core_outboxmessage_p2024_02" in out.getvalue()  # a pending message keeps its month
    assert not OutboxMessage.objects.filter(pk__in=[m.pk for m in sent]).exists()
    assert _home(pending.pk) == "core_outboxmessage_p2024_02"
    assert not list((tmp_path).glob("cases_caseevent/*"))
    assert _deliveries(sent[0].pk) == 0  # archived with its message, in its own file
    assert (tmp_path / "core_outboxmessage" / "core_outboxmessage_p2024_01.notify_delivery.csv.gz").is_file()

    call_command("partitions_restore", str(archived), stdout=StringIO())
    back = OutboxMessage.objects.filter(pk__in=[m.pk for m in sent]).order_by("pk")
    assert [(m.pk, m.created_at, m.subject) for m in back] == [(m.pk, m.created_at, m.subject) for m in sent]
    assert {_home(m.pk) for m in sent} == {"core_outboxmessage_p2024_01"}
    assert _deliveries(sent[0].pk) == 1
    assert _message(clock.now()).pk > max(m.pk for m in sent)  # the one sequence carries on
    with pytest.raises(CommandError):
        call_command("partitions_restore", str(archived), stdout=StringIO())  # exists already


def _deliveries(message_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notify_delivery WHERE message_id = %s", [message_id])
        return int(cursor.fetchone()[0])


def test_bad_month_is_refused_and_sqlite_is_left_alone():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("partitions_archive", "--before", "2024-13", stdout=StringIO())
    out = StringIO()
    call_command("partitions_ensure", stdout=out)
    if connection.vendor != "postgresql":
        assert "SQLite" in out.getvalue()
    else:
        assert "共新建" in out.getvalue()
