"""Where the CPU goes during a load test (docs/scaling.md "Load test"): samples /proc every few
seconds and adds up each process's CPU time by part of the stack: the app servers, the Celery
workers, beat, the care consumer, nginx, PostgreSQL's backends of the stack's database, the
replica, locust itself, and everything else on the machine (other sessions' work on a shared
machine). Writes <run>/cpu.json when stopped (SIGTERM or SIGINT); report.py turns it into a table.

    .venv/bin/python loadtest/cpu.py RUN_DIR DATABASE_NAME [REPLICA_DATA_DIR]

No py-spy or pidstat needed: Linux's /proc only. A process that ends between two samples loses
at most one interval's CPU (the stack's processes live for the whole run).
"""

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

INTERVAL = 5.0
TICKS = os.sysconf("SC_CLK_TCK")
ROOT = str(Path(__file__).resolve().parents[1])


def _read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _processes() -> dict[int, tuple[int, float, str, str]]:
    """{pid: (ppid, cpu seconds, command line, cwd)} of every process readable now."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read(f"/proc/{entry}/stat")
        if not stat:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        cmd = _read(f"/proc/{entry}/cmdline").replace("\0", " ").strip()
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            cwd = ""
        out[int(entry)] = (ppid, (utime + stime) / TICKS, cmd, cwd)
    return out


# processes to count apart, "pid:label,pid:label" (e.g. a PostgreSQL backend of a bulk job
# running beside the test, which the command line alone does not tell from the stack's)
APART = {
    int(k): v
    for k, v in (item.split(":", 1) for item in os.environ.get("LOADTEST_CPU_APART", "").split(",") if item)
}


def _part(pid: int, procs: dict[int, tuple[int, float, str, str]], db: str, replica_pid: int) -> str:
    ppid, _cpu, cmd, cwd = procs[pid]
    if pid in APART:
        return APART[pid]
    if "reports_rollup" in cmd:
        return "reports_rollup (beside the test)"
    if replica_pid and (pid == replica_pid or ppid == replica_pid):
        return "PostgreSQL replica (5433)"
    if cmd.startswith("postgres:"):
        return (
            "PostgreSQL primary: the stack's database"
            if f" {db} " in cmd + " "
            else "PostgreSQL primary: other"
        )
    if cwd == ROOT or ROOT in cmd:
        if "gunicorn" in cmd:
            return "app servers (gunicorn)"
        if "celery" in cmd and " worker" in cmd:
            return "Celery workers"
        if "celery" in cmd and " beat" in cmd:
            return "Celery beat"
        if "care_consume" in cmd:
            return "care MQTT consumer"
        if "nginx" in cmd:
            return "nginx"
        if "bin/locust" in cmd:
            return "locust (the clients)"
        if "loadtest/cpu.py" in cmd:
            return "other"
        return "other of the stack"
    if cmd.startswith("redis-server") and ":6390" in cmd:
        return "the stack's Redis"
    return "other"


def main(run: Path, db: str, replica_data: str) -> None:
    stop = []
    signal.signal(signal.SIGTERM, lambda *_a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_a: stop.append(1))
    pidfile = _read(f"{replica_data}/postmaster.pid") if replica_data else ""
    replica_pid = int(pidfile.split()[0]) if pidfile else 0
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    parts: dict[int, str] = {}
    loads: list[float] = []
    machine0 = _machine()
    started = time.monotonic()
    while True:
        procs = _processes()
        initial = not first
        for pid, (_ppid, cpu, _cmd, _cwd) in procs.items():
            if pid not in first:
                # a process alive at the first sample counts from there; a newer one from 0
                first[pid] = cpu if initial else 0.0
                parts[pid] = _part(pid, procs, db, replica_pid)
            last[pid] = cpu
        loads.append(float(_read("/proc/loadavg").split()[0]))
        if stop:
            break
        time.sleep(INTERVAL)
    elapsed = time.monotonic() - started
    busy = _machine() - machine0
    totals: dict[str, float] = {}
    for pid, part in parts.items():
        totals[part] = totals.get(part, 0.0) + last[pid] - first[pid]
    result: dict[str, Any] = {
        "seconds": round(elapsed, 1),
        "machine_busy_cpu_seconds": round(busy, 1),
        "cores": os.cpu_count(),
        "load_mean": round(sum(loads) / len(loads), 2),
        "load_max": max(loads),
        "parts": {k: round(v, 1) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])},
    }
    (run / "cpu.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def _machine() -> float:
    """CPU seconds the machine spent busy (every core, idle and iowait left out)."""
    fields = [int(x) for x in _read("/proc/stat").split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
