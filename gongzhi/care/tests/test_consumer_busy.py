"""The consumer tells SQLite's busy write lock (a wait: one warning line, messages tried again)
from a real fault (a traceback), so an embedded demo's console is not flooded at start-up."""

from django.db import OperationalError

from gongzhi.care.mqtt import _busy


def test_a_locked_sqlite_database_is_a_wait() -> None:
    assert _busy(OperationalError("database is locked"))


def test_other_failures_are_faults() -> None:
    assert not _busy(OperationalError("no such table: care_event"))
    assert not _busy(ValueError("database is locked"))
