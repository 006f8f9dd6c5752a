"""Starting and stopping a server for a measurement, shared by the suites that time HTTP
(cases, care, orders) and by bench.first_request: wait until it answers, stop it cleanly, and
run gunicorn on a free port with this process's keys and the bench database."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def status_of(url: str, timeout: float = 60) -> int:
    """The status a GET answers with (an error status too)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_for(
    url: str,
    *,
    want: Callable[[int], bool] = lambda status: True,
    proc: subprocess.Popen[bytes] | None = None,
    within: float = 180.0,
    poll: float = 0.2,
) -> float:
    """Seconds until `url` answers with a status `want` accepts (any answer by default: the app
    is up). RuntimeError when `proc` exits first or nothing answers `within` seconds — 180 by
    default: 4 workers importing Django on 2 cores shared with a dozen test runs took over 60."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited before {url} answered")
        try:
            if want(status_of(url, timeout=5)):
                return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(poll)
    raise RuntimeError(f"{url} did not answer within {within:.0f} s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(
    workers: int,
    threads: int,
    extra_env: dict[str, str] | None = None,
    ready_path: str = "/api/v1/cases",
) -> Iterator[tuple[str, int, int]]:
    """gunicorn config.wsgi on a free port, production settings (DEBUG off) with this process's
    keys (the token's hash is keyed by SECRET_KEY) and the bench database; `extra_env` adds to
    or overrides its environment (the scale suite's broker); (host, port, pid) once
    `ready_path` answers (401 without a token: the app is up)."""
    from django.conf import settings

    from bench.db import BENCH_DB

    host = "127.0.0.1"
    port = free_port(host)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "PII_HASH_KEY": settings.PII_HASH_KEY,
        "ALLOWED_HOSTS": host,
        **(extra_env or {}),
    }
    log_path = Path(settings.VAR_DIR) / "bench" / f"{BENCH_DB}-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{host}:{port}"]
    cmd += ["--workers", str(workers), "--threads", str(threads), "--backlog", "512"]
    cmd += ["--timeout", "120", "--no-control-socket"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(f"http://{host}:{port}{ready_path}", proc=proc)
            yield host, port, proc.pid
        finally:
            stop(proc)
