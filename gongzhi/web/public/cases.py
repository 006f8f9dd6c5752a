"""The public list of closed cases, without login (the callback link: web.public.callback).

It shows no personal data: the category, the area, the closing date, the scrubbed text
(core.scrub.public_text, the one scrubber of every public surface) and the before/after
thumbnails.
"""

from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import tracking
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core.i18n import localized
from gongzhi.core.scrub import public_text
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.web.cases.files import file_response
from gongzhi.web.http import not_found, valid_id
from gongzhi.web.public import streets

PUBLIC_PAGE_SIZE = 20
PUBLIC_CACHE_SECONDS = 5 * 60
# The board and the closed-case list are cached under a generation number that a case's
# finishing bumps (after its commit), so a resident who has just rated a case finds it on the
# board at once; the few minutes' cache still takes the traffic between closes.
GENERATION_KEY = "web:public-gen"


def cases_generation() -> int:
    return int(cache.get_or_set(GENERATION_KEY, 0, None) or 0)


def bump_cases_generation() -> None:
    """Drop every cached board and closed-case page at once (their keys name the generation)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): any value unlike the old one will do
        cache.set(GENERATION_KEY, 1, None)


def on_case_finished(case: Case, event: CaseEvent) -> None:
    """cases.hooks: a case closed, merged or voided changes the public lists once it commits."""
    transaction.on_commit(bump_cases_generation)


def area_names(paths: list[str]) -> dict[str, str]:
    """Residential-area name for each node path (the household and building never shown)."""
    areas = {
        n.code: n.name
        for s in geo_selectors.children(None)
        for n in geo_selectors.descendants(s, level=Level.AREA)
    }
    out = {}
    for p in paths:
        names = [areas[c] for c in p.strip("/").split("/") if c in areas]
        out[p] = names[-1] if names else _("本街道")
    return out


def decision_areas(slips: list[Any]) -> dict[int, str]:
    """Each public decision's residential area(s): a joint meeting's decision belongs to every
    area that joined it ("锦绣居民区、和平居民区")."""
    paths: dict[int, list[str]] = {}
    for slip in slips:
        meeting = slip.meeting
        joint = [n.path for n in meeting.joint_nodes.all()]
        paths[slip.pk] = [slip.node_path, meeting.node_path, *joint] if joint else [slip.node_path]
    names = area_names(sorted({p for ps in paths.values() for p in ps}))
    return {pk: "、".join(dict.fromkeys(names[p] for p in ps)) for pk, ps in paths.items()}


def photo_links(photos: list[Any]) -> list[str]:
    """Short-lived signed links to the thumbnails of photos after handling (web.public.track)."""
    return [reverse("web:track_photo", args=[tracking.photo_token(a)]) for a in photos]


def _public_rows(number: int, under: str = "") -> dict[str, Any]:
    """One page of the public list (of the street at `under`) as plain values, cached a few
    minutes (the list is the same for everyone, and the board is where a street's traffic peaks
    after a publicity push); the key carries the street."""
    key = f"web:public-cases:{under}:{cases_generation()}:{get_language()}:{number}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    paginator = Paginator(case_selectors.public_closed_cases(under), PUBLIC_PAGE_SIZE)
    page = paginator.get_page(number)
    cases = list(page.object_list)
    names = area_names([c.node_path for c in cases])
    photos = case_selectors.public_attachments(cases)
    rows = [
        {
            "category": localized(c.category) if c.category else _("其他"),
            "area": names[c.node_path],
            "closed": timezone.localdate(c.closed_at) if c.closed_at else None,
            "text": public_text(c.text),
            "before": [a.pk for a in photos.get(c.pk, []) if a.event.action == "create"][:2],
            "after": [a.pk for a in photos.get(c.pk, []) if a.event.action != "create"][:2],
        }
        for c in cases
    ]
    result = {
        "rows": rows,
        "number": page.number,
        "pages": paginator.num_pages,
        "count": paginator.count,
    }
    cache.set(key, result, PUBLIC_CACHE_SECONDS)
    return result


def public_cases(request: HttpRequest) -> HttpResponse:
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), 1000)
    except ValueError:
        number = 1
    street = streets.required(request)
    data = {**_public_rows(number, street.path), "street": street}
    return render(request, "web/public/cases.html", data)


def public_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Only the thumbnail of a before/after photo of a closed case: never the full picture."""
    found = case_selectors.public_attachment_get(pk=pk) if valid_id(pk) else None
    if found is None:
        raise not_found()
    return file_response(found, thumb=True)
