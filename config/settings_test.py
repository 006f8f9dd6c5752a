"""Settings for pytest: development keys, fast hashing, lockout on so it can be tested."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403
from config.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests dispatch by hand; the ones about 自动派遣 turn it on (a worktree's var/ may hold the demo's
# trained model, which would otherwise dispatch every resident report the tests make).
CASE_AUTO_DISPATCH_CONFIDENCE = None
# Reads catch the KPI tables up on every new event (the tests compare them with the case table
# right after writing); the production window is tested on its own (reports/tests/test_rollup.py).
REPORTS_READ_FRESH_SECONDS = 0.0

# Read replicas (gongzhi.core.replicas): aliases for the router's tests, all test mirrors of the
# primary, and none in use (REPLICA_ALIASES) unless a test turns it on with override_settings, so
# the rest of the suite reads from the primary whatever DATABASE_REPLICA_URLS says.
# - replica_mirror: the primary itself, as a mirror (the router's logic, no standby needed);
# - replica_live: the hot standby on 127.0.0.1:5433 (scripts/replica.sh; its tests skip when it is
#   not up), reading the primary's test database as it streams over;
# - replica_down: nothing listens there (a replica that has stopped).
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    import dj_database_url

    for _alias, _url in (
        ("replica_mirror", os.environ.get("DATABASE_URL", "")),
        ("replica_live", os.environ.get("TEST_REPLICA_URL", "postgres://root@127.0.0.1:5433/postgres")),
        ("replica_down", "postgres://root@127.0.0.1:9/postgres"),
    ):
        DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=0)
        DATABASES[_alias]["OPTIONS"] = {"connect_timeout": 2}
        DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
REPLICA_ALIASES = []

# Transactional tests end with a flush; on PostgreSQL the test backend flushes with DELETE rather
# than TRUNCATE (same empty tables, far cheaper: gongzhi/testing/pgflush/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "gongzhi.testing.pgflush"
    # its flush command: no post_migrate after the DELETE flush (it kept what that would write)
    INSTALLED_APPS = [*INSTALLED_APPS, "gongzhi.testing.pgflush"]  # noqa: F405
    # A commit need not wait for its WAL to reach the disk: a test database is thrown away at the
    # end of the run, and a crash loses at most the last few hundred ms of it, never consistency.
    # Transactional and live-server tests commit every write; waiting on fsync for each was a
    # large part of the suite's time (docs/testing.md). Test connections only, never production.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()

# The city reporting database (gongzhi.city): its own test database, only for the tests that ask
# for it (databases=["default", "city"]). On PostgreSQL the name is DATABASE_URL's plus "_city".
if "city" not in DATABASES:
    DATABASES["city"] = {**DATABASES["default"], "TEST": {}}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["city"]["NAME"] = ":memory:"
    else:
        DATABASES["city"]["NAME"] = f"{DATABASES['default']['NAME']}_city"
# Its test database is made from the models (the router lets only the city's own tables in), not
# by running every app's migrations against it: the same tables (compared with pg_dump -s: only
# django_migrations differs), without a second full migrate per worker (~25 s of CPU each).
DATABASES["city"].setdefault("TEST", {})["MIGRATE"] = False
