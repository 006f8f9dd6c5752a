"""The load test's recorded mix (issue 17 item 8; docs/scaling.md "Load test" has the arithmetic
behind the weights and the figures measured).

One kind of simulated client draws each next action by weight, as a street's traffic arrives
mixed: residents reporting (the report page, Open311 POST), staff opening their queue, a case,
and acting on it, leaders on the command centre, the public board, the 12345 hotline bridge's
batches and the care gateway's sensor batches. Every request is named by its type, so the report
gives requests/s and p50/p95/p99 per type.

The fixture (logins, tokens, places, sensors, texts) comes from loadtest/prepare.py:
    LOADTEST_FIXTURE=loadtest/results/<run>/fixture.json locust -f loadtest/locustfile.py ...
scripts/loadtest.sh does all of it.
"""

import json
import os
import random
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

FIXTURE: dict[str, Any] = {}

# Tasks per peak working hour in one street (docs/scaling.md "Load test", the arithmetic); the
# rarer intake types are lifted to a floor of 2 % of the mix so their percentiles rest on
# hundreds of samples in a few minutes (the lift is stated there too).
WEIGHTS = {
    "sensor_batch": 360,
    "staff_work": 183,
    "command_centre": 91,
    "public_board": 88,
    "report_page": 15,
    "open311_post": 15,
    "hotline_batch": 15,
}
HOTLINE_BATCH = 10  # cases a request from the 12345 bridge
SENSOR_BATCH = 20  # door events a request from the care gateway (one request every 10 s)
QUEUES = {"committee": ("/cases/queue/", "staff dispatch queue")}  # by role (the login less s{k}_)
STREET_LOGIN = re.compile(r"^s\d+_")  # a district demo's street k logins: s{k}_committee ...
PREFERRED_ACTIONS = ("accept", "progress", "comment")  # what staff do that needs only a note

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
ACTION = re.compile(r'name="action" value="([a-z_]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


@events.init.add_listener
def _load_fixture(environment: Any, **_kw: Any) -> None:
    path = os.environ.get("LOADTEST_FIXTURE", "")
    if not path:
        raise SystemExit("LOADTEST_FIXTURE: the JSON written by loadtest/prepare.py")
    with open(path, encoding="utf-8") as fh:
        FIXTURE.update(json.load(fh))


class Street(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.sessions: dict[str, HttpSession] = {}
        # a client is one member of staff and one leader for its life, as people are logged in
        # once a day: drawing a login per task would make 100 clients log in as each of a
        # district's ~50 logins, and the password hashing (CPU by design) swamp the mix
        self.staff = self.rng.choice(FIXTURE["staff"])
        self.leader = self.rng.choice(FIXTURE["leaders"])

    # --- helpers ------------------------------------------------------------------------------

    def _session(self, username: str) -> HttpSession:
        """A logged-in session of a demo login, kept for this client's life (one login each)."""
        if username not in self.sessions:
            session = HttpSession(
                base_url=self.host, request_event=self.environment.events.request, user=self
            )
            page = session.get("/login/", name="login GET")
            token = CSRF.search(page.text or "")
            session.post(
                "/login/",
                data={
                    "username": username,
                    "password": FIXTURE["password"],
                    "csrfmiddlewaretoken": token[1] if token else "",
                },
                headers={"Referer": f"{self.host}/login/"},
                name="login POST",
            )
            self.sessions[username] = session
        return self.sessions[username]

    def _text(self) -> str:
        return self.rng.choice(FIXTURE["texts"])

    def _place(self) -> dict[str, Any]:
        return self.rng.choice(FIXTURE["places"])

    def _hotline_place(self) -> dict[str, Any]:
        return self.rng.choice([p for p in FIXTURE["places"] if p.get("hotline", True)])

    # --- the mix ----------------------------------------------------------------------------------

    @task(WEIGHTS["report_page"])
    def report_page(self) -> None:
        """A resident opens the report page, picks an estate and building, sends a description."""
        page = self.client.get("/report/", name="report page GET")
        token = CSRF.search(page.text or "")
        place = self._place()
        with self.client.post(
            "/report/",
            data={
                "text": self._text(),
                "estate": place["estate"],
                "building": place["building"],
                "csrfmiddlewaretoken": token[1] if token else "",
            },
            headers={"Referer": f"{self.host}/report/"},
            name="report page POST",
            catch_response=True,
        ) as answer:
            # the redirect to the done page is followed: the answer is the done page itself
            if answer.status_code != 200 or "/report/done/" not in answer.url:
                answer.failure(f"report not taken: {answer.status_code} {answer.url}")

    @task(WEIGHTS["open311_post"])
    def open311_post(self) -> None:
        place = self._place()
        data = {
            "api_key": FIXTURE["open311_key"],
            "service_code": self.rng.choice(FIXTURE["services"]),
            "description": self._text(),
            "address_id": place["building"],
        }
        if place.get("jurisdiction"):  # a district: the place's street
            data["jurisdiction_id"] = place["jurisdiction"]
        with self.client.post(
            "/open311/v2/requests.json",
            data=data,
            name="open311 POST requests",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200 or "service_request_id" not in (answer.text or ""):
                answer.failure(f"open311: {answer.status_code} {(answer.text or '')[:200]}")

    @task(WEIGHTS["hotline_batch"])
    def hotline_batch(self) -> None:
        """The 12345 bridge: a batch of transfers, each with its hotline id (idempotent)."""
        cases = [
            {
                "node": self._hotline_place()["building"],
                "text": self._text(),
                "external_id": f"12345-LT-{uuid.uuid4().hex[:16]}",
            }
            for _ in range(HOTLINE_BATCH)
        ]
        with self.client.post(
            "/api/v1/cases/batch",
            json={"cases": cases},
            headers={"Authorization": f"Bearer {FIXTURE['api_token']}"},
            name="api POST cases/batch (hotline)",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"hotline batch: {answer.status_code} {(answer.text or '')[:200]}")

    @task(WEIGHTS["sensor_batch"])
    def sensor_batch(self) -> None:
        """The care gateway: door events of consenting subjects, now."""
        at = datetime.now(UTC).isoformat()
        doors = self.rng.sample(FIXTURE["doors"], min(SENSOR_BATCH, len(FIXTURE["doors"])))
        body = {"events": [{"device": d, "id": f"lt-{uuid.uuid4().hex}", "at": at} for d in doors]}
        with self.client.post(
            "/api/v1/care/events",
            json=body,
            headers={"Authorization": f"Bearer {FIXTURE['gateway_token']}"},
            name="api POST care/events (gateway)",
            catch_response=True,
        ) as answer:
            data = answer.json() if answer.status_code == 200 else {}
            if answer.status_code != 200 or data.get("refused"):
                answer.failure(f"sensor batch: {answer.status_code} {(answer.text or '')[:200]}")

    @task(WEIGHTS["staff_work"])
    def staff_work(self) -> None:
        """A member of staff opens the queue, a case from it, and acts on it (accepts it, or
        reports progress, or adds a note: what the case's page offers)."""
        username = self.staff
        session = self._session(username)
        # dispatchers open the dispatch queue, handlers (property, 城管, grid) their own cases
        role = STREET_LOGIN.sub("", username)
        url, name = next(
            (queue for prefix, queue in QUEUES.items() if role.startswith(prefix)),
            ("/cases/mine/", "staff my cases"),
        )
        queue = session.get(url, name=name)
        ids = CASE_LINK.findall(queue.text or "")
        if not ids:
            queue = session.get("/cases/", name="staff case list")
            ids = CASE_LINK.findall(queue.text or "")
        if not ids:
            return
        pk = self.rng.choice(ids[:20])
        page = session.get(f"/cases/{pk}/", name="staff case page")
        offered = set(ACTION.findall(page.text or ""))
        action = next((a for a in PREFERRED_ACTIONS if a in offered), None)
        version = VERSION.search(page.text or "")
        token = CSRF.search(page.text or "")
        if action is None or version is None or token is None:
            return
        with session.post(
            f"/cases/{pk}/act/",
            data={
                "action": action,
                "version": version[1],
                "note": "已联系居民，正在处理（压测）",
                "csrfmiddlewaretoken": token[1],
            },
            headers={"Referer": f"{self.host}/cases/{pk}/"},
            name="staff act on case",
            catch_response=True,
        ) as answer:
            # 409: somebody acted on the same case since the page was drawn (the optimistic
            # lock doing its job under concurrent staff), not a fault
            if answer.status_code == 409:
                answer.success()
            elif answer.status_code != 200:
                answer.failure(f"act {action}: {answer.status_code}")

    @task(WEIGHTS["command_centre"])
    def command_centre(self) -> None:
        """A leader's command centre: the district's for the district logins (district_*), a
        street's (or an area's) for the others, named apart as their targets differ."""
        username = self.leader
        session = self._session(username)
        level = " (district)" if username.startswith("district_") else ""
        session.get("/dashboard/", name=f"command centre page{level}")
        session.get("/dashboard/data.json", name=f"command centre data{level}")

    @task(WEIGHTS["public_board"])
    def public_board(self) -> None:
        """A resident looks at the board: of one street, named, when the deployment has several
        (without ?street= a district's /public/ only lists its streets)."""
        streets = FIXTURE.get("public_streets") or []
        if streets:
            self.client.get(f"/public/?street={self.rng.choice(streets)}", name="public board")
        else:
            self.client.get("/public/", name="public board")
