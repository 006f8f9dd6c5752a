"""People search (masked, scoped) and a person's page.

A whole phone or ID number never travels in a URL, where access logs and browser history
would keep it: the search form posts, the search by number is looked up and written to the
access log (orgs.services.person_number_search), and the browser is sent on to
`?s=<token>`. The token is random and names an entry in the user's session holding the
number's keyed hash and masked form (never the number) for SEARCH_TTL; its pages and exports
read that entry. A search by name keeps its plain `?q=` URL.
"""

import secrets
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.care import selectors as care_selectors
from gongzhi.core import clock, pii
from gongzhi.orgs import access, selectors, services
from gongzhi.web.common.reveal import PURPOSES
from gongzhi.web.http import not_found, page, require_power

PAGE_SIZE = 50
SEARCH_TTL = 30 * 60  # seconds a search by number can be paged through and exported
SESSION_KEY = "people_number_searches"
KEPT_SEARCHES = 10  # per session; older tokens expire early


def stash(request: HttpRequest, search: pii.NumberSearch) -> str:
    """Keep a search by number in the session and return its token."""
    now = clock.now().timestamp()
    kept = {
        token: entry
        for token, entry in request.session.get(SESSION_KEY, {}).items()
        if now - entry[3] < SEARCH_TTL
    }
    for stale in sorted(kept, key=lambda t: kept[t][3])[: max(len(kept) - KEPT_SEARCHES + 1, 0)]:
        del kept[stale]
    token = secrets.token_urlsafe(12)
    kept[token] = [search.kind, search.digest, search.masked, now]
    request.session[SESSION_KEY] = kept
    return token


def stashed(request: HttpRequest, token: str) -> pii.NumberSearch | None:
    """The search a token names, if it is this session's and not expired."""
    entry = request.session.get(SESSION_KEY, {}).get(token[:40])
    if entry is None or clock.now().timestamp() - entry[3] >= SEARCH_TTL:
        return None
    return pii.NumberSearch(kind=entry[0], digest=entry[1], masked=entry[2])


def _render(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    defaults: dict[str, object] = {"q": "", "results": None, "query": "", "purposes": PURPOSES}
    response = render(request, "web/roster/people.html", defaults | context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@page
def people(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_PEOPLE)
    if request.method == "POST":
        return _search(request)
    token = request.GET.get("s", "")
    if token:
        search = stashed(request, token)
        if search is None:
            return _render(request, {"errors": [_("查询已过期，请重新输入号码查询")]})
        found = selectors.person_by_number(user=request.user, search=search).order_by("name", "code")
        by_number = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        return _render(
            request, {"results": by_number, "masked": search.masked, "query": urlencode({"s": token})}
        )
    q = (request.GET.get("q") or "").strip()[:50]
    if pii.carries_number(q):
        # An old link or a typed URL: the number is already in this request's log line, but
        # it is not served, so nothing comes to rely on it.
        return _render(request, {"errors": [_("手机号、身份证号请在查询框中输入（不放进网址）")]}, status=400)
    results = None
    if q:
        found = selectors.person_search(user=request.user, text=q).order_by("name", "code")
        results = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, {"q": q, "results": results, "query": urlencode({"q": q})})


def _search(request: HttpRequest) -> HttpResponse:
    """The form's POST: a name goes on to ?q=, a number is searched, logged and stashed."""
    text = (request.POST.get("q") or "").strip()[:50]
    search = pii.number_search(text)
    url = reverse("web:people")
    if search is None and pii.carries_number(text):  # part of a number: answered here, not in a URL
        return _render(request, {"errors": [_("请输入完整的11位手机号或18位身份证号")]}, status=400)
    if search is None:
        return HttpResponseRedirect(f"{url}?{urlencode({'q': text})}" if text else url, status=303)
    purpose = (request.POST.get("purpose_other") or request.POST.get("purpose") or "").strip()[:200]
    services.person_number_search(actor=request.user, search=search, purpose=purpose)
    return HttpResponseRedirect(f"{url}?{urlencode({'s': stash(request, search)})}", status=303)


@page
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    if person is None:
        raise not_found()
    posts = selectors.post_list(user=request.user).filter(Q(person=person) | Q(deputy=person))
    return render(
        request,
        "web/roster/person.html",
        {
            "person": person,
            "address": selectors.person_address(user=request.user, person=person),
            "posts": posts,
            "can_phone": access.can_reveal(request.user, person, "phone"),
            "can_id": access.can_reveal(request.user, person, "id_number"),
            "care": care_selectors.care_link(user=request.user, person=person),
            "purposes": PURPOSES,
        },
    )
