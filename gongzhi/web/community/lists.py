"""The three lists' pages (phone first, docs/community.md): the community home (需求 / 资源 /
项目 at a glance, late milestones on the committee's board, the unit's own claims), the need
form (from a visit, a survey, a case or suggestion by its number, a 居务会 topic by its id),
a need with its proposed resources to confirm or reject, and the resource form. Reads through
community.selectors (out of scope is a 404), writes through the community services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.community import exports as community_exports
from gongzhi.community import forms, matching, needs, resources, selectors
from gongzhi.community import imports as community_imports
from gongzhi.community.models import (
    NeedSource,
    Resource,
    ResourceKind,
    ServiceField,
    Urgency,
)
from gongzhi.core import exports as core_exports
from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings import selectors as meeting_selectors
from gongzhi.orgs import access
from gongzhi.orgs.imports.run import size_error
from gongzhi.orgs.imports.workbook import workbook_bytes
from gongzhi.orgs.models import Unit
from gongzhi.web.common.exports import send, staff_export
from gongzhi.web.http import not_found, page, require_power, valid_id

LIST_ROWS = 50


def places(user: Actor, power: str = access.MANAGE_COMMUNITY) -> list[Node]:
    """Where the user may place a need, a resource or a project: areas, estates and the nodes
    above them in their subtree (buildings are typed as a node code)."""
    return list(
        Node.objects.filter(access.nodes_q(user, power), level__lte=Level.ESTATE).order_by("path")[:500]
    )


def place_of(user: Actor, code: str, field: str = "node") -> Node | None:
    code = (code or "").strip()
    if not code:
        return None
    # the tree the user sees; the service then asks whether they may place a row there
    node = Node.objects.filter(access.nodes_q(user, access.VIEW_TREE), code=code).first()
    if node is None:
        raise invalid(field, _("没有找到该地点"))
    return node


def units_for(user: Actor) -> list[Unit]:
    """The units the user may list resources or claim for: their own, and, for staff, the
    active units of their subtree."""
    own = access.held_unit_ids(user)
    q = Q(pk__in=own)
    if access.has_power(user, access.MANAGE_COMMUNITY):
        q |= Q(node__in=Node.objects.filter(access.nodes_q(user, access.MANAGE_COMMUNITY)))
    return list(Unit.objects.filter(q, active=True).order_by("name")[:500])


@page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = access.has_power(user, access.VIEW_COMMUNITY)
    units = access.held_unit_ids(user)
    if not staff and not units:
        return render(request, "web/community/home.html", {"staff": False, "units": False}, status=403)
    context = {
        "staff": staff,
        "manage": access.has_power(user, access.MANAGE_COMMUNITY),
        "units": bool(units),
        "needs": list(selectors.open_needs(user)[:LIST_ROWS]) if staff else [],
        "resources": list(selectors.resources(user).filter(active=True)[:LIST_ROWS]),
        "projects": list(selectors.projects(user).order_by("-created_at")[:LIST_ROWS]),
        "late": list(selectors.late(user)[:LIST_ROWS]),
    }
    return render(request, "web/community/home.html", context)


def _need_draft(request: HttpRequest) -> needs.NeedDraft:
    post = request.POST
    return needs.NeedDraft(
        title=post.get("title", "")[:200],
        field=post.get("field", ""),
        node=place_of(request.user, post.get("node", "")),
        beneficiaries=post.get("beneficiaries", "")[:200],
        text=post.get("text", "")[:2100],
        wants=post.get("wants", ""),
        beneficiary_count=forms.whole(post.get("beneficiary_count"), "beneficiary_count"),
        urgency=forms.whole(post.get("urgency"), "urgency", default=Urgency.LOW, low=1, high=3),
        window_from=forms.day(post.get("window_from"), "window_from"),
        window_until=forms.day(post.get("window_until"), "window_until"),
    )


def topic_ref(user: Actor, pk: int | None) -> needs.TopicRef:
    """A 居务会 topic the user may see, as the need keeps it (web and API share this)."""
    topic = meeting_selectors.topic_get(user=user, pk=pk) if pk and valid_id(pk) else None
    if topic is None:
        raise invalid("topic", _("没有找到该议题（或您无权查看）"))
    return needs.TopicRef(pk=topic.pk, title=topic.title, node=topic.node)


def create_need(request: HttpRequest) -> Any:
    draft = _need_draft(request)
    post = request.POST
    origin = post.get("origin", NeedSource.STAFF)
    if origin == "case":
        return needs.need_from_case(
            actor=request.user,
            case=needs.case_by_number(request.user, post.get("case", "")[:30]),
            draft=draft,
        )
    if origin == NeedSource.TOPIC:
        topic = forms.whole(post.get("topic"), "topic", high=2**62)
        return needs.need_from_topic(actor=request.user, topic=topic_ref(request.user, topic), draft=draft)
    return needs.need_create(
        actor=request.user, draft=draft, source=origin, survey=post.get("survey", "")[:100]
    )


def _need_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "fields": ServiceField.choices,
        "kinds": ResourceKind.choices,
        "urgencies": Urgency.choices,
        "places": places(request.user),
        "errors": {},
        "typed": {},
    }


@page
def need_new(request: HttpRequest) -> HttpResponse:
    context = _need_context(request)
    if request.method == "POST":
        try:
            need = create_need(request)
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed=request.POST)
            return render(request, "web/community/need_form.html", context, status=422)
        return redirect("web:community_need", need.pk)
    context["typed"] = {"origin": request.GET.get("origin", "staff"), "case": request.GET.get("case", "")}
    return render(request, "web/community/need_form.html", context)


@page
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.needs(request.user).filter(pk=pk).first() if valid_id(pk) else None
    if need is None:
        raise not_found()
    manage = access.can(request.user, access.MANAGE_COMMUNITY, need.node)
    return render(
        request,
        "web/community/need.html",
        {
            "need": need,
            "manage": manage,
            "proposals": matching.candidates(need) if manage else [],
            "matches": list(need.matches.select_related("resource__unit").order_by("rank")),
            "projects": list(need.projects.all()),
        },
    )


@require_POST
@page
def need_match(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.needs(request.user).filter(pk=pk).first() if valid_id(pk) else None
    if need is None:
        raise not_found()
    # a proposal may come from another area of the street (the resource list is public): the
    # service accepts only a resource it would propose for this need
    resource_pk = forms.whole(request.POST.get("resource"), "resource", high=2**62)
    resource = Resource.objects.filter(pk=resource_pk).first()
    if resource is None:
        raise invalid("resource", _("没有找到该资源"))
    decide = matching.match_reject if request.POST.get("decision") == "reject" else matching.match_confirm
    decide(actor=request.user, need=need, resource=resource, note=request.POST.get("note", "")[:300])
    return redirect("web:community_need", need.pk)


def _resource_draft(request: HttpRequest) -> resources.ResourceDraft:
    post = request.POST
    unit_pk = forms.whole(post.get("unit"), "unit", high=2**62)
    unit = next((u for u in units_for(request.user) if u.pk == unit_pk), None)
    if unit is None:
        raise invalid("unit", _("请选择提供资源的单位"))
    return resources.ResourceDraft(
        title=post.get("title", "")[:200],
        kind=post.get("kind", ""),
        field=post.get("field", ""),
        unit=unit,
        node=place_of(request.user, post.get("node", "")),
        text=post.get("text", "")[:2100],
        quantity=post.get("quantity", "")[:20],
        measure=post.get("measure", "")[:40],
        available_from=forms.day(post.get("available_from"), "available_from"),
        available_until=forms.day(post.get("available_until"), "available_until"),
        schedule=post.get("schedule", "")[:200],
    )


@page
def resource_new(request: HttpRequest) -> HttpResponse:
    context = {
        "fields": ServiceField.choices,
        "kinds": ResourceKind.choices,
        "units": units_for(request.user),
        "places": places(request.user, access.VIEW_TREE),
        "errors": {},
        "typed": {},
    }
    if request.method == "POST":
        try:
            resources.resource_create(actor=request.user, draft=_resource_draft(request))
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed=request.POST)
            return render(request, "web/community/resource_form.html", context, status=422)
        return redirect("web:community_home")
    return render(request, "web/community/resource_form.html", context)


# --- Excel: export of the three lists, import of needs and resources --------------------------------

LIST_QUERIES = {
    "needs": lambda user: selectors.needs(user).order_by("-created_at", "-pk"),
    "resources": lambda user: selectors.resources(user).order_by("-created_at", "-pk"),
    "projects": lambda user: selectors.projects(user).order_by("-created_at", "-pk"),
}


@staff_export
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    """A list as the page shows it to the same user (EXPORT and VIEW_COMMUNITY needed)."""
    if kind not in community_exports.SPECS or fmt not in core_exports.FORMATS:
        raise not_found()
    require_power(request, access.VIEW_COMMUNITY)
    require_power(request, access.EXPORT)
    return send(request, community_exports.SPECS[kind], LIST_QUERIES[kind](request.user), fmt)


@page
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    template = community_imports.TEMPLATES.get(kind)
    if template is None:
        raise not_found()
    response = HttpResponse(workbook_bytes(template), content_type=core_exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="community-{kind}-template.xlsx"'
    return response


@page
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled needs or resources template: every row or none (errors by row and column)."""
    require_power(request, access.MANAGE_COMMUNITY)
    context: dict[str, Any] = {"kinds": community_imports.TEMPLATES, "report": None, "errors": []}
    if request.method != "POST":
        return render(request, "web/community/import.html", context)
    kind, upload = request.POST.get("kind", ""), request.FILES.get("file")
    if kind not in community_imports.TEMPLATES or upload is None:
        context["errors"] = [_("请选择导入类型和 Excel 文件")]
        return render(request, "web/community/import.html", context, status=400)
    too_big = size_error(upload.size or 0)
    if too_big:
        context["errors"] = [too_big]
        return render(request, "web/community/import.html", context, status=400)
    report = community_imports.run_list_import(kind=kind, data=upload.read(), actor=request.user)
    context["report"] = report
    return render(request, "web/community/import.html", context, status=200 if report.ok else 422)
