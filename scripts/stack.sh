#!/usr/bin/env bash
# The whole gongzhi set on this machine, for the load test (docs/deploy.md "One machine"):
# two gunicorn app servers behind nginx, three Celery workers (by queue), beat, the care MQTT
# consumer, and the read replica on 5433 when scripts/replica.sh exists. Runs in the
# foreground under honcho (deploy/Procfile); Ctrl-C stops everything.
#
#   DATABASE_URL=postgres://root@127.0.0.1:5432/DB scripts/stack.sh
#
# DB must hold the demo (DEBUG=1 gongzhi migrate && gongzhi demo && gongzhi reports_rollup &&
# gongzhi demo_logins, on PostgreSQL). The processes run with DEBUG off, as in production, but
# with the demo's development keys (the demo's personal data is encrypted under them): a stack
# for demo data only, never for a real street. Environment, all optional:
#   STACK_PORT (8080, nginx), WEB1_PORT / WEB2_PORT (8101 / 8102), WEB_WORKERS (2 per app
#   server), WORKER1_QUEUES..WORKER3_QUEUES, WORKER_CONCURRENCY (1), STACK_DIR (var/stack),
#   STACK_REDIS_DB (11: broker; the cache uses the next one).
# Without nginx (not installed) the stack runs without it and the entry point is web1: the
# load test then reaches one app server only (say so with its figures).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database holding the demo}"
[ -x .venv/bin/honcho ] || { echo "stack: run make install first (honcho is in requirements-dev.txt)"; exit 1; }

export STACK_DIR=${STACK_DIR:-$ROOT/var/stack}
mkdir -p "$STACK_DIR"
export STACK_PORT=${STACK_PORT:-8080} WEB1_PORT=${WEB1_PORT:-8101} WEB2_PORT=${WEB2_PORT:-8102}
# Three workers: until every task is routed to a named queue (CELERY_TASK_ROUTES), what is not
# routed lands in Celery's own default queue "celery", so the first worker takes it too.
export WORKER1_QUEUES=${WORKER1_QUEUES:-notify,default}
export WORKER2_QUEUES=${WORKER2_QUEUES:-reports,documents}
export WORKER3_QUEUES=${WORKER3_QUEUES:-care}
export WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-1}
redis_db=${STACK_REDIS_DB:-11}

# production settings with the demo's development keys (read from config/settings.py, so they
# are never written twice)
read -r dev_secret dev_field dev_hash < <(DEBUG=1 .venv/bin/python -c "
import config.settings as s
print(s._DEV_SECRET_KEY, s._DEV_FIELD_KEY, s._DEV_HASH_KEY)")
export DEBUG=0 SECRET_KEY="$dev_secret" FIELD_ENCRYPTION_KEYS="$dev_field" PII_HASH_KEY="$dev_hash"
export ALLOWED_HOSTS=127.0.0.1,localhost SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export GONGZHI_VAR_DIR=${GONGZHI_VAR_DIR:-$ROOT/var}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/$redis_db}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/$((redis_db + 1))}
# the stack's own topics on a shared Mosquitto
export CARE_MQTT_TOPIC_ROOT=${CARE_MQTT_TOPIC_ROOT:-gongzhi-stack/care/v1} CARE_MQTT_SHARE_GROUP=gongzhi-stack
export EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend CARE_SIMULATE=
# The load test's clients all come from 127.0.0.1 and keep one device cookie each: the
# per-address and per-device report budgets (docs/security.md) would turn them into the
# report page's question after 20 reports. Raised for the stack only.
export REPORT_IP_BURST_LIMIT=1000000 REPORT_DEVICE_LIMIT=1000000 REPORT_PHONE_LIMIT=1000000
export GUNICORN_CMD_ARGS="--workers ${WEB_WORKERS:-2} --timeout 120 --graceful-timeout 10 --forwarded-allow-ips 127.0.0.1 --error-logfile -"

if [ -x scripts/replica.sh ]; then
  # the streaming replica on 127.0.0.1:5433 (scripts/replica.sh makes or starts it)
  scripts/replica.sh
  replica_db=$(.venv/bin/python -c "import dj_database_url, os; print(dj_database_url.parse(os.environ['DATABASE_URL'])['NAME'])")
  export DATABASE_REPLICA_URLS=${DATABASE_REPLICA_URLS:-postgres://root@127.0.0.1:5433/$replica_db}
  echo "stack: reads may go to the replica $DATABASE_REPLICA_URLS"
else
  echo "stack: no scripts/replica.sh: every read on the primary"
fi

.venv/bin/gongzhi migrate --noinput >/dev/null
.venv/bin/gongzhi collectstatic --noinput >/dev/null

processes=(web1 web2 worker1 worker2 worker3 beat care)
if command -v nginx >/dev/null; then
  export RATE_LIMIT_TRUSTED_PROXIES=1
  # the site of deploy/nginx/gongzhi.conf without TLS, on a local port, sharing its proxy snippet
  cat > "$STACK_DIR/nginx.conf" <<CONF
pid $STACK_DIR/nginx.pid;
error_log $STACK_DIR/nginx-error.log warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  upstream gongzhi_app {
    server 127.0.0.1:$WEB1_PORT max_fails=3 fail_timeout=10s;
    server 127.0.0.1:$WEB2_PORT max_fails=3 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$STACK_PORT;
    client_max_body_size 11m;
    location /static/ { alias $GONGZHI_VAR_DIR/static/; gzip_static on; expires 1y; }
    location /media/ { return 404; }
    location /open311/ { client_max_body_size 128k; proxy_pass http://gongzhi_app; include $ROOT/deploy/nginx/gongzhi-proxy.conf; }
    location = /api/v1/care/events { client_max_body_size 2m; proxy_pass http://gongzhi_app; include $ROOT/deploy/nginx/gongzhi-proxy.conf; }
    location / { proxy_pass http://gongzhi_app; include $ROOT/deploy/nginx/gongzhi-proxy.conf; }
  }
}
CONF
  processes+=(nginx)
  url="http://127.0.0.1:$STACK_PORT"
else
  export RATE_LIMIT_TRUSTED_PROXIES=0
  echo "stack: nginx is not installed: no proxy, the entry point is web1 alone"
  url="http://127.0.0.1:$WEB1_PORT"
fi
echo "$url" > "$STACK_DIR/url"
echo "stack: ${processes[*]} -> $url"
exec .venv/bin/honcho -f deploy/Procfile -d "$ROOT" start "${processes[@]}"
