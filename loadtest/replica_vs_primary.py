"""The same reads on the replica and on the primary, alternated, while the load test runs (issue
17's benchmark "reads served by the replica vs the primary with the same query"): the command
centre's selector for the district and for one street (reports.dashboard.dashboard(), inside
core.replicas.read() as the page calls it, and outside it on the primary), and a raw count by
state over the district's cases on each connection. Writes <run>/replica.json.

    DATABASE_URL=... DATABASE_REPLICA_URLS=... .venv/bin/python loadtest/replica_vs_primary.py RUN_DIR [ROUNDS]
"""

import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connections  # noqa: E402

from gongzhi.core import replicas  # noqa: E402
from gongzhi.geo.levels import Level  # noqa: E402
from gongzhi.geo.models import Node  # noqa: E402
from gongzhi.reports import dashboard as dash  # noqa: E402
from gongzhi.reports import periods  # noqa: E402
from gongzhi.reports.subjects import node_subject  # noqa: E402


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1] * 1000, 1)


def _beside(fn: Callable[[], Any], base: Callable[[], Any], rounds: int) -> dict[str, Any]:
    """`rounds` timings of fn (the replica) and base (the primary), alternated so the machine's
    load hits both alike; one warm call of each first."""
    fn()
    base()
    on, off = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        on.append(time.perf_counter() - start)
        start = time.perf_counter()
        base()
        off.append(time.perf_counter() - start)
    return {
        "replica_p50_ms": _p(on, 50),
        "replica_p95_ms": _p(on, 95),
        "primary_p50_ms": _p(off, 50),
        "primary_p95_ms": _p(off, 95),
        "ratio_p50": round(_p(on, 50) / _p(off, 50), 2),
        "rounds": rounds,
    }


def main(run: Path, rounds: int) -> None:
    replica = next(iter(replicas.configured()), None)
    if replica is None:
        sys.exit("replica_vs_primary: set DATABASE_REPLICA_URLS")
    period = periods.this_month()
    district = Node.objects.filter(level=Level.DISTRICT).first()
    street = Node.objects.filter(level=Level.STREET).order_by("path").first()
    assert street is not None
    out: dict[str, Any] = {"load_before": list(os.getloadavg())}
    for label, node in (("district", district), ("street", street)):
        if node is None:
            continue
        subject = node_subject(node)
        chosen: list[str] = []

        def on_replica(subject: Any = subject, chosen: list[str] = chosen) -> None:
            with replicas.read() as alias:
                chosen.append(alias)
                dash.dashboard(subject, period)

        def on_primary(subject: Any = subject) -> None:
            dash.dashboard(subject, period)

        out[f"command_centre_{label}"] = {
            **_beside(on_replica, on_primary, rounds),
            "read_on": dict(Counter(chosen)),
        }
    root = (district or street).path
    sql = "SELECT state, COUNT(*) FROM cases_case WHERE node_path LIKE %s GROUP BY state"

    def raw(alias: str) -> Callable[[], Any]:
        def query() -> Any:
            with connections[alias].cursor() as cursor:
                cursor.execute(sql, [root + "%"])
                return cursor.fetchall()

        return query

    out["count_by_state_district"] = {**_beside(raw(replica), raw("default"), rounds), "sql": sql}
    out["load_after"] = list(os.getloadavg())
    (run / "replica.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 20)
