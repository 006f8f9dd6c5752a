"""Django's Redis cache, failing open: when Redis is down or slow a read is a miss and a write
is dropped (logged), so the pages that cache (the public board) answer from the database
instead of with a 500. Short socket timeouts come from CACHES' OPTIONS (config/settings.py)."""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

LOG_EVERY = 60.0  # seconds between two warnings of one process: an outage is one line a minute
_last_logged = -LOG_EVERY


def _fail_open(op: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    method = getattr(RedisCache, op)

    def wrapped(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        global _last_logged
        try:
            return method(self, *args, **kwargs)
        except RedisError:
            if time.monotonic() - _last_logged >= LOG_EVERY:
                _last_logged = time.monotonic()
                log.warning(
                    "cache: Redis is unreachable; %s falls back (a miss, nothing stored)", op, exc_info=True
                )
            return fallback(*args, **kwargs)

    wrapped.__name__ = op
    return wrapped


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _empty(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return {}


def _unstored(data: Any, *args: Any, **kwargs: Any) -> list[Any]:
    return list(data)


def _missing(key: Any, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key {key!r} not found (Redis unreachable).")  # as Django says for a miss


class FailOpenRedisCache(RedisCache):
    add = _fail_open("add", _false)
    get = _fail_open("get", _default)
    set = _fail_open("set", _none)
    touch = _fail_open("touch", _false)
    delete = _fail_open("delete", _false)
    get_many = _fail_open("get_many", _empty)
    has_key = _fail_open("has_key", _false)
    incr = _fail_open("incr", _missing)
    set_many = _fail_open("set_many", _unstored)
    delete_many = _fail_open("delete_many", _none)
    clear = _fail_open("clear", _false)
