#!/usr/bin/env bash
# Throw-away PostgreSQL clusters for the city view's logical replication test
# (gongzhi/city/tests/test_replication.py, docs/scaling.md "City view"): the shared cluster on
# 5432 runs wal_level=replica and is never reconfigured, so districts (wal_level=logical) and a
# city are made with initdb under a temp dir, on ports given, and removed afterwards.
#
#   scripts/city_clusters.sh start DIR NAME PORT [logical]   initdb DIR/NAME, start it on PORT
#   scripts/city_clusters.sh stop DIR                        stop every cluster under DIR, remove DIR
#   scripts/city_clusters.sh check                           exit 0 when initdb is found, 3 when not
#
# Superuser root, trust on 127.0.0.1 (the CI's convention). Run as root (the servers run as the
# postgres user) or as postgres. Exit 3 when initdb is not installed (the test then skips).
set -euo pipefail

# initdb: PG_BIN, else on PATH, else Debian's newest /usr/lib/postgresql/*/bin (not on PATH there)
if [ -n "${PG_BIN:-}" ]; then BIN=$PG_BIN
elif command -v initdb >/dev/null 2>&1; then BIN=$(dirname "$(command -v initdb)")
else BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1); fi
BIN=${BIN:-/nonexistent}
as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

case "${1:-}" in
  start)
    DIR=$2 NAME=$3 PORT=$4 WAL=${5:-replica}
    [ -x "$BIN/initdb" ] || { echo "city_clusters: no initdb" >&2; exit 3; }
    mkdir -p "$DIR"
    chown postgres "$DIR" 2>/dev/null || true
    as_pg "$BIN/initdb" -D "$DIR/$NAME" -U root -A trust --no-sync -E UTF8 >/dev/null
    as_pg "$BIN/pg_ctl" -D "$DIR/$NAME" -l "$DIR/$NAME.log" -w -t 60 start -o \
      "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR -c wal_level=$WAL \
       -c fsync=off -c synchronous_commit=off -c shared_buffers=16MB -c max_connections=30 \
       -c max_wal_senders=10 -c max_replication_slots=10 -c wal_receiver_status_interval=1" >/dev/null
    ;;
  check)
    [ -x "$BIN/initdb" ] || exit 3
    ;;
  stop)
    DIR=$2
    for data in "$DIR"/*/; do
      [ -f "$data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null || true
    done
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start DIR NAME PORT [logical] | stop DIR" >&2
    exit 2
    ;;
esac
