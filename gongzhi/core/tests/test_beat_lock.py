"""Exactly one beat (core.beat): the beat lock is held by one process; a second waits as a
standby and takes over when the first dies; a beat that lost its lock stops."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from gongzhi.core import beat

pytestmark = pytest.mark.django_db


def test_one_lock_holder_at_a_time_and_the_lock_dies_with_its_holder():
    first, second = beat.beat_lock(), beat.beat_lock()
    try:
        assert first.acquire() and first.held()
        assert not second.acquire() and not second.held()
        first.release()
        assert second.acquire() and second.held()
        # The holder dies (its connection or file closed without a release): the lock is free.
        if isinstance(second, beat.AdvisoryLock):
            second.connection.close()
        else:
            second._file.close()
            second._file = None
        assert not second.held()
        assert first.acquire()
    finally:
        first.release()
        second.release()


def test_a_second_beat_waits_as_a_standby_then_takes_over(caplog):
    holder, standby = beat.beat_lock(), beat.beat_lock()
    assert holder.acquire()
    waits: list[float] = []

    def holder_dies(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            holder.release()

    try:
        with caplog.at_level(logging.WARNING, logger="gongzhi.core.beat"):
            beat.acquire_or_wait(standby, retry=7.0, sleep=holder_dies)
        assert waits == [7.0, 7.0] and standby.held()
        assert "waits as a standby" in caplog.text and "takes over" in caplog.text
    finally:
        holder.release()
        standby.release()


def test_celery_beat_stops_when_it_loses_its_lock(tmp_path):
    scheduler = beat.LockedScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    try:
        assert scheduler.beat_lock.held()
        assert not beat.beat_lock().acquire()  # a second celery beat could not start
        scheduler.beat_lock.release()  # as when its connection dies
        with pytest.raises(SystemExit):
            scheduler.tick()
    finally:
        scheduler.beat_lock.release()


@pytest.mark.django_db(transaction=True)
def test_a_second_embedded_beat_waits_for_the_first(tmp_path):
    """`gongzhi schedule --once` in another process, while this test holds the lock: it says it
    waits and runs nothing; once the lock is free it runs its round."""
    if connection.vendor != "postgresql":
        pytest.skip("the other process needs the test's PostgreSQL database")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": url,
        "BEAT_LOCK_RETRY_SECONDS": "0.2",
        "GONGZHI_VAR_DIR": str(tmp_path),
    }
    holder = beat.beat_lock()
    assert holder.acquire()
    command = [sys.executable, "-c", "from config.cli import main; main()", "schedule", "--once"]
    other = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert other.stderr is not None
        said = ""
        for line in other.stderr:  # blocks until it says it waits
            said += line
            if "waits as a standby" in line:
                break
        assert "waits as a standby" in said, said
        assert other.poll() is None  # and it waits
    finally:
        holder.release()
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert "beat: dispatch-outbox" in out and "takes over" in said + err
