"""双报到 pages for the phone (docs/community.md): apply (a member for themself, someone at a
unit for the unit, committee staff for either) and the Party organisation's confirm queue.
Reads through community.selectors; every write is a community.registrations service."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.community import registrations, selectors
from gongzhi.community.choices import CommitmentKind, CommitmentUnit
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Post, Unit
from gongzhi.web.http import not_found, page

ROWS = 3  # commitment rows on the form


def _areas(user: Actor, units: list[Unit]) -> list[Node]:
    """Areas the user may register with: under their MANAGE_COMMUNITY subtrees, the area they
    live in, and the area each unit they hold a post at is located in (a unit placed above the
    area level, at the street or a block, may register with any area under it). Without the
    units' areas, someone applying for their unit, who neither manages nor is a member, was
    offered no area at all."""
    q = access.nodes_q(user, access.MANAGE_COMMUNITY)
    member = selectors.my_member(user=user)
    if member is not None and member.person.home is not None:
        q |= Q(code__in=member.person.home.path.strip("/").split("/"))
    for unit in units:
        q |= Q(code__in=unit.node.path.strip("/").split("/")) | Q(path__startswith=unit.node.path)
    return list(Node.objects.filter(q, level=Level.AREA).distinct().order_by("path"))


def _units(user: Actor) -> list[Unit]:
    person_id = access.scope(user).person_id
    if person_id is None:
        return []
    ids = Post.objects.filter(access.active_posts_q(), person_id=person_id).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids, active=True).select_related("node").order_by("name"))


def _commitments(post: Any) -> list[registrations.CommitmentIn]:
    out = []
    for i in range(ROWS):
        title = post.get(f"title_{i}", "").strip()
        if title:
            out.append(
                registrations.CommitmentIn(
                    kind=post.get(f"kind_{i}", ""),
                    title=title[:120],
                    per_year=post.get(f"per_year_{i}", "")[:20],
                    unit=post.get(f"unit_{i}", ""),
                )
            )
    return out


@page
def community_apply(request: HttpRequest) -> HttpResponse:
    user = request.user
    member = selectors.my_member(user=user)
    units = _units(user)
    context: dict[str, Any] = {
        "areas": _areas(user, units),
        "units": units,
        "member": member,
        "kinds": CommitmentKind.choices,
        "measures": CommitmentUnit.choices,
        "rows": range(ROWS),
        "errors": {},
        "typed": {},
    }
    if request.method == "POST":
        post = request.POST
        node = Node.objects.filter(code=post.get("node", "")[:60], level=Level.AREA).first()
        who = post.get("who", "")
        unit = next((u for u in context["units"] if f"unit:{u.pk}" == who), None)
        try:
            if node is None:
                raise ValidationError({"node": [_("请选择居民区")]})
            registrations.registration_apply(
                actor=user,
                node=node,
                unit=unit,
                member=member if who == "self" else None,
                service_offer=post.get("service_offer", "")[:300],
                commitments=_commitments(post),
            )
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed=post)
            return render(request, "web/community/apply.html", context, status=422)
        return redirect("web:community_ledger")
    return render(request, "web/community/apply.html", context)


@page
def community_queue(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.confirm_queue(user=request.user)[:200])
    return render(request, "web/community/queue.html", {"rows": rows})


@require_POST
@page
def community_decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get(user=request.user, pk=pk)
    if registration is None:
        raise not_found()
    registrations.registration_decide(
        actor=request.user,
        registration=registration,
        confirm=request.POST.get("confirm") == "1",
        reason=request.POST.get("reason", "")[:600],
    )
    return redirect("web:community_queue")
