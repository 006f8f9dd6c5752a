"""The benchmark's own database: never the development one.

SQLite: a fresh file under var/bench/. PostgreSQL (when DATABASE_URL is set): a database
named gongzhi_bench on the same server, created at the start and dropped at the end.
GONGZHI_BENCH_DB names another database (and SQLite file), so that two people on one machine
do not drop each other's run; GONGZHI_VAR_DIR moves the SQLite file as it moves var/.
Call `prepare()` before Django is set up: it points DATABASE_URL at the bench database.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = os.environ.get("GONGZHI_BENCH_DB", "gongzhi_bench")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", BENCH_DB):
    raise SystemExit("GONGZHI_BENCH_DB: lower-case letters, digits and underscores only")


@dataclass
class BenchDatabase:
    vendor: str
    url: str
    admin_url: str = ""  # PostgreSQL: the server's original database, to create/drop from
    sqlite_file: Path | None = None

    def drop(self) -> None:
        if self.sqlite_file is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
            return
        from django.db import connections

        connections.close_all()
        _pg_admin(self.admin_url, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def prepare() -> BenchDatabase:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        if parts.path.strip("/") == BENCH_DB:
            raise SystemExit(f"DATABASE_URL already names {BENCH_DB}; give the server's usual database")
        bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        _pg_admin(url, f'CREATE DATABASE "{BENCH_DB}"')
        os.environ["DATABASE_URL"] = bench_url
        return BenchDatabase(vendor="postgresql", url=bench_url, admin_url=url)
    if url:
        raise SystemExit("bench runs on PostgreSQL (DATABASE_URL=postgres://...) or SQLite (no DATABASE_URL)")
    base = Path(__file__).resolve().parent.parent
    folder = Path(os.environ.get("GONGZHI_VAR_DIR", base / "var")) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    db = BenchDatabase(vendor="sqlite", url="", sqlite_file=folder / f"{BENCH_DB}.sqlite3")
    db.drop()  # a fresh file every run
    db.url = f"sqlite:///{db.sqlite_file}"
    os.environ["DATABASE_URL"] = db.url
    return db


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # DDL on a fixed name, no user input
