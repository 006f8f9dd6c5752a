#!/usr/bin/env bash
# A hot-standby streaming replica of the PostgreSQL cluster on 127.0.0.1:5432, on 127.0.0.1:5433
# (docs/scaling.md "Read replicas"). The replica tests (gongzhi/core/tests/test_replica_live.py)
# use it and skip when it is not up; .ci/run calls `scripts/replica.sh start`.
#
#   scripts/replica.sh [start]   make it (pg_basebackup -R) if needed, start it, wait for streaming
#   scripts/replica.sh stop      stop it (the data directory stays)
#   scripts/replica.sh status    say whether it is up and streaming (exit 1 when not)
#
# Idempotent: a replica that is up and streaming is left alone; one that cannot catch up (the
# primary keeps no WAL for it: no replication slot, so a stopped replica never fills the
# primary's disk) is made again from a fresh base backup. On the primary it needs wal_level
# replica (PostgreSQL's default) and a `replication` line in pg_hba.conf for 127.0.0.1: it adds
# that line (trust, as the CI's cluster trusts 127.0.0.1) and reloads when it is missing.
# Run it as root (it runs the server as the postgres user) or as postgres.
set -euo pipefail

PRIMARY_HOST=${REPLICA_PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${REPLICA_PRIMARY_PORT:-5432}
PORT=${REPLICA_PORT:-5433}
PGUSER_=${REPLICA_PGUSER:-root}
VERSION=${PG_VERSION:-$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)}
BIN=/usr/lib/postgresql/$VERSION/bin
DATA=${REPLICA_DATA:-/var/lib/postgresql/gongzhi-replica-$PORT}
LOG=$DATA/replica.log

say() { echo "replica: $*"; }
as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
psql_primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PGUSER_" -d postgres -tAXc "$1"; }
psql_replica() { psql -h 127.0.0.1 -p "$PORT" -U "$PGUSER_" -d postgres -tAXc "$1" 2>/dev/null; }

streaming() {
  pg_isready -h 127.0.0.1 -p "$PORT" -q &&
    [ "$(psql_replica "SELECT pg_is_in_recovery()")" = t ] &&
    [ "$(psql_replica "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")" = 1 ]
}

wait_streaming() {
  for _ in $(seq 1 "${1:-30}"); do
    streaming && return 0
    sleep 1
  done
  return 1
}

stop() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
  fi
}

primary_ready() {
  local level
  level=$(psql_primary "SHOW wal_level")
  if [ "$level" = minimal ]; then
    say "the primary runs wal_level=minimal: set wal_level=replica and restart it" >&2
    exit 1
  fi
  if [ "$(psql_primary "SHOW max_wal_senders")" = 0 ]; then
    say "the primary has max_wal_senders=0: raise it and restart it" >&2
    exit 1
  fi
  # pg_hba_file_rules shows the file as it is on disk, so a line added here shows at once
  if [ "$(psql_primary "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)
        AND type = 'host' AND (address = '127.0.0.1' OR address = 'all') AND error IS NULL")" = 0 ]; then
    local hba
    hba=$(psql_primary "SHOW hba_file")
    say "adding a replication line for 127.0.0.1 to $hba"
    printf '# gongzhi scripts/replica.sh: the hot standby on %s\nhost replication all 127.0.0.1/32 trust\n' \
      "$PORT" >>"$hba"
    psql_primary "SELECT pg_reload_conf()" >/dev/null
  fi
}

make_replica() {
  say "base backup of $PRIMARY_HOST:$PRIMARY_PORT into $DATA"
  stop
  rm -rf "$DATA"
  as_pg mkdir -p "$DATA"
  as_pg chmod 700 "$DATA"
  as_pg "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PGUSER_" -D "$DATA" \
    -R -X stream -c fast
  # Debian keeps the configuration out of the data directory: the standby gets its own
  as_pg tee "$DATA/postgresql.conf" >/dev/null <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
hot_standby_feedback = on
max_connections = $(psql_primary "SHOW max_connections")
max_worker_processes = $(psql_primary "SHOW max_worker_processes")
shared_buffers = 16MB
autovacuum = off
EOF
  as_pg tee "$DATA/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
}

start() {
  if streaming; then
    say "up and streaming on 127.0.0.1:$PORT"
    return 0
  fi
  primary_ready
  if [ -f "$DATA/standby.signal" ]; then
    pg_isready -h 127.0.0.1 -p "$PORT" -q || as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w start >/dev/null || true
    if wait_streaming 15; then
      say "up and streaming on 127.0.0.1:$PORT"
      return 0
    fi
    say "the standby in $DATA does not stream (too far behind?): making it again"
  fi
  make_replica
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w start >/dev/null
  if wait_streaming 30; then
    say "up and streaming on 127.0.0.1:$PORT"
  else
    say "started but not streaming; see $LOG" >&2
    exit 1
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status)
    if streaming; then say "up and streaming on 127.0.0.1:$PORT"; else
      say "not streaming on 127.0.0.1:$PORT"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
