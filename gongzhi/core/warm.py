"""Warm processes: an app process loads what its first requests would otherwise load before it
takes traffic (docs/scaling.md "Warm workers").

A cold process paid 2–6 s on its first requests (issue 17): the reference snapshot
(core.refdata: the tree's locate index, the working calendar), the classifier model (joblib,
then compiled), every template parsed, the URL resolver, the translation catalogues. `warm()`
runs the registered steps once per process and then says the process is ready. Packages
register their own steps from AppConfig.ready() (`register`), so core names none of the layers
above it (the seam is like core.contributions).

Where it runs:
- gunicorn with config/gunicorn.py: the master loads the app and warms it before forking
  (preload_app), so every worker starts warm and shares the loaded memory; a worker loaded on
  its own (no preload) warms itself before its first request (post_worker_init).
- `gongzhi serve` (the development server) warms before it listens.
- `gongzhi warm` runs the steps and prints what each took (a check, and the measurement).
`/healthz` says the process answers (liveness); `/healthz/ready` says 200 only once it is warm
and the database answers, else 503 (a load balancer sends it nothing until then).
"""

import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

from gongzhi.core import workcal_db

log = logging.getLogger(__name__)

Step = Callable[[], object]
_steps: dict[str, Step] = {}
_ready = False


def register(name: str, step: Step) -> None:
    """A warm-up step (idempotent, cheap when already warm); registered again, it replaces."""
    _steps[name] = step


def ready() -> bool:
    return _ready


def warm() -> dict[str, float]:
    """Run every step (a failing one is logged and skipped: a cold cache is slow, not broken);
    returns the seconds each took. The process is ready afterwards."""
    global _ready
    took: dict[str, float] = {}
    for name, step in [*_CORE_STEPS.items(), *_steps.items()]:
        start = time.perf_counter()
        try:
            step()
        except Exception:  # a step that fails leaves its cache cold, no more
            log.exception("warm-up step %s failed", name)
        took[name] = round(time.perf_counter() - start, 3)
    _ready = True
    return took


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _templates() -> int:
    """Parse every template of the project's own template folders (the cached loader keeps them)."""
    count = 0
    for engine in engines.all():
        for folder in engine.template_dirs:  # type: ignore[attr-defined]
            root = Path(folder)
            if not root.is_dir() or not str(root).startswith(str(settings.BASE_DIR / "gongzhi")):
                continue
            for path in root.rglob("*.html"):
                try:
                    engine.get_template(str(path.relative_to(root)))
                    count += 1
                except (TemplateDoesNotExist, TemplateSyntaxError):
                    log.warning("warm-up: template %s did not load", path)
    return count


def _translations() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("工单")


def _workcal() -> None:
    workcal_db.current_calendar()


_CORE_STEPS: dict[str, Step] = {
    "database": _database,
    "urls": lambda: get_resolver().reverse_dict,
    "translations": _translations,
    "templates": _templates,
    "calendar": _workcal,
}


# --- the endpoints (config/urls.py) -----------------------------------------------------------------


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"alive": True})


def healthz_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: warm, and the database answers."""
    if not _ready:
        return JsonResponse({"ready": False, "reason": "warming"}, status=503)
    try:
        _database()
    except DatabaseError:
        return JsonResponse({"ready": False, "reason": "database"}, status=503)
    return JsonResponse({"ready": True})
