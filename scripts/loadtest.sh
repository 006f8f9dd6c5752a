#!/usr/bin/env bash
# The load test (docs/scaling.md "Load test"): locust runs loadtest/locustfile.py's recorded
# mix headless for a fixed time against the stack (scripts/stack.sh, running), then
# loadtest/report.py writes loadtest/results/<date>-<label>/report.md: requests/s,
# p50/p95/p99 per request type, errors, and where the time goes.
#
#   DATABASE_URL=... scripts/loadtest.sh [--users 20] [--spawn-rate 5] [--time 5m] [--label NAME] [--host URL]
#
# DATABASE_URL is the stack's (the fixture is read from it: logins, tokens, places, sensors).
# The district run of issue 17 (10 streets, 1,000,000 cases) is the same command on a database
# generated with `gongzhi demo --streets 10`, e.g. --users 100 --time 15m --label district10.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
users=20 rate=5 duration=5m label=street host=""
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users=$2; shift 2 ;;
    --spawn-rate) rate=$2; shift 2 ;;
    --time) duration=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    *) echo "loadtest: unknown option $1"; exit 2 ;;
  esac
done
: "${DATABASE_URL:?set DATABASE_URL to the database of the stack}"
STACK_DIR=${STACK_DIR:-$ROOT/var/stack}
host=${host:-$(cat "$STACK_DIR/url" 2>/dev/null || true)}
[ -n "$host" ] || { echo "loadtest: start scripts/stack.sh first (or give --host)"; exit 1; }
for _ in $(seq 1 60); do curl -fsS -o /dev/null "$host/login/" && break; sleep 1; done
curl -fsS -o /dev/null "$host/login/" || { echo "loadtest: $host does not answer"; exit 1; }

run="$ROOT/loadtest/results/$(date -u +%Y%m%d-%H%M)-$label"
mkdir -p "$run"
# the fixture holds an API token and an Open311 key: it stays out of git (.gitignore)
read -r dev_field dev_hash < <(DEBUG=1 .venv/bin/python -c "
import config.settings as s
print(s._DEV_FIELD_KEY, s._DEV_HASH_KEY)")
DEBUG=1 FIELD_ENCRYPTION_KEYS="$dev_field" PII_HASH_KEY="$dev_hash" .venv/bin/python loadtest/prepare.py "$run/fixture.json"
cases_before=$(psql "$DATABASE_URL" -tAc "select count(*) from cases_case")
{
  echo "users=$users spawn_rate=$rate time=$duration host=$host"
  echo "commit=$(git rev-parse --short HEAD) cores=$(nproc) started=$(date -u +%FT%TZ)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cases_before=$cases_before"
} > "$run/run.txt"
# where the CPU goes (loadtest/cpu.py: /proc samples by part of the stack) and which tables the
# run scanned (PostgreSQL's counters of the stack's database, reset here: that database only)
db=$(psql "$DATABASE_URL" -tAc "select current_database()")
psql "$DATABASE_URL" -tAc "select pg_stat_reset()" >/dev/null
.venv/bin/python loadtest/cpu.py "$run" "$db" "${REPLICA_DATA:-/var/lib/postgresql/gongzhi-replica-5433}" &
cpu_pid=$!
LOADTEST_FIXTURE="$run/fixture.json" .venv/bin/locust -f loadtest/locustfile.py --headless \
  --users "$users" --spawn-rate "$rate" --run-time "$duration" --host "$host" \
  --csv "$run/locust" --html "$run/locust.html" --only-summary --stop-timeout 10 \
  > "$run/locust.log" 2>&1 || echo "loadtest: locust exited non-zero (failures are in the report)"
kill "$cpu_pid" && wait "$cpu_pid" || true
psql "$DATABASE_URL" -c "select relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd
  from pg_stat_user_tables where seq_scan + coalesce(idx_scan, 0) > 0
  order by seq_tup_read desc limit 15" > "$run/tables.txt"
{
  echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cases_after=$(psql "$DATABASE_URL" -tAc "select count(*) from cases_case")"
  echo "finished=$(date -u +%FT%TZ)"
} >> "$run/run.txt"
.venv/bin/python loadtest/report.py "$run"
echo "loadtest: $run/report.md"
