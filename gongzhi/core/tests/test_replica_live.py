"""The router against a real hot standby: the PostgreSQL cluster on 127.0.0.1:5433 streaming
from the primary (scripts/replica.sh; .ci/run starts it). Skipped when it is not up.

The replica alias `replica_live` is a test mirror of the primary (config/settings_test.py): it
reads the primary's test database as the standby replays it. Waiting for the standby to replay
is polling with a bound, not a fixed sleep."""

import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import OperationalError, connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from gongzhi.core import replicas
from gongzhi.geo import services as geo_services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff, make_tree

LIVE = "replica_live"


def _standby_up() -> bool:
    if connection.vendor != "postgresql":
        return False
    try:
        with psycopg.connect(
            host="127.0.0.1", port=5433, user="root", dbname="postgres", connect_timeout=2
        ) as c:
            row = c.execute("SELECT pg_is_in_recovery()").fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


pytestmark = pytest.mark.skipif(
    not _standby_up(), reason="no hot standby on 127.0.0.1:5433 (scripts/replica.sh)"
)


def paused(within: float = 20.0) -> None:
    """Ask the standby to pause replay and wait until it has (the request is only a request:
    replay goes on until the startup process sees it, PostgreSQL 14+)."""
    deadline = time.monotonic() + within
    with connections[LIVE].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
        while True:
            cursor.execute("SELECT pg_get_wal_replay_pause_state()")
            if cursor.fetchone() == ("paused",):
                return
            assert time.monotonic() < deadline, "the standby did not pause"
            time.sleep(0.05)


def caught_up(within: float = 20.0) -> None:
    """Until the standby has replayed all the primary had written when this was called (other
    databases of the cluster keep writing: the position is fixed first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + within
    while True:
        try:
            with connections[LIVE].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0", [position]
                )
                if cursor.fetchone() == (True,):
                    return
        except OperationalError:  # the test database itself is not on the standby yet
            connections[LIVE].close()
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)


@pytest.fixture
def standby() -> Iterator[None]:
    replicas.forget()
    caught_up()  # the test database, created on the primary, is on the standby too
    yield
    with connections[LIVE].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")  # whatever the test did
    connections[LIVE].close()
    replicas.forget()


@pytest.mark.django_db(transaction=True, databases=["default", LIVE, "replica_down"])
def test_a_real_standby_serves_the_heavy_reads_and_is_passed_over_when_late(standby: None) -> None:
    tree = make_tree()
    user = make_staff("jiedao", PostRole.STREET_ADMIN, tree.street)
    caught_up()

    # a write on the primary appears on the standby, which is a standby
    with connections[LIVE].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    assert Node.objects.using(LIVE).filter(code="S-R1-H101").exists()

    # a heavy page reads from it (the queries ran on that connection), a stopped one is passed over
    client = Client()
    client.force_login(user)
    with override_settings(REPLICA_ALIASES=["replica_down", LIVE]):
        with CaptureQueriesContext(connections[LIVE]) as on_standby:
            response = client.get("/reports/kpis/", {"node": "S"})
        assert response.status_code == 200 and "枫林街道" in response.content.decode()
        assert any("geo_node" in q["sql"] for q in on_standby.captured_queries)

    # late: replay paused, a new row on the primary is not on the standby yet
    paused()
    geo_services.node_create(actor=None, code="S-R4", name="新建居民区", level=Level.AREA, parent=tree.k2)
    assert Node.objects.filter(code="S-R4").exists()
    assert not Node.objects.using(LIVE).filter(code="S-R4").exists()
    replicas.forget()
    with override_settings(REPLICA_ALIASES=[LIVE], REPLICA_MAX_LAG_SECONDS=0):
        assert replicas.lag(LIVE) > 0
        assert replicas.alias() == "default"  # behind more than allowed: the primary
    replicas.forget()
    with override_settings(REPLICA_ALIASES=[LIVE], REPLICA_MAX_LAG_SECONDS=3600):
        assert replicas.alias() == LIVE  # within what is allowed: still the standby
        assert replicas.alias(fresh=True) == "default"  # but not for a reader of its own write
    with connections[LIVE].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    assert Node.objects.using(LIVE).filter(code="S-R4").exists()  # replay resumed: it arrives
