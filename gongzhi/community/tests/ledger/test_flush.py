"""The tests' flush (on PostgreSQL gongzhi.testing.pgflush's DELETEs, not TRUNCATE) leaves every
table empty as Django's own does, the append-only ledger too (its trigger refuses a DELETE
unless the purge is allowed in the transaction)."""

from django.core.management import call_command
from django.db import connection

from gongzhi.community.models import PointEntry
from gongzhi.community.tests.ledger.conftest import build_world
from gongzhi.community.tests.ledger.test_ledger import propose


def test_the_flush_empties_every_table_the_append_only_ledger_too(transactional_db):
    propose(build_world(), "volunteer", by="secretary")
    assert PointEntry.objects.exists()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    left = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
            if cursor.fetchone()[0]:
                left.append(table)
    assert len(tables) > 100 and left == []
