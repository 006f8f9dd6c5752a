"""The database keeps the ledger append-only (ADR 0022): a trigger refuses any UPDATE of the
points entries, the registration events, the service records and the volunteers' time bank, and on PostgreSQL any DELETE
too. TRUNCATE (the test runner's flush) is not a row operation and passes; a deliberate purge
on PostgreSQL (the demo's reset) sets `gongzhi.allow_purge` to 'on' in its transaction. SQLite's
flush deletes row by row, so there only UPDATE is refused; services never delete."""

from typing import Any

TABLES = ("community_pointentry", "community_registrationevent", "community_servicerecord")
# The volunteers' time bank (migration 0003), held the same way.
TIME_BANK = ("community_hoursentry",)


def install(apps: Any, schema_editor: Any, tables: tuple[str, ...] = TABLES) -> None:
    vendor = schema_editor.connection.vendor
    for statement in _postgresql(tables) if vendor == "postgresql" else _sqlite(tables):
        schema_editor.execute(statement, params=None)  # the RAISE format holds % signs


def uninstall(apps: Any, schema_editor: Any, tables: tuple[str, ...] = TABLES) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")


def install_time_bank(apps: Any, schema_editor: Any) -> None:
    install(apps, schema_editor, TIME_BANK)


def uninstall_time_bank(apps: Any, schema_editor: Any) -> None:
    uninstall(apps, schema_editor, TIME_BANK)


def _postgresql(tables: tuple[str, ...]) -> list[str]:
    out = [
        "CREATE OR REPLACE FUNCTION gongzhi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'DELETE' AND current_setting('gongzhi.allow_purge', true) = 'on' THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION 'gongzhi: % is append-only (% refused)', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'restrict_violation'; "
        "END $$"
    ]
    for table in tables:
        out.append(
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only()"
        )
    return out


def _sqlite(tables: tuple[str, ...]) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'gongzhi: {table} is append-only (UPDATE refused)'); END"
        for table in tables
    ]
