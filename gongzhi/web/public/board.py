"""The public board (公示栏) at /public/ and the full 双公示 list at /public/disclosures/: no login,
no personal data, the same page for everyone, so each is built once as plain values and
cached a few minutes per language (PUBLIC_CACHE_SECONDS, as the closed-case list).

What residents see: this month's reports by state group and residential area, the latest
reports (category, area, date, state and, once a dispatcher has accepted the report, its
scrubbed text), the latest rectified cases with before/after photos (the closed-case list),
the 居务会 decisions, the 双公示 of resident-paid repairs, and the way into the suggestion box
(the report page with ?kind=suggestion). docs/public-board.md says what is never shown.
"""

from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongzhi.cases.states import TEXT_WITHHELD_STATES
from gongzhi.core import replicas
from gongzhi.core.i18n import localized
from gongzhi.core.scrub import public_text
from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.meetings.models import Disclosure, DisclosureEvent, SlipState
from gongzhi.reports import periods
from gongzhi.reports import public_board as figures
from gongzhi.web.public import streets
from gongzhi.web.public.cases import (
    PUBLIC_CACHE_SECONDS,
    _public_rows,
    area_names,
    cases_generation,
    decision_areas,
)
from gongzhi.web.public.streets import PublicStreet

LATEST = 8  # reports listed on the board
RESULTS = 3  # rectified cases with photos
DECISIONS = 4
DISCLOSURES = 4
DISCLOSURE_PAGE = 20


# --- the board ----------------------------------------------------------------------------------


def board_data(street: PublicStreet | None = None) -> dict[str, Any]:
    """The board of one street (`street`; None or its path "": the one street of the deployment)."""
    street = street or PublicStreet("", "", "")
    under = street.path
    key = f"web:public-board:{street.code}:{cases_generation()}:{get_language()}"  # one per street
    cached = cache.get(key)
    if cached is not None:
        return cached
    period = periods.this_month()
    data: dict[str, Any] = {
        "period": period,
        **_month(period, under),
        "latest": _latest(under),
        "results": _results(under),
        "decisions": _decisions(under),
        "disclosures": disclosure_rows(list(meeting_selectors.public_disclosures(under)[:DISCLOSURES])),
        "built": timezone.localtime(),
        "street": street,
    }
    cache.set(key, data, PUBLIC_CACHE_SECONDS)
    return data


def _month(period: periods.Period, under: str) -> dict[str, Any]:
    """This month's reports by state group, for the street and per residential area."""
    rows = figures.counts_by_place(period, under)
    names = area_names(sorted({path for path, _state, _n in rows}))
    totals = dict.fromkeys(figures.GROUPS, 0)
    areas: dict[str, dict[str, int]] = {}
    for path, state, n in rows:
        group = figures.group_of(state)
        totals[group] += n
        areas.setdefault(names[path], dict.fromkeys(figures.GROUPS, 0))[group] += n
    ordered = sorted(areas.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    area_rows = [{"name": name, **counts, "total": sum(counts.values())} for name, counts in ordered]
    groups = [{"key": g, "label": str(figures.GROUP_LABELS[g]), "count": totals[g]} for g in figures.GROUPS]
    return {"groups": groups, "month_total": sum(totals.values()), "areas": area_rows}


def _latest(under: str) -> list[dict[str, Any]]:
    cases = list(figures.latest_reported(LATEST, under))
    names = area_names([c.node_path for c in cases])
    out = []
    for c in cases:
        group = figures.group_of(c.state)
        out.append(
            {
                "category": localized(c.category) if c.category else _("待分类"),
                "area": names[c.node_path],
                "date": timezone.localdate(c.created_at),
                "group": group,
                "label": str(figures.GROUP_LABELS[group]),
                # a report nobody has read yet may hold anything: its text waits until a
                # dispatcher has accepted it (as on Open311)
                "text": "" if c.state in TEXT_WITHHELD_STATES else public_text(c.text, limit=80),
            }
        )
    return out


def _results(under: str) -> dict[str, Any]:
    page = _public_rows(1, under)  # the closed-case list's first page (cached on its own)
    return {"rows": page["rows"][:RESULTS], "count": page["count"]}


def _decisions(under: str) -> list[dict[str, Any]]:
    found = meeting_selectors.public_decisions(node_path=under)
    slips = list(found.prefetch_related("meeting__joint_nodes")[:DECISIONS])
    names = decision_areas(slips)
    return [
        {
            "action": public_text(s.action, limit=160),
            "area": names[s.pk],
            "due": s.due,
            "done": s.state == SlipState.DONE,
            "total": s.case_total,  # type: ignore[attr-defined]
            "closed": s.case_done,  # type: ignore[attr-defined]
        }
        for s in slips
    ]


# --- 双公示 ---------------------------------------------------------------------------------------


def disclosure_rows(items: list[Disclosure]) -> list[dict[str, Any]]:
    """Both publications of each repair, the difference, and every correction with its reason."""
    names = area_names([d.node_path for d in items])
    fixes = meeting_selectors.public_amendments(items)
    return [_disclosure(d, names[d.node_path], fixes.get(d.pk, [])) for d in items]


def _disclosure(d: Disclosure, area: str, fixes: list[DisclosureEvent]) -> dict[str, Any]:
    diff = d.difference
    return {
        "title": public_text(d.title, limit=0),
        "area": area,
        "place": d.node.name if d.node.name != area else "",
        "payer": d.get_payer_display(),
        "households": d.households,
        "plan_amount": d.plan_amount,
        "plan_text": public_text(d.plan_text, limit=0),
        "plan_at": timezone.localdate(d.plan_at),
        "plan_unit": d.plan_unit,
        "done": d.result_amount is not None,
        "result_amount": d.result_amount,
        "result_text": public_text(d.result_text, limit=0),
        "result_at": timezone.localdate(d.result_at) if d.result_at else None,
        "result_unit": d.result_unit,
        "difference": abs(diff) if diff is not None else None,
        "over": diff is not None and diff > 0,
        "under": diff is not None and diff < 0,
        "percent": round(abs(diff) * 100 / d.plan_amount, 1) if diff is not None and d.plan_amount else None,
        "fixes": [_fix(e) for e in fixes],
    }


def _fix(event: DisclosureEvent) -> dict[str, Any]:
    data = event.data or {}
    before, after = data.get("before") or {}, data.get("after") or {}

    def money(value: Any) -> Decimal | None:
        return Decimal(value) if value is not None else None

    return {
        "stage": _("事前公示") if data.get("stage") == "plan" else _("事后公示"),
        "before": money(before.get("amount")),
        "after": money(after.get("amount")),
        "reason": public_text(event.reason, limit=0),
        "at": timezone.localdate(event.at),
    }


def _disclosure_page(number: int, street: PublicStreet) -> dict[str, Any]:
    key = f"web:public-disclosures:{street.code}:{get_language()}:{number}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    paginator = Paginator(meeting_selectors.public_disclosures(street.path), DISCLOSURE_PAGE)
    page = paginator.get_page(number)
    data = {
        "rows": disclosure_rows(list(page.object_list)),
        "number": page.number,
        "pages": paginator.num_pages,
        "count": paginator.count,
        "street": street,
    }
    cache.set(key, data, PUBLIC_CACHE_SECONDS)
    return data


# --- pages --------------------------------------------------------------------------------------


@replicas.reading
def board(request: HttpRequest) -> HttpResponse:
    street = streets.asked(request)
    if street is None:  # several streets and none named: which street's board
        return render(request, "web/public/streets.html", {"streets": streets.street_list()})
    return render(request, "web/public/board.html", board_data(street))


@replicas.reading
def disclosures(request: HttpRequest) -> HttpResponse:
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), 1000)
    except ValueError:
        number = 1
    return render(request, "web/public/disclosures.html", _disclosure_page(number, streets.required(request)))
