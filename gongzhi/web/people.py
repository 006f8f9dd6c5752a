"""People search (masked, scoped) and a person's page."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.orgs import access, selectors
from gongzhi.web.http import not_found, page, require_power
from gongzhi.web.reveal import PURPOSES

PAGE_SIZE = 50


@page
def people(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_PEOPLE)
    q = (request.GET.get("q") or "").strip()[:50]
    results = None
    if q:
        found = selectors.person_search(user=request.user, text=q).order_by("name", "code")
        results = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": q})
    return render(request, "web/people.html", {"q": q, "results": results, "query": query})


@page
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    if person is None:
        raise not_found()
    posts = selectors.post_list(user=request.user).filter(Q(person=person) | Q(deputy=person))
    return render(
        request,
        "web/person.html",
        {
            "person": person,
            "address": selectors.person_address(user=request.user, person=person),
            "posts": posts,
            "can_phone": access.can_reveal(request.user, person, "phone"),
            "can_id": access.can_reveal(request.user, person, "id_number"),
            "purposes": PURPOSES,
        },
    )
