"""The router's rules (core.replicas) with replicas that are test mirrors of the primary: which
reads go where, read-your-writes after a POST, a replica that is down, the API's ask. The real
hot standby is in test_replica_live.py."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from gongzhi.core import clock, replicas
from gongzhi.geo.models import Node
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff, make_tree

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="replicas are PostgreSQL's")
ALIASES = ["default", "replica_mirror", "replica_down"]


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    replicas.forget()
    yield
    replicas.forget()


@pytest.mark.django_db
def test_without_replicas_every_read_is_on_the_primary() -> None:
    aliases = ["replica_mirror"] if connection.vendor == "sqlite" else []  # SQLite: never a replica
    with override_settings(REPLICA_ALIASES=aliases), replicas.read() as name:
        assert name == "default"
        assert replicas.Router().db_for_read(Node) is None  # Django's default: the primary
        assert Node.objects.all().db == "default"
    assert replicas.Router().db_for_write(Node) == "default"


@postgresql
@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_the_router_with_a_replica_mirroring_the_primary() -> None:
    """One test (a transactional test's flush is the slow part): the block's reads on the
    replica, writes on the primary; a transaction's reads on the primary; a replica that is
    down passed over, the page still answering; the sticky window after a POST; the API's
    lists on the replica only when asked."""
    tree = make_tree()
    user = make_staff("jiedao", PostRole.STREET_ADMIN, tree.street)
    client = Client()
    client.force_login(user)

    def kpi_page_on_replica() -> int:
        with CaptureQueriesContext(connections["replica_mirror"]) as on_replica:
            assert client.get("/reports/kpis/", {"node": "S"}).status_code == 200
        return len(on_replica.captured_queries)

    with override_settings(REPLICA_ALIASES=["replica_mirror"], REPLICA_STICKY_SECONDS=15):
        assert Node.objects.all().db == "default"  # outside the block: the primary
        with (
            replicas.read() as name,
            CaptureQueriesContext(connections["replica_mirror"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            assert name == "replica_mirror"
            assert Node.objects.filter(path__startswith=tree.street.path).count() == 11
            Node.objects.filter(pk=tree.h1.pk).update(name="改名")
        assert any("geo_node" in q["sql"] and "COUNT" in q["sql"] for q in on_replica.captured_queries)
        assert not any("UPDATE" in q["sql"] for q in on_replica.captured_queries)
        assert any("UPDATE" in q["sql"] for q in on_primary.captured_queries)
        with transaction.atomic(), replicas.read() as name:
            assert name == "default"  # a transaction's reads stay with its uncommitted rows
        assert replicas.Router().allow_migrate("replica_mirror", "geo") is False

        # the API's lists: on the replica when asked (a query parameter or a header), else not
        asked: dict[str, int] = {}
        for how, params, headers in (
            ("plain", {}, {}),
            ("query", {"replica": "1"}, {}),
            ("header", {}, {replicas.HEADER: "1"}),
        ):
            with CaptureQueriesContext(connections["replica_mirror"]) as on_replica:
                response = client.get("/api/v1/nodes", params, headers=headers)
            assert response.status_code == 200 and response.json()["count"] == 11
            asked[how] = len(on_replica.captured_queries)
        assert asked["plain"] == 0 and asked["query"] > 0 and asked["header"] > 0

        # read-your-writes: after a POST the writer reads from the primary for the window
        assert kpi_page_on_replica() > 0  # a heavy page, nobody has written: the replica
        assert client.post("/i18n/setlang/", {"language": "zh-hans"}).status_code == 302  # a write
        assert replicas.COOKIE in client.cookies
        assert kpi_page_on_replica() == 0  # just wrote: the primary
        with clock.freeze(clock.now() + timedelta(seconds=16)):
            assert kpi_page_on_replica() > 0  # the window is over (the cookie is not trusted further)

    # a replica that fails in the middle of a page: marked down, the page made again on the primary
    def failing(*args: object) -> None:
        raise OperationalError("the standby went away")

    client = Client()  # not sticky: no write of its own
    client.force_login(user)
    replicas.forget()
    with override_settings(REPLICA_ALIASES=["replica_mirror"]):
        assert replicas.alias() == "replica_mirror"  # measured and kept: it was fine a moment ago
    with (
        override_settings(REPLICA_ALIASES=["replica_mirror"]),
        connections["replica_mirror"].execute_wrapper(failing),
    ):
        assert client.get("/reports/kpis/", {"node": "S"}).status_code == 200
        assert replicas.alias() == "default"  # passed over until checked again

    # a replica that is down: passed over, the page answers from the primary
    with override_settings(REPLICA_ALIASES=["replica_down"]):
        assert replicas.lag("replica_down") is None
        assert replicas.alias() == "default"
        assert client.get("/reports/kpis/", {"node": "S"}).status_code == 200
    with override_settings(REPLICA_ALIASES=["replica_down", "replica_mirror"]):
        replicas.forget()
        assert {replicas.alias() for _ in range(8)} == {"replica_mirror"}
