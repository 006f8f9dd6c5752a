"""Run the benchmarks and write bench/results.json (`make bench`).

    python -m bench.run [--only demo,tree,cases] [--demo-scale 1] [--households 1000000] [--rounds 10]
                        [--cases 1000000] [--intake-requests 3000] [--intake-clients 8]
                        [--workers 4] [--threads 1] [--list-rounds 30] [--keep-db]
                        [--care-subjects 100000] [--care-http-events 200000] [--care-mqtt-events 100000]
                        [--scale-streets 3] [--scale-cases 10000] [--scale-intake 2000] ...

On PostgreSQL when DATABASE_URL is set (in a database named gongzhi_bench, created and
dropped here), else on SQLite (a fresh file under var/bench/). Never the dev database.
To add a benchmark, add a module to bench/suites with NAME and run(results, options), and
list it in SUITES.
"""

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime

from bench import db as bench_db
from bench.measure import Results, load_average

SUITES = (
    "demo",
    "tree",
    "cases",
    "documents",
    "meetings",
    "reports",
    "rota",
    "care",
    "orders",
    "community",
    "scale",
    "district_reports",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(SUITES), help="suites to run, comma separated")
    parser.add_argument("--demo-scale", type=float, default=1.0)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds over the 5 block areas")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases on the list benchmark's street")
    parser.add_argument(
        "--intake-requests", type=int, default=3000, help="timed POSTs of the intake benchmark"
    )
    parser.add_argument("--intake-clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers for the intake benchmark")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--list-rounds", type=int, default=30, help="timed rounds of each case-list query")
    care = parser.add_argument_group("care (bench/suites/care.py)")
    care.add_argument("--care-subjects", type=int, default=100_000, help="watched subjects of the rule pass")
    care.add_argument("--care-batch", type=int, default=1000, help="events a request (HTTP) or ingest call")
    care.add_argument(
        "--care-service-events", type=int, default=50_000, help="events through ingest() in process"
    )
    care.add_argument("--care-http-events", type=int, default=200_000, help="timed events over HTTP")
    care.add_argument("--care-clients", type=int, default=4, help="HTTP client threads")
    care.add_argument("--care-mqtt-events", type=int, default=100_000, help="timed events over MQTT")
    care.add_argument(
        "--care-per-message",
        type=int,
        default=100,
        help="events an MQTT message: 1, a device's own event on its topic; more, a gateway's batch",
    )
    care.add_argument(
        "--care-broker", default="private", help="'private' (a mosquitto started for the run) or host:port"
    )
    care.add_argument("--care-consumers", type=int, default=2, help="care_consume processes")
    care.add_argument("--care-sos", type=int, default=200, help="SOS presses timed per door")
    care.add_argument("--care-rounds", type=int, default=10, help="timed steady-state rule passes")
    scale = parser.add_argument_group("scale (bench/suites/scale.py, PostgreSQL only)")
    scale.add_argument("--scale-streets", type=int, default=3, help="streets in the district")
    scale.add_argument("--scale-areas", type=int, default=6, help="residential areas a street")
    scale.add_argument("--scale-cases", type=int, default=10_000, help="cases a street (three years)")
    scale.add_argument("--scale-rounds", type=int, default=20, help="timed rounds of each read")
    scale.add_argument(
        "--scale-residents", type=int, default=20_000, help="residents a street (the home page's figures)"
    )
    scale.add_argument(
        "--scale-cache", default="redis://127.0.0.1:6379/13", help="Redis database of the app's cache"
    )
    scale.add_argument(
        "--scale-pages-only",
        action="store_true",
        help="the pages only: skip the replica, the intake under the mix and the outbox phases",
    )
    scale.add_argument("--scale-intake", type=int, default=2000, help="cases of each intake phase")
    scale.add_argument("--scale-batch", type=int, default=50, help="cases a batch request")
    scale.add_argument("--scale-intake-clients", type=int, default=4, help="intake client threads")
    scale.add_argument("--scale-readers", type=int, default=4, help="reader threads of the read mix")
    scale.add_argument("--scale-read-seconds", type=float, default=15, help="seconds of the read mix alone")
    scale.add_argument("--scale-worker-concurrency", type=int, default=1, help="the notify worker's -c")
    scale.add_argument(
        "--scale-broker", default="redis://127.0.0.1:6379/14", help="Redis database of the suite's queues"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database for inspection")
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s]
    unknown = set(chosen) - set(SUITES)
    if unknown:
        parser.error(f"unknown suites: {', '.join(sorted(unknown))}")

    database = bench_db.prepare()  # before Django reads DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    results = Results()
    results.run = {
        "database": database.vendor,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_start": load_average(),
        "suites": chosen,
    }
    start = time.perf_counter()
    try:
        call_command("migrate", verbosity=0)
        options = {
            "demo_scale": args.demo_scale,
            "households": args.households,
            "rounds": args.rounds,
            "cases": args.cases,
            "intake_requests": args.intake_requests,
            "intake_clients": args.intake_clients,
            "workers": args.workers,
            "threads": args.threads,
            "list_rounds": args.list_rounds,
            **{k: v for k, v in vars(args).items() if k.startswith(("care_", "scale_"))},
        }
        for name in chosen:
            print(f"[{name}] on {database.vendor}", flush=True)
            module = __import__(f"bench.suites.{name}", fromlist=["run"])
            module.run(results, options)
    finally:
        results.run["seconds"] = round(time.perf_counter() - start, 1)
        results.run["load_average_end"] = load_average()
        if results.figures:
            results.write()
            print(f"wrote {results.path}")
        if not args.keep_db:
            database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
