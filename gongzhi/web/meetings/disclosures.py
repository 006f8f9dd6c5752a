"""双公示 pages for staff: the list with the form that publishes a plan (事前公示), and one
disclosure with its trail and the forms that publish the result (事后公示) or a correction.

Reads through meetings.selectors (VIEW_MEETINGS scope), writes through meetings.disclosures
only. Bad input comes back on the same page with the typed values and Chinese field messages
(400); a user who may not publish gets 403, a result published twice 409.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.models import pk_from_number
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings import disclosures as services
from gongzhi.meetings import selectors
from gongzhi.meetings.models import Disclosure, Payer, Slip, SlipState
from gongzhi.orgs import access
from gongzhi.web.http import messages_of, not_found, page, require_power, valid_id

PAGE = 30
MAX_PLACES = 300
MAX_SLIPS = 100
EVENT_LABELS = {
    "publish_plan": gettext_lazy("事前公示"),
    "publish_result": gettext_lazy("事后公示"),
    "amend": gettext_lazy("更正"),
}
Errors = dict[str, list[str]]


def place_options(user: Actor) -> list[Node]:
    """Where the user may publish: the residential areas and estates under their CONVENE nodes."""
    places: list[Node] = []
    for root in access.root_nodes(user, access.CONVENE):
        below = geo_selectors.descendants(root).filter(level__in=[Level.AREA, Level.ESTATE])
        places.extend(below.order_by("path")[:MAX_PLACES])
    return places[:MAX_PLACES]


def slip_options(user: Actor) -> list[Slip]:
    """Decisions a repair may follow: binding or done slips the user sees, newest first."""
    rows = selectors.slip_list(user=user, states=[SlipState.BINDING, SlipState.DONE])
    return list(rows.order_by("-bound_at", "-pk")[:MAX_SLIPS])


def _attempt(do: Any) -> tuple[int, Errors]:
    try:
        do()
    except ConflictError as exc:
        return 409, {"__all__": [str(exc)]}
    except PermissionDeniedError as exc:
        return 403, {"__all__": [str(exc) or _("您无权执行此操作")]}
    except ValidationError as exc:
        return 400, dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": messages_of(exc)}
    return 0, {}


def _redirect(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _typed(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}


# --- the list and the plan form -----------------------------------------------------------------


def list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    rows = Paginator(selectors.disclosure_list(user=user), PAGE).get_page(request.GET.get("page"))
    can_publish = access.has_power(user, access.CONVENE)
    context: dict[str, Any] = {
        "rows": rows,
        "can_publish": can_publish,
        "places": place_options(user) if can_publish else [],
        "slips": slip_options(user) if can_publish else [],
        "payers": Payer.choices,
        "typed": {},
        "errors": {},
        "general": [],
        "open_form": False,
    }
    context.update(extra)
    return context


@page
def disclosure_list(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    return render(request, "web/meetings/disclosures.html", list_context(request))


@require_POST
@page
def disclosure_create(request: HttpRequest) -> HttpResponse:
    require_power(request, access.CONVENE)
    post = request.POST
    errors: Errors = {}
    node = {n.code: n for n in place_options(request.user)}.get(post.get("node", ""))
    if node is None:
        errors["node"] = [_("请选择居民区或小区")]
    case = None
    number = post.get("case", "").strip()[:30]
    if number:
        pk = pk_from_number(number)
        case = case_selectors.case_get(user=request.user, pk=pk) if pk and valid_id(pk) else None
        if case is None:
            errors["case"] = [_("找不到该工单编号")]
    slip = None
    if post.get("slip"):
        slip = {str(s.pk): s for s in slip_options(request.user)}.get(post.get("slip", ""))
        if slip is None:
            errors["slip"] = [_("请从列表中选择任务流转单")]
    status, created = 400, []
    if not errors:

        def do() -> None:
            created.append(
                services.disclosure_create(
                    actor=request.user,
                    node=node,
                    title=post.get("title", "")[:500],
                    payer=post.get("payer", ""),
                    households=post.get("households", "")[:12],
                    amount=post.get("plan_amount", "")[:40],
                    text=post.get("plan_text", "")[:5000],
                    case=case,
                    slip=slip,
                )
            )

        status, errors = _attempt(do)
        if not status:
            return _redirect(reverse("web:disclosure_detail", args=[created[0].pk]) + "?done=plan")
    general = errors.pop("__all__", [])
    context = list_context(request, typed=_typed(request), errors=errors, general=general, open_form=True)
    return render(request, "web/meetings/disclosures.html", context, status=status)


# --- one disclosure: result and corrections -----------------------------------------------------


def _disclosure_or_404(request: HttpRequest, pk: int) -> Disclosure:
    found = selectors.disclosure_get(user=request.user, pk=pk) if valid_id(pk) else None
    if found is None:
        raise not_found()
    return found


def detail_context(request: HttpRequest, disclosure: Disclosure, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "d": disclosure,
        "events": list(selectors.disclosure_events(disclosure)),
        "labels": EVENT_LABELS,
        "can_publish": access.can(request.user, access.CONVENE, disclosure.node),
        "done": request.GET.get("done", ""),
        "typed": {},
        "errors": {},
        "general": [],
        "failed": "",
    }
    context.update(extra)
    return context


@page
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    disclosure = _disclosure_or_404(request, pk)
    return render(request, "web/meetings/disclosure.html", detail_context(request, disclosure))


@require_POST
@page
def disclosure_act(request: HttpRequest, pk: int) -> HttpResponse:
    require_power(request, access.VIEW_MEETINGS)
    disclosure = _disclosure_or_404(request, pk)
    post = request.POST
    action = post.get("action", "")

    def do() -> None:
        if action == "complete":
            services.disclosure_complete(
                actor=request.user,
                disclosure=disclosure,
                amount=post.get("result_amount", "")[:40],
                text=post.get("result_text", "")[:5000],
            )
        elif action == "amend":
            services.disclosure_amend(
                actor=request.user,
                disclosure=disclosure,
                stage=post.get("stage", ""),
                amount=post.get("amount", "")[:40],
                text=post.get("text", "")[:5000],
                reason=post.get("reason", "")[:1000],
            )
        else:
            raise ValidationError(_("未知的操作"))

    status, errors = _attempt(do)
    if not status:
        return _redirect(reverse("web:disclosure_detail", args=[disclosure.pk]) + f"?done={action}")
    general = errors.pop("__all__", [])
    disclosure.refresh_from_db()
    context = detail_context(
        request, disclosure, typed=_typed(request), errors=errors, general=general, failed=action
    )
    return render(request, "web/meetings/disclosure.html", context, status=status)
