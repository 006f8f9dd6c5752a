"""deploy/ agrees with the code it serves: nginx's body limits are at least the app's own (the
app answers the refusal, in Chinese or in Open311's format; nginx stops only what is beyond),
the units and the Procfile start commands that exist, and the stack starts every Procfile entry.
Reads files only: nginx -t, systemd-analyze and PgBouncer are checked by scripts/deploy_check.sh."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

from gongzhi.care.ingest import MAX_BATCH

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
UNITS = {"m": 1024 * 1024, "k": 1024}


def _limits() -> dict[str, int]:
    """client_max_body_size per nginx location ("" for the server's own), in bytes."""
    text = (DEPLOY / "nginx" / "gongzhi.conf").read_text(encoding="utf-8")
    ssl_server = text[text.index("listen 443") :]
    limits, where = {}, ""
    for line in ssl_server.splitlines():
        loc = re.match(r"\s*location\s+(?:=\s+)?(\S+)\s*\{", line)
        if loc:
            where = loc[1]
        size = re.match(r"\s*client_max_body_size\s+(\d+)([mk]);", line)
        if size:
            limits[where] = int(size[1]) * UNITS[size[2]]
    return limits


def test_nginx_body_limits_cover_the_apps_own():
    limits = _limits()
    assert limits[""] >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= settings.IMPORT_MAX_BYTES
    assert limits[""] >= settings.CASE_ATTACHMENT_MAX_BYTES
    assert limits["/open311/"] >= settings.OPEN311_MAX_BODY_BYTES
    # the largest batch a gateway may send: ids of 64, a time, a value, JSON around them
    largest_event = len('{"device":"%s","id":"%s","at":"2026-12-07T00:00:00.000000+08:00","value":1e+308},')
    assert limits["/api/v1/care/events"] >= MAX_BATCH * (largest_event + 2 * 64 - 4)


def test_units_and_procfile_start_commands_that_exist():
    commands = get_commands()
    text = "\n".join(p.read_text(encoding="utf-8") for p in (DEPLOY / "systemd").iterdir())
    procfile = (DEPLOY / "Procfile").read_text(encoding="utf-8")
    for source in (text, procfile):
        for name in re.findall(r"bin/gongzhi (\w+)", source):
            assert name in commands, name
        assert "celery -A config worker" in source and "celery -A config beat" in source
    stack = (ROOT / "scripts" / "stack.sh").read_text(encoding="utf-8")
    entries = re.findall(r"^(\w+):", procfile, flags=re.MULTILINE)
    started = set(re.findall(r"processes=\(([^)]*)\)", stack)[0].split()) | {"nginx"}
    assert set(entries) == started
    assert len(re.findall(r"^web\d:", procfile, flags=re.MULTILINE)) == 2
    assert len(re.findall(r"^worker\d:", procfile, flags=re.MULTILINE)) == 3
    assert len(re.findall(r"celery -A config beat", procfile)) == 1
