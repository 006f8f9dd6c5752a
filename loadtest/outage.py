"""A broker outage in the middle of the load test (issue 17: "a broker that goes down for a
minute: cases are still taken in; the outbox catches up; nothing is lost or sent twice").

Stops the stack's own Redis broker (one started for the stack alone, on its own port: never the
machine's shared Redis), keeps it down for OUTAGE seconds while the mix goes on, starts it again
and times the outbox's catch-up: the messages written while it was down (pending rows of
core_outboxmessage) until each is sent. Then checks each was sent once (one successful delivery
per channel, one inbox item). Writes <run>/outage.json.

    DATABASE_URL=... .venv/bin/python loadtest/outage.py RUN_DIR [PORT] [OUTAGE_SECONDS]
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from gongzhi.notify.models import Delivery, InboxItem  # noqa: E402


def _one(sql: str, args: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchone()


def _due(after: int, upto: int) -> int:
    return int(
        _one(
            "SELECT COUNT(*) FROM core_outboxmessage WHERE id > %s AND id <= %s AND status IN ('pending', 'failed')",
            [after, upto],
        )[0]
    )


def _last() -> int:
    return int(_one("SELECT COALESCE(MAX(id), 0) FROM core_outboxmessage", [])[0])


def _check(after: int, upto: int) -> dict[str, int]:
    messages, sent, other, retried = _one(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'sent'), COUNT(*) FILTER (WHERE status NOT IN "
        "('pending', 'sent')), COUNT(*) FILTER (WHERE attempts > 1) FROM core_outboxmessage "
        "WHERE id > %s AND id <= %s",
        [after, upto],
    )
    (twice,) = _one(
        f"SELECT COUNT(*) FROM (SELECT message_id, channel_key FROM {Delivery._meta.db_table} WHERE ok "
        "AND message_id > %s AND message_id <= %s GROUP BY 1, 2 HAVING COUNT(*) > 1) AS twice",
        [after, upto],
    )
    items, distinct = _one(
        f"SELECT COUNT(*), COUNT(DISTINCT message_id) FROM {InboxItem._meta.db_table} "
        "WHERE message_id > %s AND message_id <= %s",
        [after, upto],
    )
    return {
        "messages": messages,
        "sent": sent,
        "failed_or_dead": other,
        "retried": retried,
        "duplicate_deliveries": twice,
        "inbox_items": items,
        "duplicate_inbox_items": items - distinct,
    }


def main(run: Path, port: int, outage: float) -> None:
    mark = _last()
    cases0 = int(_one("SELECT COUNT(*) FROM cases_case", [])[0])
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)
    down_at = time.monotonic()
    timeline = []
    while time.monotonic() - down_at < outage:
        time.sleep(5)
        timeline.append((round(time.monotonic() - down_at, 1), _due(mark, 10**12)))
    upto = _last()  # the messages written while the broker was away
    cases1 = int(_one("SELECT COUNT(*) FROM cases_case", [])[0])
    backlog = _due(mark, upto)
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(run / "redis.pid"),
        ],
        check=True,
    )
    back_at = time.monotonic()
    drained = None
    while time.monotonic() - back_at < 900:
        if _due(mark, upto) == 0:
            drained = time.monotonic() - back_at
            break
        time.sleep(0.5)
    result = {
        "outage_s": round(back_at - down_at, 1),
        "cases_taken_in_during_outage": cases1 - cases0,
        "messages_written_during_outage": upto - mark,
        "pending_when_broker_back": backlog,
        "pending_timeline": timeline,
        "drained_after_s": round(drained, 1) if drained is not None else None,
        "catch_up_msg_per_s": round(backlog / drained, 1) if drained else None,
        "check": _check(mark, upto),
        "load": list(os.getloadavg()),
    }
    (run / "outage.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        int(sys.argv[2]) if len(sys.argv) > 2 else 6390,
        float(sys.argv[3]) if len(sys.argv) > 3 else 60.0,
    )
