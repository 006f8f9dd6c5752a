"""Production settings are safe by default: they refuse to start without secrets and turn on
secure cookies, HSTS and the CSP. Checked in a subprocess with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRINT = (
    "import django, json; from django.conf import settings as s; django.setup(); "
    "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
    "'default-src' in s.CONTENT_SECURITY_POLICY['DIRECTIVES']]))"
)


def run(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    base.update({"DJANGO_SETTINGS_MODULE": "config.settings", "GONGZHI_VAR_DIR": str(ROOT / "var"), **env})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True)


def test_production_refuses_to_start_without_secrets():
    result = run({"FIELD_ENCRYPTION_KEYS": "", "PII_HASH_KEY": ""}, PRINT)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_defaults_are_secure():
    env = {
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0=",
        "PII_HASH_KEY": "k",
        "ALLOWED_HOSTS": "gongzhi.example",
    }
    result = run(env, PRINT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[false, true, true, true, true]"


# --- deploy/gongzhi.env.example: every setting, and it loads ------------------------------------

SETTINGS_FILE = ROOT / "config" / "settings.py"
ENV_EXAMPLE = ROOT / "deploy" / "gongzhi.env.example"


def _names_read_by_settings() -> set[str]:
    import re

    text = SETTINGS_FILE.read_text(encoding="utf-8")
    names = set(
        re.findall(r'(?:os\.environ(?:\.get)?[\[(]|env_bool\(|env_list\(|_secret\()"([A-Z0-9_]+)"', text)
    )
    for name, minutes_name in re.findall(r'_budget\("([A-Z0-9_]+)", \d+, \d+(?:, "([A-Z0-9_]+)")?\)', text):
        names |= {name, minutes_name or f"{name}_MINUTES"}
    return names


def _example_lines() -> dict[str, str | None]:
    """NAME: value of the example's lines; None for a commented-out `#NAME=...` (listed, unset)."""
    import re

    found: dict[str, str | None] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"(#?)([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            found[match[2]] = None if match[1] else match[3].strip('"')
    return found


def test_env_example_lists_every_setting_the_code_reads():
    read = _names_read_by_settings()
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "DB_DISABLE_SERVER_SIDE_CURSORS",
        "REPORT_PHONE_LIMIT_MINUTES",
    } <= read
    missing = read - set(_example_lines()) - {"DJANGO_SETTINGS_MODULE"}
    assert not missing, f"deploy/gongzhi.env.example lacks {sorted(missing)}"


def test_env_example_loads_as_production_settings(tmp_path):
    env = {k: v for k, v in _example_lines().items() if v is not None}
    env.update(
        SECRET_KEY="s" * 60,
        FIELD_ENCRYPTION_KEYS="ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0=",
        PII_HASH_KEY="k",
        GONGZHI_VAR_DIR=str(tmp_path),
    )
    code = (
        "import django, json; from django.conf import settings as s; django.setup(); d = s.DATABASES['default']; "
        "print(json.dumps([s.DEBUG, d['PORT'], d['DISABLE_SERVER_SIDE_CURSORS'], d['CONN_MAX_AGE'], "
        "d['CONN_HEALTH_CHECKS'], s.RATE_LIMIT_TRUSTED_PROXIES, s.CELERY_TASK_ALWAYS_EAGER]))"
    )
    result = run(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[false, 6432, true, 60, true, 1, false]"
    # without the variable, server-side cursors stay on (a direct connection to PostgreSQL)
    env.pop("DB_DISABLE_SERVER_SIDE_CURSORS")
    result = run(env, code)
    assert result.returncode == 0, result.stderr
    assert ", 6432, false, 60," in result.stdout
