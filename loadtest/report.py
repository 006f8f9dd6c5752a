"""Turns a locust run (its --csv files) into loadtest/results/<run>/report.md: requests/s and
p50/p95/p99 per request type, the errors, and where the time goes (each type's share of the
time the server spent answering: requests x mean; and the CPU by part of the stack, from
loadtest/cpu.py's cpu.json when the run has one).

    .venv/bin/python loadtest/report.py loadtest/results/<run>
"""

import csv
import json
import sys
from pathlib import Path


def main(run: Path) -> None:
    with open(run / "locust_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    types = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    busy = sum(int(r["Request Count"]) * float(r["Average Response Time"]) for r in types) or 1.0
    info = dict(line.split("=", 1) for line in (run / "run.txt").read_text().split() if "=" in line)
    out = [
        f"# Load test {run.name}",
        "",
        'Mix: loadtest/locustfile.py (weights: docs/scaling.md "Load test"). Run: '
        f"{info.get('users')} users (spawn {info.get('spawn_rate')}/s) for {info.get('time')} against "
        f"{info.get('host')}; commit {info.get('commit')}, {info.get('cores')} cores, load average "
        f"{info.get('load_before')} before, {info.get('load_after')} after; cases "
        f"{info.get('cases_before')} before, {info.get('cases_after')} after.",
        "",
        "| request type | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms | share of time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(types, key=lambda r: -int(r["Request Count"]) * float(r["Average Response Time"])):
        share = int(r["Request Count"]) * float(r["Average Response Time"]) / busy
        out.append(_row(r, f"{share:.0%}"))
    out.append(_row(total, "100%", name="**all**"))
    out += _cpu(run, int(total["Request Count"]))
    out += ["", "## Errors", ""]
    failures = run / "locust_failures.csv"
    with open(failures, encoding="utf-8") as fh:
        errs = list(csv.DictReader(fh))
    if not errs:
        out.append("None.")
    for e in errs:
        out.append(f"- {e['Method']} {e['Name']}: {e['Occurrences']} x {e['Error'][:300]}")
    (run / "report.md").write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


def _cpu(run: Path, requests: int) -> list[str]:
    """The CPU by part of the stack (loadtest/cpu.py's cpu.json), when it was sampled."""
    path = run / "cpu.json"
    if not path.exists():
        return []
    cpu = json.loads(path.read_text(encoding="utf-8"))
    seconds, cores = cpu["seconds"], cpu["cores"]
    out = [
        "",
        "## Where the CPU went",
        "",
        f"{seconds:.0f} s sampled from /proc (loadtest/cpu.py); the machine was busy "
        f"{cpu['machine_busy_cpu_seconds']:.0f} CPU-seconds of {seconds * cores:.0f} "
        f"({cores} cores); load average {cpu['load_mean']} on average, {cpu['load_max']} at most.",
        "",
        "| part | CPU seconds | cores on average | CPU ms per request |",
        "|---|---:|---:|---:|",
    ]
    for part, used in cpu["parts"].items():
        per = f"{1000 * used / requests:.1f}" if requests else "-"
        out.append(f"| {part} | {used:.1f} | {used / seconds:.2f} | {per} |")
    return out


def _row(r: dict[str, str], share: str, name: str = "") -> str:
    return (
        f"| {name or r['Type'] + ' ' + r['Name']} | {r['Request Count']} | {r['Failure Count']} | "
        f"{float(r['Requests/s']):.2f} | {r['50%']} | {r['95%']} | {r['99%']} | "
        f"{float(r['Max Response Time']):.0f} | {share} |"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
