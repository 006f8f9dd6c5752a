"""The PostgreSQL backend the tests use (config/settings_test.py): Django's own, except that a
transactional test's flush empties the tables with DELETE instead of one TRUNCATE.

The end state is the same (every table of every model empty, sequences left as they are, as
Django's flush leaves them). The cost is not: TRUNCATE gives each of the ~130 tables, its
indexes and TOAST new files and unlinks the old ones at commit (seconds per flush on a loaded
machine), while a DELETE of the few rows a test wrote is milliseconds. Django's foreign keys
are DEFERRABLE INITIALLY DEFERRED, so the order of the DELETEs does not matter: they are checked
at commit, when everything is gone. The append-only tables (community.append_only) refuse
DELETE unless `gongzhi.allow_purge` is on in the transaction, as the demo's reset sets it.
A flush that resets sequences or cascades (django_db_reset_sequences, available_apps) keeps
Django's TRUNCATE.

The DELETE flush also keeps the rows of POST_MIGRATE_TABLES (content types, permissions), and
then the flush command of this package (management/commands/flush.py) sends no post_migrate.
After Django's flush, post_migrate writes those rows back (the same rows, new ids) and
re-creates the reference stamp's triggers (core.refdata.install), which a DELETE never took:
~190 statements, most of a transactional test's teardown, to arrive where the database
already was. Nothing in the suite adds or removes a content type or a permission."""

from typing import Any

from django.db.backends.postgresql import base, operations

# What post_migrate writes (contenttypes, auth): the same rows after every flush.
POST_MIGRATE_TABLES = frozenset({"django_content_type", "auth_permission"})


def deletes(*, reset_sequences: bool, allow_cascade: bool) -> bool:
    """Whether a flush so asked for is this backend's DELETE (which keeps POST_MIGRATE_TABLES)."""
    return not (reset_sequences or allow_cascade)


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if not deletes(reset_sequences=reset_sequences, allow_cascade=allow_cascade) or not tables:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        names = [self.quote_name(table) for table in tables if table not in POST_MIGRATE_TABLES]
        # TRUNCATE's lock first, so a write still in flight elsewhere (a live server's thread)
        # is waited for and then deleted, as TRUNCATE would; each DELETE in the block then reads
        # a fresh snapshot. One statement (a DO block): one round trip for the whole flush.
        return [
            "DO $$ BEGIN PERFORM set_config('gongzhi.allow_purge', 'on', true); "
            f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE; "
            f"{' '.join(f'DELETE FROM {name};' for name in names)} END $$;"
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
