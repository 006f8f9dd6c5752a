"""One HTTP load loop for the suites that POST bodies at a server (cases' intake, care's
ingest, scale's intake under the read mix): each body once, from client threads that each keep
their own keep-alive connection (reopened when the server closes it, as a sync worker does after
each answer), released together by a barrier. A body is never retried: no double posts."""

import http.client
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    created: int = 0  # `"created"` items in 201 answers (the batch doors say which they made)
    cpu: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies)

    def answers(self) -> dict[str, int]:
        """Statuses and how often, for results.json (0: the connection failed)."""
        return dict(sorted((str(k), v) for k, v in self.statuses.items()))


def post_all(
    host: str, port: int, path: str, items: Sequence[tuple[str, bytes]], clients: int, timeout: float = 60
) -> Load:
    """POST every (bearer key, body) once to `path` from `clients` threads."""
    lock = threading.Lock()
    todo = iter(items)
    out = Load(0.0)
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        conn: http.client.HTTPConnection | None = None
        mine: list[float] = []
        seen: Counter[int] = Counter()
        created = 0
        barrier.wait()
        while True:
            with lock:
                item = next(todo, None)
            if item is None:
                break
            key, body = item
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            start = time.perf_counter()
            try:
                conn = conn or http.client.HTTPConnection(host, port, timeout=timeout)
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                seen[0] += 1
                with lock:
                    out.errors.append(f"{type(exc).__name__}: {exc}")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            mine.append(time.perf_counter() - start)
            seen[response.status] += 1
            if response.status == 201:
                created += answer.count(b'"created"')
            elif response.status >= 400:
                with lock:
                    out.errors.append(f"{response.status}: {answer[:200]!r}")
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            out.latencies.extend(mine)
            out.statuses.update(seen)
            out.created += created

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    out.seconds = time.perf_counter() - start
    return out
