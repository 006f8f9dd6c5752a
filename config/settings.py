"""gongzhi settings: everything that differs between machines comes from the environment.

Safe by default: DEBUG is off, cookies are secure, a CSP is sent, and SECRET_KEY and the
field-encryption keys must be given. `make demo` and the tests set DEBUG=1, which supplies
development keys so the product runs on a laptop with no configuration.
"""

import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)

# Development-only secrets: used only when DEBUG is on and nothing else is given.
_DEV_SECRET_KEY = "gongzhi-dev-only-secret-key-never-use-in-production-0123456789"
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0="  # base64 of 32 bytes
_DEV_HASH_KEY = "gongzhi-dev-only-hash-key"


def _secret(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")


SECRET_KEY = _secret("SECRET_KEY", _DEV_SECRET_KEY)
# Fernet keys, newest first; older keys still decrypt (docs/personal-data.md, "Key rotation").
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [
    _secret("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_KEY)
]
# HMAC key for exact-match lookup of phone and ID numbers.
PII_HASH_KEY = _secret("PII_HASH_KEY", _DEV_HASH_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # django-ninja's templates and static files: /api/docs serves Swagger UI from this site
    # (same origin, under the CSP below) instead of a CDN.
    "ninja",
    "gongzhi.core",
    "gongzhi.geo",
    "gongzhi.orgs",
    "gongzhi.cases",
    "gongzhi.meetings",
    "gongzhi.care",
    "gongzhi.community",
    "gongzhi.orders",
    "gongzhi.mobilisation",
    "gongzhi.reports",
    "gongzhi.notify",
    "gongzhi.city",
    "gongzhi.api",
    "gongzhi.web",
    "gongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # a GET reads the reference stamp once, however many lookups it makes (core.refdata)
    "gongzhi.core.refdata.RequestSnapshotMiddleware",
    # read-your-writes after a POST, and the API's ?replica=1 (gongzhi.core.replicas)
    "gongzhi.core.replicas.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # NUL anywhere in a request is a 400; /api/ answers only JSON (config/middleware.py).
    "config.middleware.HostileInputMiddleware",
    # Turns a login refused by the limiter (core.logins) into a 429 page, whichever form asked.
    "gongzhi.web.common.auth.LoginRefusedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode (deploy/pgbouncer/pgbouncer.ini, docs/deploy.md) a server
# connection lasts one transaction: no server-side cursors. DB_CONN_MAX_AGE above is then the
# life of the cheap client connection to PgBouncer, health-checked before each reuse.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Embedded mode: WAL lets readers and a writer work together; IMMEDIATE avoids
    # "database is locked" on upgrade from read to write; case_sensitive_like lets a
    # LIKE 'prefix%' use the index on the tree's materialised path. A writer waits up to
    # SQLITE_BUSY_TIMEOUT_MS for the one write lock: the embedded beat's first turn after a start
    # (rollup, sweeps) held it longer than 5 s on a loaded machine (load 11), and every writer
    # that gave up then failed with "database is locked" (the care consumer did, 6 times).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA case_sensitive_like=ON; "
            f"PRAGMA busy_timeout={int(os.environ.get('SQLITE_BUSY_TIMEOUT_MS', '30000'))};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
# Read replicas (gongzhi.core.replicas, docs/scaling.md): hot standbys of the primary, given as
# DATABASE_REPLICA_URLS (comma-separated) -> aliases replica_0, replica_1 ... Only heavy reads go
# there; writes, and reads outside core.replicas.read(), stay on the primary. In tests a replica
# is a test mirror of the primary (its test database is the primary's, streamed over).
REPLICA_ALIASES: list[str] = []
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    for _url in (u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",")):
        if not _url:
            continue
        _alias = f"replica_{len(REPLICA_ALIASES)}"
        DATABASES[_alias] = dj_database_url.parse(
            _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
        )
        # a stopped replica costs a request at most this long, once per REPLICA_DOWN_SECONDS
        DATABASES[_alias]["OPTIONS"] = {
            "connect_timeout": int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))
        }
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]
        DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
        REPLICA_ALIASES.append(_alias)
# The city view (gongzhi.city, docs/scaling.md "City view"): this district's code and name on
# the KPI day totals it publishes, and, on the city's server, the city reporting database
# (CITY_DATABASE_URL -> alias "city") where the districts' totals arrive by logical replication.
DISTRICT_CODE = os.environ.get("DISTRICT_CODE", "district")[:20]
DISTRICT_NAME = os.environ.get("DISTRICT_NAME", "本区")[:100]
if os.environ.get("CITY_DATABASE_URL"):
    DATABASES["city"] = dj_database_url.parse(os.environ["CITY_DATABASE_URL"], conn_max_age=60)
# the city router first: the city's tables live only in "city" (and are never migrated elsewhere)
DATABASE_ROUTERS = ["gongzhi.city.router.CityRouter", "gongzhi.core.replicas.Router"]
# city.DistrictDayTotal / DistrictNode share the names of reports.DayTotal / CityNode on purpose
# (a subscription matches tables by name); the router keeps them in separate databases
SILENCED_SYSTEM_CHECKS = ["models.W035"]
# after a write, the writer reads from the primary this long (read-your-writes)
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "15"))
# a replica further behind than this is passed over
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "10"))
# how long a process trusts a replica's measured lag, and a replica found down
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
REPLICA_DOWN_SECONDS = float(os.environ.get("REPLICA_DOWN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache --------------------------------------------------------------------------------
# Redis is only a cache: unreachable, it is a miss (logged), never a 500 (core.cache), and a
# dead or blackholed server costs at most the short timeouts below.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
if os.environ.get("REDIS_URL"):
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    CACHES = {
        "default": {
            "BACKEND": "gongzhi.core.cache.FailOpenRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "retry": Retry(NoBackoff(), 0),  # a miss now beats a hit after three retries
            },
        }
    }
    # Sessions read from Redis, written to both (a miss or an outage reads the database): one
    # query less on every page. Never with the per-process locmem cache below: a session ended
    # in one worker would live on in another's memory.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- auth, rate limits (docs/security.md, ADR 0011) ------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a login whose address or username budget is spent (core.logins).
    "gongzhi.core.logins.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"


def _budget(name: str, limit: int, minutes: int, minutes_name: str = "") -> tuple[int, int]:
    """(limit, window seconds) from `<NAME>` and `<NAME>_MINUTES`, else the defaults."""
    window = int(os.environ.get(minutes_name or f"{name}_MINUTES", str(minutes)))
    return int(os.environ.get(name, str(limit))), 60 * window


# Budgets of core.limits, counted in the database and shared by every worker: {name: (limit,
# window seconds)}. Logins count failures only, so 30 people behind one street office's NAT
# logging in correctly spend nothing.
RATE_LIMITS = {
    # Failed logins per username, from any address (a pause, not a lockout: it ends by itself).
    "login-user": _budget("LOGIN_FAILURE_LIMIT", 10, 15, "LOGIN_LOCKOUT_MINUTES"),
    # Failed logins per client address, whatever the usernames (one office = one address).
    "login-ip": _budget("LOGIN_IP_FAILURE_LIMIT", 100, 10),
    # Resident reports per device (a signed cookie) and per reporter phone; past either, or past
    # the per-address burst, the report page asks a question instead of refusing.
    "report-device": _budget("REPORT_DEVICE_LIMIT", 10, 60),
    "report-phone": _budget("REPORT_PHONE_LIMIT", 10, 60),
    "report-ip-burst": _budget("REPORT_IP_BURST_LIMIT", 20, 10),
    "report-challenge-used": (1, 15 * 60),  # internal: each question answers one report
    # Wrong case number / code pairs on the tracking page (/track/), per address and per case
    # number: a code cannot be guessed, and one case cannot be attacked from many addresses.
    "track-ip": _budget("TRACK_IP_FAILURE_LIMIT", 20, 10),
    "track-number": _budget("TRACK_NUMBER_FAILURE_LIMIT", 10, 60),
    # Residents' evaluations of finished community projects per client address (one vote per
    # device and project is the service's rule; this stops a script fetching fresh cookies).
    "evaluation-ip": _budget("EVALUATION_IP_LIMIT", 30, 60),
    # Open311 request lists: anonymous per address, with an api_key per key (a wide date window
    # or a long id list costs more, cases.open311.throttle).
    "open311-list-anon": _budget("OPEN311_ANON_LIST_LIMIT", 60, 10),
    "open311-list-key": _budget("OPEN311_KEY_LIST_LIMIT", 600, 10),
}
# How many reverse proxies in front of gunicorn append to X-Forwarded-For. 0 (the default):
# the header is ignored and REMOTE_ADDR is the client (a client can write the header itself).
RATE_LIMIT_TRUSTED_PROXIES = int(os.environ.get("RATE_LIMIT_TRUSTED_PROXIES", "0"))

# --- security headers -----------------------------------------------------------------------
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "10")) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Maps draw the tree's boundaries alone (offline); a tile server is optional, e.g.
# MAP_TILE_URL=https://webrd01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("https://") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

# --- uploads ----------------------------------------------------------------------------------
# Excel imports above this size are refused with a clear message before they are read.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# ...and these hold before and while it is parsed (gongzhi/core/workbook_limits.py): a small
# .xlsx may unpack to gigabytes or declare a million rows.
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(64 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))
# An import's report lists this many problems and counts the rest.
IMPORT_MAX_LISTED_ERRORS = int(os.environ.get("IMPORT_MAX_LISTED_ERRORS", "200"))
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# An Open311 POST is a short form (a description of at most 4,000 characters): a body above this
# is refused with 413 before anything parses it (docs/open311.md).
OPEN311_MAX_BODY_BYTES = int(os.environ.get("OPEN311_MAX_BODY_BYTES", str(64 * 1024)))

# Largest photo on a case event.
# A street's own Word templates for minutes, slips and sign-in sheets (docs/meetings.md):
# <dir>/<street code>/<name>.docx, then <dir>/<name>.docx, then the shipped ones.
MEETING_DOC_TEMPLATES_DIR = os.environ.get("MEETING_DOC_TEMPLATES_DIR") or None
CASE_ATTACHMENT_MAX_BYTES = int(os.environ.get("CASE_ATTACHMENT_MAX_BYTES", str(8 * 1024 * 1024)))
# ...and its pixels, read from the header before any decoding (a small file may declare 400 MP).
CASE_ATTACHMENT_MAX_PIXELS = int(os.environ.get("CASE_ATTACHMENT_MAX_PIXELS", "40000000"))
# How long the tracking link a reporter gets by SMS works (days; docs/tracking.md).
CASE_TRACKING_LINK_DAYS = int(os.environ.get("CASE_TRACKING_LINK_DAYS", "180"))

# Category suggestion: below this confidence a person picks the category (人工分类).
CLASSIFIER_TRIAGE_THRESHOLD = float(os.environ.get("CLASSIFIER_TRIAGE_THRESHOLD", "0.5"))
# 自动派遣: a resident's report the trained model reads as one 小类 with at least this confidence
# is registered and dispatched to its routed post by the system ("off": a dispatcher does it).
_auto_dispatch = os.environ.get("CASE_AUTO_DISPATCH_CONFIDENCE", "0.8").strip().lower()
CASE_AUTO_DISPATCH_CONFIDENCE = None if _auto_dispatch in {"", "off", "none"} else float(_auto_dispatch)

# --- personal data -------------------------------------------------------------------------
# How long access-log rows are kept (days); see docs/personal-data.md.
PII_ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("PII_ACCESS_LOG_RETENTION_DAYS", "1095"))

# --- working-hour calendar ----------------------------------------------------------------
# Office hours that count towards case deadlines, in TIME_ZONE; see docs/working-calendar.md.
WORK_PERIODS = os.environ.get("WORK_PERIODS", "08:30-12:00,13:30-17:30")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Logs never carry personal data: PII is masked at the model layer and only revealed
# through orgs.services.person_reveal, which returns the value to the caller, not to a log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- background work (Celery on Redis or RabbitMQ; docs/background.md, ADR 0032) ----------
# Production sets CELERY_BROKER_URL (redis://127.0.0.1:6379/0, or amqp://…@host:5672//) and
# runs one `celery -A config worker -Q <queue>` per queue and exactly one `celery -A config
# beat`. Without it (embedded mode) tasks run in-process and the embedded beat (`gongzhi
# schedule`, started by `gongzhi serve`) runs CELERY_BEAT_SCHEDULE.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Every task is idempotent (docs/background.md lists how each one is), so a message is
# acknowledged only after its task ran (acks_late) and put back when the process running it
# dies (reject_on_worker_lost); a worker takes one message at a time (prefetch 1).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Named queues, one worker (or more) per queue; a worker started without -Q consumes them all
# (a small street runs one worker). Routes go by task name.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "notify", "reports", "care", "documents")]
CELERY_TASK_ROUTES = {
    "gongzhi.notify.tasks.dispatch_outbox": {"queue": "notify"},
    "gongzhi.reports.tasks.rollup": {"queue": "reports"},
    "gongzhi.reports.tasks.daily": {"queue": "documents"},
    "gongzhi.reports.tasks.weekly": {"queue": "documents"},
    "gongzhi.care.tasks.sweep": {"queue": "care"},
    "gongzhi.care.tasks.prune": {"queue": "care"},
    # cases.sla_sweep, meetings.follow_up, orders.sweep, community.follow_up and
    # mobilisation.direct_sweep go to "default"
}
# Redis re-delivers a message whose worker died (no ack) after visibility_timeout seconds: it
# must exceed the longest task and the longest retry countdown (TASK_RETRY_BACKOFF_MAX). A
# JSON object in the environment adds or overrides transport options (tests shorten it).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    **json.loads(os.environ.get("CELERY_BROKER_TRANSPORT_OPTIONS") or "{}"),
}
# Transient errors (database or network down) are retried with exponential backoff and
# jitter, at most TASK_MAX_RETRIES times; what still fails becomes a FailedTask (core.background).
TASK_MAX_RETRIES = int(os.environ.get("TASK_MAX_RETRIES", "5"))
TASK_RETRY_BACKOFF_MAX = int(os.environ.get("TASK_RETRY_BACKOFF_MAX", "600"))
# The beat runs in exactly one process: it holds a PostgreSQL advisory lock (a file lock on
# SQLite) while it runs; a second beat waits as a standby (core.beat). Behind PgBouncer in
# transaction mode point this at PostgreSQL itself: a session lock needs a session.
BEAT_LOCK_DATABASE_URL = os.environ.get("BEAT_LOCK_DATABASE_URL", "")
BEAT_LOCK_RETRY_SECONDS = float(os.environ.get("BEAT_LOCK_RETRY_SECONDS", "15"))
CELERY_BEAT_SCHEDULER = "gongzhi.core.beat:LockedScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 15  # seconds: how soon a beat that lost its lock stops
# A write's kick to the dispatcher (core.outbox.kick) is sent after the response, on its own
# connection: one attempt, this many seconds at most. When the broker is down the rows stay
# pending and the beat (or cron's notify_dispatch) sends them once it is back.
OUTBOX_KICK_TIMEOUT = float(os.environ.get("OUTBOX_KICK_TIMEOUT", "1"))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "dispatch-outbox": {"task": "gongzhi.notify.tasks.dispatch_outbox", "schedule": 60.0},
    "sla-sweep": {"task": "gongzhi.cases.tasks.sla_sweep", "schedule": 300.0},
    "slip-follow-up": {"task": "gongzhi.meetings.tasks.follow_up", "schedule": 900.0},
    # KPI tables follow the case events (docs/adr/0006-kpi-rollup.md); reports (docs/reports.md):
    # yesterday's 日报 at 00:30, last week's 周报 on Monday at 01:00, both idempotent.
    "reports-rollup": {"task": "gongzhi.reports.tasks.rollup", "schedule": 600.0},
    # care (docs/care.md): the rule pass every minute, raw events pruned nightly
    "care-sweep": {"task": "gongzhi.care.tasks.sweep", "schedule": 60.0},
    "care-prune": {"task": "gongzhi.care.tasks.prune", "schedule": crontab(hour=3, minute=10)},
    # the event tables' next monthly partitions (docs/scaling.md), a no-op on SQLite
    "partitions-ensure": {
        "task": "gongzhi.core.tasks.partitions_ensure",
        "schedule": crontab(hour=2, minute=40),
    },
    # orders (docs/services.md): orders nobody took in time go to the lead, committee, street;
    # served orders never confirmed close after ORDER_AUTO_CONFIRM_DAYS; volunteers' hours
    # unconfirmed after ORDER_HOURS_REMIND_DAYS remind the leads once
    "orders-sweep": {"task": "gongzhi.orders.tasks.sweep", "schedule": 60.0},
    # community (docs/community.md): late project milestones remind their unit once a day
    "community-follow-up": {"task": "gongzhi.community.tasks.follow_up", "schedule": 3600.0},
    # 直报 (docs/mobilisation.md): unacknowledged reports climb the leaders' ladder, late 续报 reminded
    "direct-sweep": {"task": "gongzhi.mobilisation.tasks.direct_sweep", "schedule": 60.0},
    "reports-daily": {"task": "gongzhi.reports.tasks.daily", "schedule": crontab(hour=0, minute=30)},
    "reports-weekly": {
        "task": "gongzhi.reports.tasks.weekly",
        "schedule": crontab(hour=1, minute=0, day_of_week=1),
    },
}

# --- partitioned event tables (docs/scaling.md, "Partitioned event tables"; PostgreSQL) -------
# `gongzhi partitions_archive` detaches, dumps (gzipped CSV under ARCHIVE_DIR) and drops the
# monthly partitions older than a table's retention in days; 0 keeps a table's months for ever.
# Care sensor events use CARE_EVENT_RETENTION_DAYS. Case events and facts are kept by default:
# attachments point at case events, and the rollup's rebuild reads every fact.
ARCHIVE_DIR = Path(os.environ.get("ARCHIVE_DIR", VAR_DIR / "archive"))
CASE_EVENT_RETENTION_DAYS = int(os.environ.get("CASE_EVENT_RETENTION_DAYS", "0"))
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "180"))
REPORTS_FACT_RETENTION_DAYS = int(os.environ.get("REPORTS_FACT_RETENTION_DAYS", "0"))
# How many months ahead the daily `partitions_ensure` keeps created.
PARTITIONS_AHEAD_MONTHS = int(os.environ.get("PARTITIONS_AHEAD_MONTHS", "3"))

# --- reports and KPIs (docs/kpis.md) --------------------------------------------------------
# Grade bands, best first, on a rate's score in percent (a lower 返工率 scores higher).
REPORTS_GRADES = [
    (name.strip(), float(minimum))
    for name, minimum in (
        part.split(":", 1) for part in env_list("REPORTS_GRADES", "A:90,B:80,C:60,D:0") if ":" in part
    )
]
# A slip is countersigned on time when it binds within this many days of going out.
REPORTS_SLIP_SIGN_DAYS = int(os.environ.get("REPORTS_SLIP_SIGN_DAYS", "3"))
# Rankings grade a rate only over at least this many cases; the boards show this many.
REPORTS_RANK_MIN = int(os.environ.get("REPORTS_RANK_MIN", "5"))
REPORTS_BOARD_SIZE = int(os.environ.get("REPORTS_BOARD_SIZE", "5"))
# A page or API read takes in the new case events itself (reports.rollup.catch_up: ~40 ms
# whenever there is anything new, on 1,000,000 cases) only when the KPI tables were brought up
# to date longer ago than this: under a stream of events most reads then read, not write.
REPORTS_READ_FRESH_SECONDS = float(os.environ.get("REPORTS_READ_FRESH_SECONDS", "5"))

# --- orders (docs/services.md) -------------------------------------------------------------------
# A served order the resident never confirmed is closed by the orders sweep after this many days.
ORDER_AUTO_CONFIRM_DAYS = int(os.environ.get("ORDER_AUTO_CONFIRM_DAYS", "7"))
# a volunteer's order hours still unconfirmed this long after serving remind the module's leads once
ORDER_HOURS_REMIND_DAYS = int(os.environ.get("ORDER_HOURS_REMIND_DAYS", "3"))

# --- care (docs/care.md) ----------------------------------------------------------------------
# Raw device events are kept this many days, then pruned (the last-seen rows stay).
CARE_EVENT_RETENTION_DAYS = int(os.environ.get("CARE_EVENT_RETENTION_DAYS", "90"))
# An event older than this (a gateway's buffer after an outage) is refused, as one in the future.
CARE_EVENT_MAX_AGE_DAYS = int(os.environ.get("CARE_EVENT_MAX_AGE_DAYS", "7"))
# The MQTT broker the consumer (`gongzhi care_consume`) subscribes to (docs/care.md, topics).
CARE_MQTT_HOST = os.environ.get("CARE_MQTT_HOST", "127.0.0.1")
CARE_MQTT_PORT = int(os.environ.get("CARE_MQTT_PORT", "1883"))
CARE_MQTT_USERNAME = os.environ.get("CARE_MQTT_USERNAME", "")
CARE_MQTT_PASSWORD = os.environ.get("CARE_MQTT_PASSWORD", "")
CARE_MQTT_TOPIC_ROOT = os.environ.get("CARE_MQTT_TOPIC_ROOT", "gongzhi/care/v1")
CARE_MQTT_SHARE_GROUP = os.environ.get("CARE_MQTT_SHARE_GROUP", "gongzhi")
# The alert chain, in wall-clock minutes (docs/care.md): nobody acknowledges within
# CARE_ACK_MINUTES → a 上门探访 case for the responsible post (its limit: the 为老上门探视
# category's policy, 2 hours on the wall clock); the street supervises a case counted on the
# wall clock SLA_WALL_CLOCK_SUPERVISE_MINUTES after its deadline.
CARE_ACK_MINUTES = int(os.environ.get("CARE_ACK_MINUTES", "30"))
CARE_VISIT_CATEGORY = os.environ.get("CARE_VISIT_CATEGORY", "MS03")
# `gongzhi serve` runs `gongzhi care_simulate` beside the server when set (`make demo` sets 1:
# a gentle 2 events a second; a number is that rate). Demo and development only.
CARE_SIMULATE = os.environ.get("CARE_SIMULATE", "")
SLA_WALL_CLOCK_SUPERVISE_MINUTES = int(os.environ.get("SLA_WALL_CLOCK_SUPERVISE_MINUTES", "60"))

# --- 直报 (docs/mobilisation.md "直报"), in wall-clock minutes --------------------------------
# Nobody acknowledges within DIRECT_ACK_MINUTES → the next leader of the street's ladder hears,
# and again every DIRECT_ACK_MINUTES; the written 续报 is due DIRECT_FOLLOW_UP_MINUTES after the
# report. A duty day runs from DIRECT_DUTY_HANDOVER (local, HH:MM) to the next day's.
DIRECT_ACK_MINUTES = int(os.environ.get("DIRECT_ACK_MINUTES", "15"))
DIRECT_FOLLOW_UP_MINUTES = int(os.environ.get("DIRECT_FOLLOW_UP_MINUTES", "60"))
DIRECT_DUTY_HANDOVER = os.environ.get("DIRECT_DUTY_HANDOVER", "08:30")

# --- notifications ------------------------------------------------------------------------
# The site's public address, to turn links in emails and robot messages into absolute URLs.
NOTIFY_SITE_URL = os.environ.get("NOTIFY_SITE_URL", "")
NOTIFY_WEBHOOK_TIMEOUT = float(os.environ.get("NOTIFY_WEBHOOK_TIMEOUT", "5"))
# SMS to reporters who left a phone (docs/notifications.md): an HTTP gateway taking JSON; off
# while SMS_GATEWAY_URL is empty. SMS_TEMPLATES maps the message kinds to the gateway's
# template ids ("accepted:SMS_1,handled:SMS_2,callback:SMS_3").
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "")
SMS_TEMPLATES = {
    f"sms.{kind.strip()}": template.strip()
    for kind, template in (part.split(":", 1) for part in env_list("SMS_TEMPLATES") if ":" in part)
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongzhi@localhost")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
