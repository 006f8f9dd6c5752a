"""The POSTs of the agenda pool and the vetting queue: propose a topic, vet it (the Party
organisation). Each calls one service of gongzhi.meetings and redirects (303) back, or shows the
page again with the typed text kept and the error."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases import selectors as case_selectors
from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import TopicSource
from gongzhi.orgs import access
from gongzhi.web.http import not_found, page, require_power, valid_id
from gongzhi.web.meetings.common import convene_nodes
from gongzhi.web.meetings.forms import (
    Errors,
    add_error,
    attempt,
    int_or_none,
    posted_text,
    see_other,
    split_general,
    typed_back,
)
from gongzhi.web.meetings.topics import topics_context, vet_context


@require_POST
@page
def topic_propose(request: HttpRequest) -> HttpResponse:
    require_power(request, access.CONVENE)
    post = request.POST
    errors: Errors = {}
    node = next((n for n in convene_nodes(request.user) if n.code == post.get("node", "")), None)
    if node is None:
        add_error(errors, "node", _("请选择议题所属辖区"))
    cases = []
    for raw in post.getlist("cases"):
        pk = int_or_none(raw)
        case = case_selectors.case_get(user=request.user, pk=pk) if pk else None
        if case is None:
            add_error(errors, "cases", _("没有找到该工单"))
        else:
            cases.append(case)
    status = 400
    if not errors and node is not None:
        draft = services.TopicDraft(
            title=posted_text(request, "title", 200),
            business=post.get("business", ""),
            detail=posted_text(request, "detail", 4000),
            source=TopicSource.CASES if cases else TopicSource.FREE,
            cases=cases,
        )
        status, errors = attempt(lambda: services.topic_propose(actor=request.user, node=node, draft=draft))
        if not status:
            return see_other(reverse("web:topics"), "propose")
    general, errors = split_general(errors)
    context = topics_context(request, typed=typed_back(request), errors=errors, general=general)
    return render(request, "web/meetings/topics.html", context, status=status)


@require_POST
@page
def topic_vet(request: HttpRequest, pk: int) -> HttpResponse:
    """议题由党组织把关: approve, or reject with a reason."""
    require_power(request, access.VET)
    topic = selectors.topic_get(user=request.user, pk=pk) if valid_id(pk) else None
    if topic is None:
        raise not_found()
    verdict = request.POST.get("verdict", "")
    errors: Errors = {}
    status = 400
    if verdict not in {"approve", "reject"}:
        add_error(errors, "__all__", _("请选择通过或不通过"))
    else:
        status, errors = attempt(
            lambda: services.topic_vet(
                actor=request.user,
                topic=topic,
                approve=verdict == "approve",
                reason=posted_text(request, "reason", 300),
            )
        )
        if not status:
            return see_other(reverse("web:topic_vet_queue"), verdict)
    general, errors = split_general(errors)
    general += [m for msgs in errors.values() for m in msgs]
    context = vet_context(request, general=general, failed=str(topic.pk), typed=typed_back(request))
    return render(request, "web/meetings/vet.html", context, status=status)
