"""core.warm: the steps load what the first requests would, and the readiness endpoint says
ready only once they have run (the liveness one always answers)."""

import pytest
from django.template.loader import get_template
from django.test import Client

from gongzhi.core import warm

pytestmark = pytest.mark.django_db


def test_ready_only_once_warm(monkeypatch: pytest.MonkeyPatch, tree) -> None:
    client = Client()
    monkeypatch.setattr(warm, "_ready", False)
    assert client.get("/healthz").json() == {"alive": True}
    cold = client.get("/healthz/ready")
    assert cold.status_code == 503 and cold.json()["reason"] == "warming"
    took = warm.warm()
    # every layer's step ran: core's own, and those registered by geo and cases at start-up
    assert {"database", "urls", "translations", "templates", "calendar", "locate", "classifier"} <= set(took)
    assert warm._templates() > 50  # the project's templates parsed
    assert get_template("web/reports/kpis.html") is not None
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200 and ready.json() == {"ready": True}
