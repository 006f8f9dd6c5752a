"""Planner statistics after a bulk load (docs/scaling.md "Statistics").

PostgreSQL plans a query from its statistics of each table. A table loaded in bulk (the demo
street, an import, a hotline batch, the rollup's rebuild, a restore) has none, or stale ones,
until ANALYZE runs — and where autovacuum is off, as on the machines this is built on, nothing
runs it: a deep list page took 1.2 s until statistics existed (issue 17). So every bulk load ends with `analyze()` of the tables it wrote. SQLite gets ANALYZE too
(its planner reads sqlite_stat1 the same way).

ANALYZE takes a fixed-size sample of each table (PostgreSQL: 300 × default_statistics_target
rows), so a large table costs little more than a small one; its lock (SHARE UPDATE EXCLUSIVE)
lets reads and writes go on.
"""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def tables_of(models: Iterable[type[Model]]) -> list[str]:
    """The tables of `models`, with their many-to-many tables, each once, in order."""
    found: list[str] = []
    for model in models:
        names = [model._meta.db_table]
        names += [
            f.remote_field.through._meta.db_table  # type: ignore[union-attr]
            for f in model._meta.local_many_to_many
            if f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
        ]
        found += [n for n in names if n not in found]
    return found


def analyze(*models: type[Model], using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """ANALYZE the tables of `models` (every table of the database when none is given) and
    return the tables named ([] for all)."""
    tables = tables_of(models)
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(quote(t) for t in tables))
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
    return tables
