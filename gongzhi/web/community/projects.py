"""Project pages (项目清单, docs/community.md): the project form built from needs and resources,
a project with its pledge (the current version's text and digest, every signature with its
version, current or superseded), its milestones with the evidence form, and one action
endpoint (publish, claim, sign, revise, milestone done, finish, cancel); the 定点联系 pairs with
their visits. Reads through community.selectors (404 out of scope), writes through the services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.community import contacts, forms, pledges, projects, selectors
from gongzhi.community.models import PledgeSide, Project, ProjectState, ServiceField
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.streets import street_code
from gongzhi.orgs import access
from gongzhi.web.community.lists import place_of, places, units_for
from gongzhi.web.http import messages_of, not_found, page, valid_id

STEP_ROWS = 4


def _steps(post: Any) -> list[projects.Step]:
    steps = []
    for i in range(STEP_ROWS):
        title = post.get(f"step_title_{i}", "")[:200]
        due = forms.day(post.get(f"step_due_{i}"), f"milestones.{i}.due")
        if title.strip() or due:
            steps.append(projects.Step(title, due))
    return steps


@page
def project_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "fields": ServiceField.choices,
        "places": places(user),
        "needs": list(selectors.open_needs(user)[:100]),
        "resources": list(selectors.resources(user).filter(active=True)[:100]),
        "rows": range(STEP_ROWS),
        "errors": {},
        "typed": {},
        "chosen_needs": [],
        "chosen_resources": [],
    }
    if request.method == "POST":
        post = request.POST
        try:
            wanted_needs = [int(v) for v in post.getlist("needs") if v.isdigit()]
            wanted_resources = [int(v) for v in post.getlist("resources") if v.isdigit()]
            draft = projects.ProjectDraft(
                title=post.get("title", "")[:200],
                summary=post.get("summary", "")[:2100],
                field=post.get("field", ""),
                node=place_of(user, post.get("node", "")),
                starts_on=forms.day(post.get("starts_on"), "starts_on", required=True),
                ends_on=forms.day(post.get("ends_on"), "ends_on", required=True),
                budget=post.get("budget", "")[:20] or "0",
                needs=list(selectors.open_needs(user).filter(pk__in=wanted_needs)),
                resources=list(selectors.resources(user).filter(pk__in=wanted_resources)),
                milestones=_steps(post),
            )
            project = projects.project_create(actor=user, draft=draft)
        except ValidationError as exc:
            context.update(
                errors=exc.message_dict,
                typed=post,
                chosen_needs=post.getlist("needs"),
                chosen_resources=post.getlist("resources"),
            )
            return render(request, "web/community/project_form.html", context, status=422)
        return redirect("web:community_project", project.pk)
    return render(request, "web/community/project_form.html", context)


def _project(request: HttpRequest, pk: int) -> Project:
    project = selectors.project(request.user, pk) if valid_id(pk) else None
    if project is None:
        raise not_found()
    return project


def project_context(user: Actor, project: Project) -> dict[str, Any]:
    pledge = selectors.pledge_of(project)
    version = pledges.current_version(pledge) if pledge else None
    kinds = projects.kinds(user, project, claiming=project.state == ProjectState.OPEN)
    signatures = list(pledge.signatures.select_related("signer_post").order_by("at")) if pledge else []
    return {
        "project": project,
        "needs": list(project.needs.all()),
        "resources": list(project.resources.select_related("unit")),
        "milestones": list(project.milestones.order_by("seq")),
        "events": list(project.events.order_by("id")),
        "pledge": pledge,
        "version": version,
        "signatures": [
            {"row": s, "current": pledge is not None and s.version == pledge.version} for s in signatures
        ],
        "sides": pledges.signable_sides(user, pledge) if pledge else [],
        "side_labels": dict(PledgeSide.choices),
        "staff": "staff" in kinds,
        "unit": "unit" in kinds,
        "claim_units": [u for u in units_for(user) if u.pk in access.held_unit_ids(user)] or units_for(user),
        "public_street": street_code(project.node_path),  # its public page is its street's
    }


@page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = project_context(request.user, project)
    context["done"] = request.GET.get("done", "")
    return render(request, "web/community/project.html", context)


def _act(request: HttpRequest, project: Project) -> str:
    user, post = request.user, request.POST
    action = post.get("action", "")
    if action == "publish":
        projects.project_publish(actor=user, project=project)
    elif action == "cancel":
        projects.project_cancel(actor=user, project=project, reason=post.get("reason", "")[:600])
    elif action == "claim":
        unit_pk = forms.whole(post.get("unit"), "unit", high=2**62)
        unit = next((u for u in units_for(user) if u.pk == unit_pk), None)
        if unit is None:
            raise invalid("unit", _("请选择认领单位"))
        pledges.project_claim(
            actor=user, project=project, unit=unit, commitments=post.get("commitments", "")[:2100]
        )
    elif action == "sign":
        pledge = selectors.pledge_of(project)
        if pledge is None:
            raise invalid("pledge", _("项目尚未认领"))
        version = forms.whole(post.get("version"), "version", high=10_000)
        pledges.pledge_sign(actor=user, pledge=pledge, version=version, side=post.get("side") or None)
    elif action == "revise":
        pledge = selectors.pledge_of(project)
        if pledge is None:
            raise invalid("pledge", _("项目尚未认领"))
        pledges.pledge_revise(
            actor=user,
            pledge=pledge,
            commitments=post.get("commitments", "")[:2100],
            note=post.get("note", "")[:600],
        )
    elif action == "milestone":
        seq = forms.whole(post.get("milestone"), "milestone", high=1000)
        milestone = project.milestones.filter(seq=seq).first()
        if milestone is None:
            raise invalid("milestone", _("没有找到该节点"))
        projects.milestone_done(actor=user, milestone=milestone, evidence=post.get("evidence", "")[:1100])
    elif action == "finish":
        projects.project_finish(actor=user, project=project, note=post.get("note", "")[:600])
    else:
        raise invalid("action", _("未知操作"))
    return action


@require_POST
@page
def project_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step on the project; a refusal shows the project again with the reason (422 for
    input, 409 for a state that no longer allows it: claimed meanwhile, a superseded version)."""
    project = _project(request, pk)
    try:
        action = _act(request, project)
    except ValidationError as exc:
        return _refused(request, project, messages_of(exc), 422)
    except ConflictError as exc:
        return _refused(request, project, [str(exc)], 409)
    return redirect(f"{reverse('web:community_project', args=[project.pk])}?done={action}")


def _refused(request: HttpRequest, project: Project, errors: list[str], status: int) -> HttpResponse:
    context = project_context(request.user, _project(request, project.pk))
    context.update(errors=errors, typed=request.POST)
    return render(request, "web/community/project.html", context, status=status)


# --- 定点联系 --------------------------------------------------------------------------------------


@page
def contact_pairs(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = [n for n in places(user) if n.level == Level.AREA]
    context: dict[str, Any] = {
        "pairs": list(
            selectors.contact_pairs(user).prefetch_related("visits").order_by("until", "node_path")[:200]
        ),
        "areas": areas,
        "units": units_for(user),
        "errors": {},
        "typed": {},
    }
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "visit":
                pair_pk = forms.whole(post.get("pair"), "pair", high=2**62)
                pair = selectors.contact_pairs(user).filter(pk=pair_pk).first()
                if pair is None:
                    raise not_found()
                contacts.visit_record(
                    actor=user,
                    pair=pair,
                    on=forms.day(post.get("on"), "on", required=True),
                    summary=post.get("summary", "")[:600],
                    people=forms.whole(post.get("people"), "people", default=1, low=1, high=500),
                )
            else:
                unit_pk = forms.whole(post.get("unit"), "unit", high=2**62)
                unit = next((u for u in units_for(user) if u.pk == unit_pk), None)
                node = Node.objects.filter(pk__in=[a.pk for a in areas], code=post.get("node", "")).first()
                if unit is None:
                    raise invalid("unit", _("请选择联系单位"))
                if node is None:
                    raise invalid("node", _("请选择居民区"))
                contacts.pair_create(actor=user, unit=unit, node=node, note=post.get("note", "")[:300])
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed=post)
            return render(request, "web/community/contacts.html", context, status=422)
        return redirect("web:community_contacts")
    return render(request, "web/community/contacts.html", context)
