#!/usr/bin/env bash
# Checks the files in deploy/ on this machine, without installing them:
#   1. the nginx site with `nginx -t` (a throwaway self-signed certificate),
#   2. the systemd units with `systemd-analyze verify` (paths pointed at this checkout),
#   3. deploy/pgbouncer/pgbouncer.ini in transaction mode, proxying real Django queries
#      (transactions, an .iterator(), a write rolled back) to DATABASE_URL's PostgreSQL.
# Needs: nginx, systemd, pgbouncer (apt-get install nginx pgbouncer) and `make install`.
# Usage: DATABASE_URL=postgres://root@127.0.0.1:5432/somedb scripts/deploy_check.sh
# Each check prints "ok: ..." or "FAIL: ..."; a missing tool prints "skip: ...". Exit 1 on a FAIL.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/gongzhi-deploy-check.XXXXXX)
chmod 755 "$WORK"
PGB_PORT=${PGB_PORT:-6439}
failed=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
skip() { echo "skip: $*"; }
cleanup() {
  if [ -f "$WORK/pgbouncer.pid" ]; then kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- 1. nginx -------------------------------------------------------------------------------------
if command -v nginx >/dev/null; then
  mkdir -p "$WORK/nginx/logs" "$WORK/ssl"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=gongzhi.example.gov.cn" \
    -keyout "$WORK/ssl/privkey.pem" -out "$WORK/ssl/fullchain.pem" 2>/dev/null
  sed -e "s#/etc/ssl/gongzhi/#$WORK/ssl/#" \
      -e "s#/etc/nginx/snippets/gongzhi-proxy.conf#$ROOT/deploy/nginx/gongzhi-proxy.conf#" \
      -e "s#/var/log/nginx/#$WORK/nginx/logs/#" deploy/nginx/gongzhi.conf > "$WORK/nginx/site.conf"
  cat > "$WORK/nginx/nginx.conf" <<CONF
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log $WORK/nginx/logs/access.log;
  include $WORK/nginx/site.conf;
}
CONF
  if out=$(nginx -t -q -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>&1); then
    ok "nginx -t deploy/nginx/gongzhi.conf ${out:+($out)}"
  else
    fail "nginx -t: $out"
  fi
else
  skip "nginx is not installed (apt-get install nginx)"
fi

# --- 2. systemd units ------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$WORK/units"
  for unit in deploy/systemd/*; do
    sed -e "s#/srv/gongzhi#$ROOT#g" -e "s#^User=gongzhi#User=root#" -e "s#^Group=gongzhi#Group=root#" \
      "$unit" > "$WORK/units/$(basename "$unit")"
  done
  # templates are verified through an instance of each
  for name in gongzhi-web@8001 gongzhi-worker@notify; do
    cp "$WORK/units/${name%@*}@.service" "$WORK/units/$name.service"
  done
  units=("$WORK"/units/gongzhi-web@8001.service "$WORK"/units/gongzhi-worker@notify.service
    "$WORK"/units/gongzhi-beat.service "$WORK"/units/gongzhi-care-consume.service "$WORK"/units/gongzhi.target "$WORK"/units/gongzhi-backup.service "$WORK"/units/gongzhi-backup.timer)
  # the units run the executables of this checkout's .venv (a missing one is reported); lines
  # about units this machine lacks (postgresql.service in a container) are not about ours
  out=$(cd "$WORK/units" && systemd-analyze verify --man=no "${units[@]}" 2>&1 | grep "gongzhi" || true)
  if [ -z "$out" ]; then ok "systemd-analyze verify deploy/systemd/*"; else fail "systemd-analyze: $out"; fi
else
  skip "systemd-analyze is not available"
fi

# --- 3. PgBouncer in transaction mode ---------------------------------------------------------------
if ! command -v pgbouncer >/dev/null; then
  skip "pgbouncer is not installed (apt-get install pgbouncer)"
elif [ -z "${DATABASE_URL:-}" ] || [ ! -x .venv/bin/python ]; then
  skip "pgbouncer: set DATABASE_URL (PostgreSQL) and run make install"
else
  read -r PGHOST PGPORT PGDB PGUSER < <(.venv/bin/python -c "
import dj_database_url, os
d = dj_database_url.parse(os.environ['DATABASE_URL'])
print(d['HOST'] or '127.0.0.1', d['PORT'] or 5432, d['NAME'], d['USER'] or 'postgres')")
  # the shipped file, with only what differs on a test machine replaced: port, files, trust auth
  sed -e "s#^gongzhi = .*#gongzhi = host=$PGHOST port=$PGPORT dbname=$PGDB user=$PGUSER#" \
      -e "s#^listen_port = .*#listen_port = $PGB_PORT#" \
      -e "s#^unix_socket_dir = .*#unix_socket_dir =#" \
      -e "s#^auth_type = .*#auth_type = trust#" \
      -e "s#^auth_file = .*#auth_file = $WORK/userlist.txt#" \
      -e "s#^admin_users = .*#admin_users = $PGUSER#" \
      -e "s#^stats_users = .*#stats_users = $PGUSER#" \
      -e "s#^logfile = .*#logfile = $WORK/pgbouncer.log#" \
      -e "s#^pidfile = .*#pidfile = $WORK/pgbouncer.pid#" deploy/pgbouncer/pgbouncer.ini > "$WORK/pgbouncer.ini"
  echo "\"$PGUSER\" \"\"" > "$WORK/userlist.txt"
  grep -q "^pool_mode = transaction" "$WORK/pgbouncer.ini" || fail "pgbouncer.ini is not in transaction mode"
  chown -R postgres "$WORK" 2>/dev/null || true
  # PgBouncer refuses to run as root
  if [ "$(id -u)" = 0 ]; then runas=(runuser -u postgres --); else runas=(); fi
  "${runas[@]}" pgbouncer -d "$WORK/pgbouncer.ini" >/dev/null 2>&1
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PGB_PORT") 2>/dev/null && break; sleep 0.1; done
  if out=$(DATABASE_URL="postgres://$PGUSER@127.0.0.1:$PGB_PORT/gongzhi" DB_DISABLE_SERVER_SIDE_CURSORS=1 \
      DEBUG=1 GONGZHI_VAR_DIR="$WORK/var" .venv/bin/python - <<'PY' 2>&1
import os
import django
from django.db import connection, transaction
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.contrib.contenttypes.models import ContentType

assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
pids = set()
for _ in range(20):  # more than psycopg's prepare threshold: nothing may be prepared server-side
    with transaction.atomic():
        n = ContentType.objects.count()
        with connection.cursor() as cur:
            cur.execute("select pg_backend_pid(), current_setting('TimeZone')")
            pid, tz = cur.fetchone()
        pids.add(pid)
        assert tz == "UTC", tz
rows = sum(1 for _ in ContentType.objects.all().iterator(chunk_size=10))
assert rows == n > 0, (rows, n)
with transaction.atomic():  # a write, then a rollback: nothing left behind
    sid = transaction.savepoint()
    ContentType.objects.create(app_label="deploy_check", model="probe")
    transaction.savepoint_rollback(sid)
assert not ContentType.objects.filter(app_label="deploy_check").exists()
print(f"{n} content types, {rows} by iterator, server backends seen: {len(pids)}")
PY
  ); then
    mode=$(psql -h 127.0.0.1 -p "$PGB_PORT" -U "$PGUSER" -d pgbouncer -tAc "SHOW CONFIG" 2>/dev/null | grep "^pool_mode|" | cut -d'|' -f2)
    queries=$(psql -h 127.0.0.1 -p "$PGB_PORT" -U "$PGUSER" -d pgbouncer -tAc "SHOW STATS" 2>/dev/null | grep "^gongzhi|" | cut -d'|' -f3)
    ok "pgbouncer pool_mode=$mode proxied Django ($out; $queries transactions counted by PgBouncer)"
  else
    fail "Django through pgbouncer: $out"
  fi
fi
exit $failed
