"""The community on the public board (/public/community/, no login; docs/public-board.md): the
three lists, the claimed projects with their pledges and progress, the finished ones with the
residents' evaluation, and a project's page where a resident evaluates it once (per signed-in
resident, else per device: the report page's signed device cookie), within a per-address
budget. Every text comes scrubbed from community.public; no person is named.

One street at a time, as the public board (web.public.streets, docs/tenancy.md): with several
streets, the board without `?street=` offers the streets, and a project's page and its
evaluation answer 404 without the street or for a project of another street."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.community import evaluations, public
from gongzhi.community.models import Project, Rating
from gongzhi.core import limits
from gongzhi.core.errors import ConflictError
from gongzhi.web.cases.report_guard import device_id, keep_device
from gongzhi.web.http import valid_id
from gongzhi.web.public import streets
from gongzhi.web.public.streets import PublicStreet


def board(request: HttpRequest) -> HttpResponse:
    street = streets.asked(request)
    if street is None:  # several streets and none named: which street's lists
        context = {"streets": streets.street_list(), "target": "web:public_community"}
        return render(request, "web/public/streets.html", context)
    return render(request, "web/public/community.html", {**public.board(street.path), "street": street})


def _page(
    request: HttpRequest, pk: int, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    street = streets.required(request)
    row = public.project(pk, street.path) if valid_id(pk) else None
    if row is None:
        raise Http404(_("没有找到该项目"))
    context = {
        "street": street,
        "p": row,
        "ratings": Rating.choices,
        "errors": errors or [],
        "thanks": request.GET.get("thanks") == "1",
    }
    return keep_device(request, render(request, "web/public/community_project.html", context, status=status))


def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


def _project_of(street: PublicStreet, pk: int) -> Project:
    found = Project.objects.filter(pk=pk, node_path__startswith=street.path).first() if valid_id(pk) else None
    if found is None:  # another street's project is as unknown as a missing one
        raise Http404(_("没有找到该项目"))
    return found


@require_POST
def project_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    street = streets.required(request)
    project = _project_of(street, pk)
    address = limits.client_ip(request)
    if not limits.peek("evaluation-ip", address).allowed:
        return _page(request, pk, errors=[_("评议次数过多，请稍后再试")], status=429)
    user = request.user
    voter = evaluations.voter_key(
        user_id=user.pk if user.is_authenticated else None, device=device_id(request)
    )
    try:
        evaluations.evaluate(
            project=project,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", "")[:300],
            voter=voter,
        )
    except ValidationError as exc:
        return _page(request, pk, errors=[str(m) for ms in exc.message_dict.values() for m in ms], status=422)
    except ConflictError as exc:
        return _page(request, pk, errors=[str(exc)], status=409)
    limits.hit("evaluation-ip", address)
    keep = f"&{street.query}" if street.query else ""
    return redirect(f"/public/community/projects/{pk}/?thanks=1{keep}")
