"""The public board of 居务会 decisions, without login: what was decided, where (residential
area), by when, and how far it has come. No names, no units, no signatures."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.core.scrub import public_text
from gongzhi.meetings import selectors
from gongzhi.meetings.models import (
    SlipState,
)
from gongzhi.web.public import streets
from gongzhi.web.public.cases import decision_areas

PAGE_SIZE = 20


def public_decisions(request: HttpRequest) -> HttpResponse:
    """For residents, without login: what was decided, where (residential area), by when, and
    how far it has come. No names, no units, no signatures."""
    street = streets.required(request)
    found = selectors.public_decisions(node_path=street.path).prefetch_related("meeting__joint_nodes")
    rows = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    names = decision_areas(list(rows))
    items = [
        {
            "action": public_text(s.action, limit=300),
            "area": names[s.pk],
            "due": s.due,
            "done": s.state == SlipState.DONE,
            "total": s.case_total,  # type: ignore[attr-defined]
            "closed": s.case_done,  # type: ignore[attr-defined]
            "bound": s.bound_at,
        }
        for s in rows
    ]
    return render(request, "web/public/decisions.html", {"rows": rows, "items": items, "street": street})
