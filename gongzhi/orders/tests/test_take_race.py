"""抢单 under real concurrency: twelve team members take one order at the same instant, each from
its own thread with its own HTTP connection to the live server (whose request threads hold
their own database connections). Exactly one gets 200, the eleven others 409 "已被接单", and the
order has one take event and the winner as its server. PostgreSQL only: SQLite's in-memory test
database is one connection shared by the server's threads, so the race would not be real."""

import threading
from typing import Any

import httpx
import pytest
from django.db import connection

from gongzhi.orders.models import Order, OrderEvent
from gongzhi.orders.tests.conftest import build_world
from gongzhi.orders.tests.http import tokens

CLIENTS = 12

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs separate database connections (PostgreSQL)"
)


def test_exactly_one_of_twelve_simultaneous_takes_wins(live_server: Any, transactional_db: None) -> None:
    world = build_world(crowd=CLIENTS)
    order = world.order()
    keys = tokens({u.username: u for u in world.crowd})
    barrier = threading.Barrier(CLIENTS)
    answers: dict[str, httpx.Response] = {}

    def take(username: str) -> None:
        with httpx.Client(base_url=f"{live_server.url}/api/v1/orders", timeout=30) as client:
            client.get(
                "/modules", headers={"Authorization": f"Bearer {keys[username]}"}
            )  # warm the connection
            barrier.wait()
            answers[username] = client.post(
                f"/{order.pk}/take", headers={"Authorization": f"Bearer {keys[username]}"}
            )

    threads = [threading.Thread(target=take, args=(u.username,)) for u in world.crowd]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200] + [409] * (CLIENTS - 1), {u: r.text for u, r in answers.items()}
    assert all(r.json()["detail"] == "已被接单" for r in answers.values() if r.status_code == 409)
    winner = next(u for u, r in answers.items() if r.status_code == 200)
    order.refresh_from_db()
    assert order.state == "taken" and order.server.user.username == winner
    assert OrderEvent.objects.filter(order=order, action="take").count() == 1
    assert Order.objects.get(pk=order.pk).version == 2
