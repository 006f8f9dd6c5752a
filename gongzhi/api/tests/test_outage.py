"""A dead Redis or broker is not an outage. With the cache and the Celery broker pointing at a
closed port, login, the public board, the report page and an API write answer normally over
real HTTP; the write is stored, its outbox rows stay pending for the beat, and the kick to the
broker goes after the response with a short timeout (checked by its configuration, not timed)."""

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.db import transaction

from config import celery_app
from gongzhi.cases.models import Case
from gongzhi.core import cache as fail_open_cache
from gongzhi.core import outbox
from gongzhi.core.models import OutboxMessage
from gongzhi.testing.factories import PASSWORD

DEAD = "redis://127.0.0.1:1/5"  # nothing listens on port 1
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BROKER_DOWN = "could not reach the Celery broker"


def redis_cache(location: str) -> dict[str, Any]:
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    return {
        "default": {
            "BACKEND": "gongzhi.core.cache.FailOpenRedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        }
    }


@pytest.fixture
def dead_services(settings: Any) -> Iterator[None]:
    """Production's configuration (a Redis cache, a Celery broker, no eager tasks), both dead."""
    settings.CACHES = redis_cache(DEAD)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD
    fail_open_cache._last_logged = -fail_open_cache.LOG_EVERY  # this test sees its first warning
    yield
    celery_app.conf.broker_url = previous


def form_post(browser: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    page = browser.get(path)
    assert page.status_code == 200, page.text[:300]
    token = CSRF.search(page.text)
    assert token is not None
    return browser.post(path, data={"csrfmiddlewaretoken": token.group(1), **data})


def test_pages_and_writes_answer_with_redis_and_broker_dead(dead_services, world, api, live_server, caplog):
    caplog.set_level(logging.WARNING)
    with httpx.Client(base_url=live_server.url, timeout=30) as browser:
        login = form_post(browser, "/login/", {"username": "grid", "password": PASSWORD})
        assert login.status_code == 302 and login.headers["location"] == "/"
        assert browser.get("/").status_code == 200

    with httpx.Client(base_url=live_server.url, timeout=30) as resident:
        board = resident.get("/public/")
        assert board.status_code == 200 and "公示" in board.text
        body = {"text": "路灯坏了一个星期", "estate": world.tree.e1.code, "building": world.tree.b1.code}
        report = form_post(resident, "/report/", body)
        assert report.status_code == 302 and report.headers["location"] == "/report/done/"
    assert Case.objects.filter(text="路灯坏了一个星期").exists()

    created = api("POST", "/cases", as_="grid", json={"node": "S-R1-B1", "text": "楼道堆满纸箱"})
    assert created.status_code == 201, created.text
    case = Case.objects.get(pk=created.json()["id"])
    messages = OutboxMessage.objects.filter(payload__case_id=case.pk)
    assert messages.exists()
    assert set(messages.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}
    assert set(messages.values_list("attempts", flat=True)) == {0}

    # The board's cache miss was logged before its page went out. (The kick's own warning comes
    # after the response, on the server's thread: test_the_kick_waits_for_the_end_of_the_request.)
    assert any(r.getMessage().startswith("cache: Redis is unreachable") for r in caplog.records)


def test_the_kick_makes_one_short_attempt(dead_services, settings):
    settings.OUTBOX_KICK_TIMEOUT = 0.75
    with outbox.kick_connection() as connection:
        assert connection.connect_timeout == 0.75
        assert connection.transport_options["max_retries"] == 0  # no retry loop (kombu's is 4 s)
        assert connection.transport_options["socket_connect_timeout"] == 0.75
        assert connection.transport_options["socket_timeout"] == 0.75
        assert connection.as_uri().endswith("127.0.0.1:1/5")


@pytest.mark.django_db(transaction=True)
def test_the_kick_waits_for_the_end_of_the_request(dead_services, caplog):
    caplog.set_level(logging.WARNING)
    request_started.send(sender=None)
    with transaction.atomic():
        outbox.enqueue(outbox.OutboxSpec(kind="test", subject="hello"))
    # Committed, the response not yet sent: nothing has tried the broker.
    assert OutboxMessage.objects.filter(kind="test", status=OutboxMessage.Status.PENDING).count() == 1
    assert not any(BROKER_DOWN in r.getMessage() for r in caplog.records)
    request_finished.send(sender=None)  # the WSGI server closed the response
    assert sum(BROKER_DOWN in r.getMessage() for r in caplog.records) == 1
    assert OutboxMessage.objects.filter(kind="test", status=OutboxMessage.Status.PENDING).count() == 1
