"""The tests' flush (on PostgreSQL gongzhi.testing.pgflush's DELETEs, not TRUNCATE) leaves every
table empty as Django's own does, the append-only ledger too (its trigger refuses a DELETE
unless the purge is allowed in the transaction) — every table but the content types and the
permissions, which it keeps as they are instead of having post_migrate write them back."""

from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.models.signals import post_migrate

from gongzhi.community.models import PointEntry
from gongzhi.community.tests.ledger.conftest import build_world
from gongzhi.community.tests.ledger.test_ledger import propose
from gongzhi.testing.pgflush.base import POST_MIGRATE_TABLES


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def test_the_flush_empties_every_table_the_append_only_ledger_too(transactional_db):
    propose(build_world(), "volunteer", by="secretary")
    assert PointEntry.objects.exists()
    signalled: list[str] = []
    post_migrate.connect(lambda **kw: signalled.append(kw["using"]), weak=False, dispatch_uid="test_flush")
    try:
        # as a transactional test's teardown asks for it
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False, allow_cascade=False)
    finally:
        post_migrate.disconnect(dispatch_uid="test_flush")
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    left = [table for table in tables if count(table) and table not in POST_MIGRATE_TABLES]
    assert len(tables) > 100 and left == []
    if connection.vendor == "postgresql":
        # the kept rows are all post_migrate would write: it adds none
        kept = {table: count(table) for table in POST_MIGRATE_TABLES}
        assert signalled == [] and all(kept.values())
        emit_post_migrate_signal(0, False, "default")
        assert {table: count(table) for table in POST_MIGRATE_TABLES} == kept
