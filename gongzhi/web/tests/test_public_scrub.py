"""Every public surface against the personal-data corpus (core/tests/data/pii_corpus.tsv), over
real HTTP: reports, a 居务会 decision and a 双公示 each carry corpus lines, and the board, its
closed-case list and CSV, Open311 (JSON and XML), the public decisions, the 双公示 page and each
case's tracking page show each record (its marker is there) but none of the secrets."""

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from django.core.cache import cache

from gongzhi.cases import tracking
from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.core.scrub import fold
from gongzhi.core.tests.test_scrub import CORPUS
from gongzhi.meetings import disclosures
from gongzhi.meetings.models import Payer, Slip
from gongzhi.web.tests.case_world import CaseWorld, act, report, to_closed
from gongzhi.web.tests.test_public_board import slip_in

pytestmark = pytest.mark.django_db(transaction=True)

LINES_PER_DISCLOSURE = 12


def marker(i: int) -> str:
    return f"〔样本{i}〕"


def leaks(body: str, *, html_page: bool = False) -> list[tuple[int, str]]:
    """The corpus secrets found in `body`. A secret of digits only (a bare room number such as
    502) counts in the text a reader sees, where no digit touches it: 502 inside a link's id, a
    request id or a time is not a room. Every other secret counts anywhere, attributes included."""
    found = []
    shown = visible(body) if html_page else body
    for i, (_text, secrets) in enumerate(CORPUS):
        for secret in secrets:
            for form in {secret, fold(secret)}:
                if form.isdigit():
                    hit = re.search(rf"(?<![0-9０-９]){re.escape(form)}(?![0-9０-９])", shown)
                else:
                    hit = form in body
                if hit:
                    found.append((i, secret))
                    break
    return found


def visible(page: str) -> str:
    """What a reader sees of an HTML page: its text, without tags, links or scripts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def open311_texts(body: str, fmt: str) -> str:
    """Every text field of an Open311 answer (descriptions, addresses, notes), joined."""
    fields = ("description", "address", "status_notes", "service_name", "agency_responsible")
    if fmt == "json":
        return "\n".join(str(r.get(f) or "") for r in json.loads(body) for f in fields)
    root = ElementTree.fromstring(body)
    return "\n".join(e.text or "" for f in fields for e in root.iter(f))


def decision(cw: CaseWorld, action: str) -> Slip:
    return slip_in(cw.tree.r1, action, at=clock.now())


def within(text: str, limit: int) -> str:
    """The whole lines of `text` that fit in `limit` characters (a correction's reason is short)."""
    out = ""
    for line in text.split("\n"):
        if len(out) + len(line) + 1 > limit:
            break
        out = f"{out}\n{line}" if out else line
    return out


@pytest.fixture
def seeded(cw: CaseWorld) -> dict[str, Any]:
    """One report per corpus line (odd ones closed, even ones accepted), one decision per line,
    and 双公示 whose plan, result and correction texts hold the lines in blocks."""
    closed, accepted = [], []
    for i, (text, _secrets) in enumerate(CORPUS):
        case = report(cw, text=marker(i) + text)
        if i % 2:
            to_closed(cw, case)
            closed.append(i)
        else:
            act(case, cw.users["dispatcher"], "register")
            accepted.append(i)
        decision(cw, marker(i) + text)
    blocks = [
        list(range(i, min(i + LINES_PER_DISCLOSURE, len(CORPUS))))
        for i in range(0, len(CORPUS), LINES_PER_DISCLOSURE)
    ]
    for block in blocks:
        text = "\n".join(marker(i) + CORPUS[i][0] for i in block)
        d = disclosures.disclosure_create(
            actor=cw.users["dispatcher"],
            node=cw.tree.e1,
            title=CORPUS[block[0]][0][:100],
            payer=Payer.REPAIR_FUND,
            households=10,
            amount="1000",
            text=text,
        )
        disclosures.disclosure_complete(actor=cw.users["dispatcher"], disclosure=d, amount="1200", text=text)
        disclosures.disclosure_amend(
            actor=cw.users["dispatcher"],
            disclosure=d,
            stage="plan",
            amount="1100",
            text=text,
            reason=within(text, 300),
        )
    cache.clear()  # the public pages are cached a few minutes
    return {"closed": closed, "accepted": accepted}


@pytest.fixture
def http(live_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


def pages(http: httpx.Client, url: str) -> str:
    """Every page of a paginated public list, joined."""
    bodies, number = [], 1
    while True:
        response = http.get(url, params={"page": number})
        assert response.status_code == 200, (url, response.status_code)
        bodies.append(response.text)
        if f'page={number + 1}"' not in response.text:  # the pager's link to the next page
            return "\n".join(bodies)
        number += 1


def test_no_corpus_secret_on_any_public_surface(
    cw: CaseWorld, seeded: dict[str, Any], http: httpx.Client
) -> None:
    """One test for all surfaces: seeding the corpus takes most of its time."""
    everything = range(len(CORPUS))
    board = http.get("/public/")
    assert board.status_code == 200
    assert marker(len(CORPUS) - 1) in board.text  # the latest reports show their (scrubbed) text
    assert leaks(board.text, html_page=True) == [], "board"

    listing = pages(http, "/public/cases/")
    assert all(marker(i) in listing for i in seeded["closed"])
    assert leaks(listing, html_page=True) == [], "closed-case list"

    export = http.get("/public/cases/export.csv")
    assert export.status_code == 200 and "csv" in export.headers["content-type"]
    text = export.content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == len(seeded["closed"]) + 1
    assert all(marker(i) in text for i in seeded["closed"])
    assert leaks(text) == [], "closed-case CSV"

    for fmt in ("json", "xml"):
        requests = http.get(f"/open311/v2/requests.{fmt}")
        assert requests.status_code == 200
        assert all(marker(i) in requests.text for i in everything)  # every text: all were accepted
        # the texts only: a short secret such as 502 may stand in a request id or a coordinate
        assert leaks(open311_texts(requests.text, fmt)) == [], f"Open311 {fmt}"

    decisions = pages(http, "/public/decisions/")
    assert all(marker(i) in decisions for i in everything)
    assert leaks(decisions, html_page=True) == [], "public decisions"

    disclosed = pages(http, "/public/disclosures/")
    assert all(marker(i) in disclosed for i in everything)
    assert leaks(disclosed, html_page=True) == [], "双公示"

    # the tracking page (docs/tracking.md), through each case's signed link: what it shows
    for case in Case.objects.order_by("pk"):
        tracked = http.get(f"/track/t/{tracking.link_token(case)}/")
        assert tracked.status_code == 200
        facts = tracked.text.split('class="facts"', 1)[1]
        assert "〔样本" in facts and leaks(facts, html_page=True) == [], f"tracking page of {case.number}"
