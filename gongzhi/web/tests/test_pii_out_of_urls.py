"""No phone or ID number in a URL or a log line (docs/personal-data.md).

The people search, the case pages and the API are driven over real HTTP (live server + httpx)
as staff use them. Every URL httpx requests, redirects included, is what an access log
(gunicorn's, a proxy's, Django's runserver) writes; every log record of the run is captured
at DEBUG from the root logger and django.server. Neither may hold a number, written any way,
nor its keyed hash (a stable identifier as good as the number to whoever holds the table).
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest
from django.conf import settings
from django.test import Client

from gongzhi.api import services as api_services
from gongzhi.core import pii
from gongzhi.core.models import PiiAccessLog

from .case_world import report

pytestmark = pytest.mark.django_db(transaction=True)

CASE_PHONE = "13812345678"
PHONE = "13800138003"  # 赵小弟, H1 (web conftest)
ID_NUMBER = "310104199001011234"
SECRETS = (CASE_PHONE, PHONE, ID_NUMBER)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def leaks(lines: list[str]) -> list[str]:
    """The lines holding a secret number (spaces, hyphens and URL-encoding aside) or its hash."""
    hashes = [pii.lookup_hash(n) for n in SECRETS]
    found = []
    for line in lines:
        flat = re.sub(r"[\s\-+]", "", unquote_plus(line))
        if any(n in flat for n in SECRETS) or any(h in line for h in hashes):
            found.append(line)
    return found


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()}")


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    recorder = Recorder()
    watched = [logging.getLogger(), logging.getLogger("django.server")]  # django.server does not propagate
    levels = [lg.level for lg in watched]
    for lg in watched:
        lg.addHandler(recorder)
        lg.setLevel(logging.DEBUG)
    try:
        yield recorder.lines
    finally:
        for lg, level in zip(watched, levels, strict=True):
            lg.removeHandler(recorder)
            lg.setLevel(level)


@dataclass
class Browser:
    """An httpx session logged in as one user, keeping every URL it asks for."""

    http: httpx.Client
    urls: list[str] = field(default_factory=list)

    def csrf(self, path: str) -> str:
        match = CSRF.search(self.http.get(path).text)
        assert match, path
        return match.group(1)

    def post_form(self, path: str, form_page: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(path, data={"csrfmiddlewaretoken": self.csrf(form_page), **data})


@pytest.fixture
def browser(live_server: Any, cw: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    monkeypatch.setattr(settings, "SESSION_COOKIE_SECURE", False)
    monkeypatch.setattr(settings, "CSRF_COOKIE_SECURE", False)
    django_client = Client()
    django_client.force_login(cw.users["dispatcher"])  # committee staff of S-R1
    session = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    b = Browser(http=httpx.Client(base_url=live_server.url, follow_redirects=True, timeout=30))
    b.http.cookies.set(settings.SESSION_COOKIE_NAME, session)
    b.http.event_hooks["request"] = [lambda request: b.urls.append(str(request.url))]
    with b.http:
        yield b


def test_staff_work_leaves_no_number_in_urls_or_logs(browser, cw, live_server, log_lines):
    case = report(cw, contact_phone=CASE_PHONE)

    # The people search by phone (typed with spaces), by ID number, and by name.
    found = browser.post_form("/people/", "/people/", {"q": "138 0013 8003", "purpose": "电话联系"})
    assert found.status_code == 200 and "赵小弟" in found.text and "138****8003" in found.text
    assert "?s=" in str(found.url)
    export_link = re.search(r'href="(/people/export\.csv\?s=[^"]+)"', found.text)
    assert export_link is not None
    exported = browser.http.get(export_link.group(1))
    assert exported.status_code == 200 and "138****8003" in exported.text
    by_id = browser.post_form("/people/", "/people/", {"q": ID_NUMBER.lower()})
    assert "赵小弟" in by_id.text
    by_name = browser.post_form("/people/", "/people/", {"q": "赵"})
    assert "赵小弟" in by_name.text and str(by_name.url).endswith("?q=%E8%B5%B5")

    # The case pages, the contact phone revealed with a purpose, a refused reveal (a 400:
    # django.request writes a warning with the path, so the run has log lines to check).
    assert browser.http.get("/cases/").status_code == 200
    filtered = browser.post_form("/cases/", "/cases/", {"q": "纸板"})
    assert filtered.status_code == 200 and "?q=" in str(filtered.url)
    by_number = browser.post_form("/cases/", "/cases/", {"q": CASE_PHONE})  # refused in place
    assert by_number.status_code == 400 and str(by_number.url).endswith("/cases/")
    page = browser.http.get(f"/cases/{case.pk}/")
    assert "138****5678" in page.text and CASE_PHONE not in page.text
    form = f"/cases/{case.pk}/"
    refused = browser.post_form(f"/cases/{case.pk}/contact/", form, {"purpose": ""})
    assert refused.status_code == 400
    shown = browser.post_form(f"/cases/{case.pk}/contact/", form, {"purpose": "电话回访"})
    assert shown.status_code == 200 and CASE_PHONE in shown.text  # in the body, never the URL

    # The API: search by number and the contact reveal, both POST.
    token = api_services.token_create(user=cw.users["dispatcher"], name="t")[1]
    api = {"Authorization": f"Bearer {token}"}
    searched = browser.http.post("/api/v1/people/search", json={"number": PHONE}, headers=api)
    assert searched.json()["count"] == 1
    contact = browser.http.post(
        f"/api/v1/cases/{case.pk}/reveal-contact", json={"purpose": "电话回访"}, headers=api
    )
    assert contact.json()["contact_phone"] == CASE_PHONE

    assert len(browser.urls) >= 20 and any("Bad Request" in line for line in log_lines)
    assert leaks(browser.urls) == []
    assert leaks(log_lines) == []
    fields = sorted(PiiAccessLog.objects.values_list("field", flat=True))
    assert fields == [
        "contact_phone",
        "contact_phone",
        "export",
        "search_id_number",
        "search_phone",
        "search_phone",
    ]
    assert leaks([f"{r.subject_label} {r.purpose}" for r in PiiAccessLog.objects.all()]) == []


def test_the_check_catches_a_number_in_a_url(browser, log_lines):
    """The old search (a GET with the number) is what the check above would catch; the page
    now refuses it, and nothing is searched or logged."""
    old = browser.http.get("/people/", params={"q": "138-0013-8003"})
    assert old.status_code == 400 and "赵小弟" not in old.text
    assert leaks(browser.urls) == [browser.urls[-1]]
    assert leaks([f"/x?h={pii.lookup_hash(ID_NUMBER)}"]) and not leaks(["/people/?s=abc", "138****8003"])
    assert not PiiAccessLog.objects.exists()
