"""The one demo street these modules read (see conftest.py): its seed, scale and `now`, and the
savepoint the tests that reset it take."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from django.db import transaction

SEED = 13
SCALE = 0.05
NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 15:30 in Shanghai, a Friday


@contextmanager
def rolled_back() -> Iterator[None]:
    """The block's writes undone when it ends. Before a test's rollback, Django's TestCase checks
    the foreign keys its deferred constraints queued: after a reset of the street, some 200k
    deleted rows, seconds each time. The tests that reset the street and check something else
    roll the reset back themselves; test_generator's
    test_reset_removes_the_access_log_of_its_people_and_cases leaves its reset to that check."""
    undo = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(undo)
