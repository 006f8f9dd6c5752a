"""Orders: 100 concurrent takes (抢单) of one order over HTTP, beside 100 concurrent reads of it.

The app runs under gunicorn (the intake benchmark's server: a child process, DEBUG off, on the
bench database; gthread workers so that a hundred requests are in flight at once). A street
with the 生活帮扶 module and a team of 100 members, each with its own API token. Each round posts
a fresh order, then 100 client threads, released together by a barrier, each on its own
connection, POST /api/v1/orders/{id}/take: exactly one must answer 200 and 99 must answer 409
"已被接单" (checked every round, and the order must have one take event). The figure is the
p99 latency of a take across the rounds; the baseline is the same 100 clients GETting the same
order at once (a scoped read of one row: what any request to it costs under that load).
PostgreSQL is where the race is real; on SQLite the writes queue on the database lock.
"""

import http.client
import json
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.measure import Results, no_query_log, percentile

NAME = "orders"
CLIENTS = 100
ROUNDS = 10


@dataclass
class World:
    order_ids: list[int]
    tokens: list[str]


def _world(rounds: int) -> World:
    from gongzhi.api import services as api_services
    from gongzhi.orders.models import TeamMember
    from gongzhi.orders.seeding import seed_modules
    from gongzhi.orders.services import OrderDraft, order_create
    from gongzhi.orgs.models import Person, Post
    from gongzhi.orgs.roles import PostRole, UnitKind
    from gongzhi.testing.factories import PersonFactory, UnitFactory, UserFactory, make_tree

    tree = make_tree()
    module = next(m for m in seed_modules(tree.street) if m.kind == "daily_help")
    unit = UnitFactory.create(node=tree.r1, kind=UnitKind.SOCIAL_ORG)
    TeamMember.objects.create(module=module, unit=unit)
    tokens = []
    for i in range(CLIENTS):
        user = UserFactory(username=f"bench-taker-{i}")
        person = PersonFactory(name=f"服务员{i}")
        Person.objects.filter(pk=person.pk).update(user=user)
        Post.objects.create(
            code=f"BENCH-TAKER-{i}",
            unit=unit,
            node=tree.r1,
            title="助老服务员",
            person=person,
            role=PostRole.PARTNER,
            active_from=date(2020, 1, 1),
        )
        tokens.append(api_services.token_create(user=user, name="bench")[1])
    orders = [
        order_create(
            actor=None,
            draft=OrderDraft(module=module, node=tree.b1, text=f"助浴 {r}", contact_phone="10012345678"),
        ).pk
        for r in range(rounds + 1)  # one for the warm-up
    ]
    return World(order_ids=orders, tokens=tokens)


def _burst(host: str, port: int, method: str, path: str, tokens: list[str]) -> list[tuple[int, float, str]]:
    """Every client sends one request at the same instant (a barrier), each on its own
    connection opened beforehand; (status, seconds, body) per client."""
    barrier = threading.Barrier(len(tokens))
    out: list[tuple[int, float, str]] = [(0, 0.0, "")] * len(tokens)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.connect()
        headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
        barrier.wait()
        start = time.perf_counter()
        conn.request(method, path, body=b"{}" if method == "POST" else None, headers=headers)
        response = conn.getresponse()
        body = response.read().decode()
        out[i] = (response.status, time.perf_counter() - start, body)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def run(results: Results, options: dict[str, Any]) -> None:
    from django.db import connection

    from bench.server import gunicorn
    from gongzhi.orders.models import OrderEvent

    rounds = int(options.get("order_rounds", ROUNDS))
    with no_query_log():
        world = _world(rounds)
    workers = int(options.get("workers", 4))
    threads = max(int(options.get("threads", 1)), 8)
    takes: list[float] = []
    reads: list[float] = []
    wrong: list[str] = []
    with gunicorn(workers, threads) as (host, port, _pid):
        _burst(host, port, "GET", f"/api/v1/orders/{world.order_ids[0]}", world.tokens)  # warm-up
        _burst(host, port, "POST", f"/api/v1/orders/{world.order_ids[0]}/take", world.tokens)
        for order_id in world.order_ids[1:]:
            read = _burst(host, port, "GET", f"/api/v1/orders/{order_id}", world.tokens)
            reads += [s for _c, s, _b in read]
            answers = _burst(host, port, "POST", f"/api/v1/orders/{order_id}/take", world.tokens)
            takes += [s for _c, s, _b in answers]
            codes = sorted(c for c, _s, _b in answers)
            lost = [json.loads(b).get("detail") for c, _s, b in answers if c == 409]
            events = OrderEvent.objects.filter(order_id=order_id, action="take").count()
            if codes != [200] + [409] * (CLIENTS - 1) or set(lost) != {"已被接单"} or events != 1:
                wrong.append(f"order {order_id}: codes {codes[:3]}…, take events {events}")
    p99, read_p99 = percentile(takes, 99) * 1000, percentile(reads, 99) * 1000
    results.add(
        "orders.take_race_p99",
        value=p99,
        unit="ms",
        baseline=read_p99,
        target="exactly one winner of 100 concurrent takes; p99 < 100 ms",
        database=connection.vendor,
        clients=CLIENTS,
        rounds=rounds,
        winners_exactly_one=not wrong,
        problems=wrong[:5],
        take_p50_ms=round(percentile(takes, 50) * 1000, 1),
        read_p50_ms=round(percentile(reads, 50) * 1000, 1),
        gunicorn={"workers": workers, "threads": threads, "worker_class": "gthread"},
        baseline_is="the same 100 clients reading the same order at once (GET /api/v1/orders/{id})",
    )
