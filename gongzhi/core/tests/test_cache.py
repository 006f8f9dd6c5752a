"""core.cache.FailOpenRedisCache: a live Redis caches as usual; a dead one is a miss for every
operation, logged once a minute, never an exception; production settings use it with short
timeouts whenever REDIS_URL is set."""

import json
import logging
from typing import Any

import pytest
from django.core.cache import cache

from gongzhi.core import cache as fail_open_cache
from gongzhi.core.tests.test_settings import run

LIVE = "redis://127.0.0.1:6379/5"
DEAD = "redis://127.0.0.1:1/5"  # nothing listens on port 1


def use(settings: Any, location: str) -> None:
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    settings.CACHES = {
        "default": {
            "BACKEND": "gongzhi.core.cache.FailOpenRedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        }
    }


def test_a_live_redis_caches(settings):
    use(settings, LIVE)
    cache.delete_many(["gz-test-a", "gz-test-n"])
    cache.set("gz-test-a", {"n": 1}, 30)
    assert cache.get("gz-test-a") == {"n": 1}
    assert cache.add("gz-test-n", 0, 30) is True and cache.incr("gz-test-n") == 1
    assert cache.get_many(["gz-test-a", "gz-test-n"]) == {"gz-test-a": {"n": 1}, "gz-test-n": 1}
    cache.delete_many(["gz-test-a", "gz-test-n"])
    assert cache.get("gz-test-a", "gone") == "gone"


def test_a_dead_redis_is_a_miss_for_every_operation(settings, caplog):
    use(settings, DEAD)
    fail_open_cache._last_logged = -fail_open_cache.LOG_EVERY
    caplog.set_level(logging.WARNING)
    assert cache.get("k") is None and cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1, 30) is None
    assert cache.add("k", 1, 30) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # what was not stored
    assert cache.has_key("k") is False
    assert cache.delete("k") is False and cache.delete_many(["a"]) is None
    assert cache.get_or_set("k", 5, 30) == 5
    with pytest.raises(ValueError):
        cache.incr("k")  # as Django answers for a missing key
    warnings = [r for r in caplog.records if r.getMessage().startswith("cache: Redis is unreachable")]
    assert len(warnings) == 1  # an outage is one line a minute, not one per operation


def test_production_settings_use_it_with_short_timeouts():
    env = {
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0=",
        "PII_HASH_KEY": "k",
        "REDIS_URL": DEAD,
        "CELERY_BROKER_URL": DEAD,
    }
    code = (
        "import django, json; from django.conf import settings as s; django.setup(); "
        "c = s.CACHES['default']; o = c['OPTIONS']; "
        "print(json.dumps([c['BACKEND'], o['socket_connect_timeout'], o['socket_timeout'], "
        "o['retry'].get_retries(), s.OUTBOX_KICK_TIMEOUT, s.CELERY_TASK_ALWAYS_EAGER]))"
    )
    result = run(env, code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["gongzhi.core.cache.FailOpenRedisCache", 0.5, 0.5, 0, 1.0, False]
