"""The publication on a district and the subscriptions on the city (PostgreSQL logical
replication). Each function takes a DB-API cursor in autocommit (CREATE SUBSCRIPTION cannot
run in a transaction): the commands pass Django's, the tests psycopg's on throw-away clusters.

- publication `gongzhi_city`: reports_daytotal and reports_citynode, inserts, updates and
  deletes only (no TRUNCATE: a district emptying its tables must not empty the city's, which
  hold every district's rows). Their replica identity is the unique (district, id) /
  (district, node_id) index, the city tables' primary key.
- subscription `gongzhi_city_<district>` on the city: one per district, copying what the
  district already has, then following it.
"""

import re
from typing import Any

PUBLICATION = "gongzhi_city"
TABLES = {"reports_daytotal": "daytotal_city_key", "reports_citynode": "citynode_city_key"}
DISTRICT_RE = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


class ReplicationError(Exception):
    pass


def wal_level(cursor: Any) -> str:
    cursor.execute("SHOW wal_level")
    return str(cursor.fetchone()[0])


def publish(cursor: Any) -> bool:
    """Create the publication on this district's database (False: it was there already)."""
    if wal_level(cursor) != "logical":
        raise ReplicationError("本区数据库需设置 wal_level=logical 并重启后才能发布")
    for table, index in TABLES.items():
        cursor.execute(f"ALTER TABLE {table} REPLICA IDENTITY USING INDEX {index}")
    cursor.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", [PUBLICATION])
    if cursor.fetchone():
        return False
    tables = ", ".join(TABLES)
    cursor.execute(
        f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {tables} WITH (publish = 'insert, update, delete')"
    )
    return True


def subscription_name(district: str) -> str:
    if not DISTRICT_RE.match(district or ""):
        raise ReplicationError("区代码须为小写字母开头的字母、数字或下划线（不超过 20 个）")
    return f"{PUBLICATION}_{district}"


def subscribe(cursor: Any, district: str, conninfo: str) -> bool:
    """Subscribe the city database to a district's publication (False: already subscribed)."""
    name = subscription_name(district)
    if not conninfo.strip():
        raise ReplicationError("请提供区数据库的连接串")
    cursor.execute("SELECT 1 FROM pg_subscription WHERE subname = %s", [name])
    if cursor.fetchone():
        return False
    literal = "'" + conninfo.replace("'", "''") + "'"
    cursor.execute(f"CREATE SUBSCRIPTION {name} CONNECTION {literal} PUBLICATION {PUBLICATION}")
    return True


def unsubscribe(cursor: Any, district: str) -> bool:
    """Drop a district's subscription (and its slot on the district). Its rows stay."""
    name = subscription_name(district)
    cursor.execute("SELECT 1 FROM pg_subscription WHERE subname = %s", [name])
    if not cursor.fetchone():
        return False
    cursor.execute(f"DROP SUBSCRIPTION {name}")
    return True
