"""Django's flush, without the post_migrate signal after this backend's DELETE flush: that flush
kept the rows post_migrate would write back (base.POST_MIGRATE_TABLES), and the triggers it
would re-create were never dropped. A TRUNCATE flush (resetting sequences, or cascading) and
other backends still send it. Installed in the tests' settings only (config/settings_test.py)."""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from gongzhi.testing.pgflush import base


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        ops = connections[options["database"]].ops
        kept = isinstance(ops, base.DatabaseOperations) and base.deletes(
            reset_sequences=options.get("reset_sequences", True),
            allow_cascade=options.get("allow_cascade", False),
        )
        if kept:
            options["inhibit_post_migrate"] = True
        super().handle(**options)
