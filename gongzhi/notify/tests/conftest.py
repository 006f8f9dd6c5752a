"""A real group-robot endpoint: http.server in a thread on 127.0.0.1, a random port."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Robot:
    url: str
    status: int = 200
    reply: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # each post's Idempotency-Key header
    # hold_at=n: the n-th post is received, then held open until `release` (a sender killed
    # while it waits for the reply); `arrived` says it came
    hold_at: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    # expect=n: `reached` is set once n posts were answered
    expect: int = 0
    reached: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def robot() -> Iterator[Robot]:
    state = Robot(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(json.loads(self.rfile.read(length)))
            state.paths.append(self.path)
            state.keys.append(self.headers.get("Idempotency-Key", ""))
            if state.hold_at and len(state.received) == state.hold_at:
                state.arrived.set()
                state.release.wait(timeout=60)
                return  # no reply: its sender was killed waiting for one
            body = json.dumps(state.reply).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if state.expect and len(state.received) >= state.expect:
                state.reached.set()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test-key"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


# The case world (dispatcher, handler post, block, street) of the cases tests.
from gongzhi.cases.tests.conftest import world  # noqa: E402, F401
