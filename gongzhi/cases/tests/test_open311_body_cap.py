"""Open311 POST bodies over OPEN311_MAX_BODY_BYTES under gunicorn, as production runs it: refused
with 413 in errors[] before anything parses them, whether they say their length or come chunked
(gunicorn hands a chunked body on decoded and without a length; Django alone reads nothing of
it). The test server's cases are in test_open311.py."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

NINE_MB = 9 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[3]


# --- under gunicorn, as in production ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[tuple[str, int]]:
    """A real gunicorn worker on the project's WSGI application. These requests are refused
    before any database read, so the worker needs no test database."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "1",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _attempt in range(300):  # readiness, not a timing: up to 30 s for the worker to boot
            assert server.poll() is None, server.stderr.read() if server.stderr else "gunicorn exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(timeout=30)


def raw_post(address: tuple[str, int], path: str, headers: list[str], chunks: Iterator[bytes]) -> bytes:
    """Send a request by hand (so the client keeps reading when the server answers before the
    body is through) and return the response's bytes."""
    with socket.create_connection(address, timeout=60) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {address[0]}", *headers, "Connection: close", "", ""]
        sock.sendall("\r\n".join(head).encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest: what a cap does
        received = b""
        try:
            while data := sock.recv(65536):
                received += data
        except ConnectionResetError:
            pass
        return received


def chunked(payload: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        part = payload[start : start + size]
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    yield b"0\r\n\r\n"


FORM = ["Content-Type: application/x-www-form-urlencoded"]


def test_gunicorn_refuses_a_chunked_nine_megabyte_body(gunicorn: tuple[str, int]) -> None:
    body = b"api_key=o311_x&description=" + b"a" * NINE_MB
    response = raw_post(
        gunicorn, "/open311/v2/requests.json", [*FORM, "Transfer-Encoding: chunked"], chunked(body)
    )
    status, _, content = response.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413"), status
    assert "请求内容过大：Open311 提交的内容不能超过64 KB" in content.decode()  # the default cap


def test_gunicorn_refuses_a_long_body_by_its_length(gunicorn: tuple[str, int]) -> None:
    body = b"api_key=o311_x&description=" + b"a" * NINE_MB
    headers = [*FORM, f"Content-Length: {len(body)}"]
    response = raw_post(
        gunicorn,
        "/open311/v2/requests.xml",
        headers,
        iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
    )
    status, _, content = response.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413"), status
    assert b"<errors><error><code>413</code>" in content


def test_gunicorn_reads_a_chunked_body_under_the_cap(gunicorn: tuple[str, int]) -> None:
    # A NUL in a field is refused after the form is parsed and before any database read: the
    # 400 shows the chunked body reached the form parser (Django alone reads nothing of it).
    body = b"api_key=o311_x&service_code=LD01&description=%00"
    response = raw_post(
        gunicorn, "/open311/v2/requests.json", [*FORM, "Transfer-Encoding: chunked"], chunked(body)
    )
    status, _, content = response.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400"), status
    assert "参数中含有不允许的字符" in content.decode()
