"""core.limits on the real database: sliding windows on a frozen clock, the shared table,
pruning, refused calls that cost nothing (take), the client address, and failing open."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory

from gongzhi.core import clock, limits
from gongzhi.core.models import RateCounter

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # on a 10-minute boundary


@pytest.fixture
def budget(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (3, 600)}
    return "test"


def test_a_budget_counts_to_its_limit_then_refuses_until_the_window_slides(budget):
    with clock.freeze(START):
        assert [limits.hit(budget, "a").allowed for _ in range(4)] == [True, True, True, False]
        assert limits.hit(budget, "b").allowed  # another subject has its own count
        spent = limits.peek(budget, "a")
        assert not spent.allowed and spent.used == 4 and spent.retry_after == 600 + 150  # then 4 * 0.75 = 3
    # Half-way into the next window the previous one still weighs half: 4 * 0.5 = 2 < 3.
    with clock.freeze(START + timedelta(minutes=15)):
        assert limits.peek(budget, "a").allowed and limits.peek(budget, "a").used == 2
    with clock.freeze(START + timedelta(minutes=11)):  # 4 * 0.9 = 3.6: still spent
        assert not limits.peek(budget, "a").allowed


def test_subjects_are_stored_hashed_and_expired_rows_pruned(budget):
    with clock.freeze(START):
        limits.hit(budget, "wang@10.0.0.1")
    assert not RateCounter.objects.filter(bucket__contains="wang").exists()
    with clock.freeze(START + timedelta(minutes=25)):  # past the two windows it can weigh in
        limits.hit(budget, "other")  # a new bucket sweeps the expired ones
    assert RateCounter.objects.count() == 1


def test_take_spends_only_what_fits(budget):
    with clock.freeze(START):
        assert limits.take(budget, "a", cost=2).allowed
        refused = limits.take(budget, "a", cost=2)
        assert not refused.allowed and refused.retry_after > 0
        assert limits.take(budget, "a", cost=1).allowed  # the refusal cost nothing
        assert not limits.take(budget, "a", cost=1).allowed
        assert limits.take(budget, "b", cost=50).allowed  # dearer than the budget: fits an empty one


def test_clear_lifts_a_subject(budget):
    with clock.freeze(START):
        for _ in range(3):
            limits.hit(budget, "wang")
        assert not limits.peek(budget, "wang").allowed
        limits.clear(budget, "wang")
        assert limits.peek(budget, "wang").allowed


def test_client_ip_trusts_forwarded_for_only_behind_configured_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert limits.client_ip(request) == "127.0.0.1"
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    assert limits.client_ip(request) == "203.0.113.7"  # what our proxy saw, not what the client wrote
    settings.RATE_LIMIT_TRUSTED_PROXIES = 2
    assert limits.client_ip(request) == "6.6.6.6"


def test_an_unreachable_store_fails_open_and_logs(budget, caplog):
    caplog.set_level(logging.WARNING)
    table = RateCounter._meta.db_table
    with connection.cursor() as cursor:  # the store is gone (rolled back with the test)
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")
    with clock.freeze(START):
        assert all(limits.hit(budget, "a").allowed for _ in range(5))
        assert limits.peek(budget, "a").allowed and limits.take(budget, "a").allowed
    assert sum("counter store is unreachable" in r.getMessage() for r in caplog.records) == 7


def test_retry_after_is_when_the_estimate_drops_below_the_limit(budget):
    with clock.freeze(START + timedelta(minutes=4)):
        for _ in range(6):  # twice the budget of 3
            limits.hit(budget, "a")
        spent = limits.peek(budget, "a")
    # 6 minutes left of this window, then half of the next (6 * 0.5 = 3 is the limit): 11 min.
    assert spent.retry_after == 11 * 60
    with clock.freeze(START + timedelta(minutes=4) + timedelta(seconds=spent.retry_after - 1)):
        assert not limits.peek(budget, "a").allowed
    with clock.freeze(START + timedelta(minutes=4) + timedelta(seconds=spent.retry_after + 1)):
        assert limits.peek(budget, "a").allowed
