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
