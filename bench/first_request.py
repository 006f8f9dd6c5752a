"""The first requests after a start, cold and warm (docs/scaling.md "Warm workers").

    DEBUG=1 python -m bench.first_request [--path /public/] [--requests 3]

Starts one gunicorn worker on the current database twice: cold (`gunicorn config.wsgi`, as
before warm-up existed) and warm (`gunicorn -c config/gunicorn.py config.wsgi`: preload, warm in
the master, ready when /healthz/ready says so). For each it prints the seconds from the start
until the port (cold) or readiness (warm) answers, then each of the first requests to `--path`.
A measurement to run by hand (it needs a database with a street); not part of `make bench`.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.server import status_of, stop, wait_for

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def measure(label: str, command: list[str], port: int, ready_path: str, path: str, requests: int) -> None:
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    start = time.perf_counter()
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}{ready_path}", want=lambda s: s == 200, proc=server, within=300)
        up = time.perf_counter() - start
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            status = status_of(f"http://127.0.0.1:{port}{path}")
            times.append(f"{time.perf_counter() - t:.3f} s ({status})")
        print(f"{label}: up after {up:.2f} s; {path}: " + ", ".join(times))
    finally:
        stop(server, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", default="/public/")
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--port", type=int, default=8791)
    options = parser.parse_args()
    cold = [GUNICORN, "config.wsgi", "-b", f"127.0.0.1:{options.port}", "-w", "1"]
    measure("cold", cold, options.port, "/healthz", options.path, options.requests)
    warm = [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi"]
    measure("warm", warm, options.port + 1, "/healthz/ready", options.path, options.requests)


if __name__ == "__main__":
    main()
