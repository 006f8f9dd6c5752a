"""直报 pages for the phone: the list (open ones first, ?all=1 with the closed), one report with
its timeline and what the user may do now (the duty roster's 确认收到, 办结, 转为工单, 转为应急动员,
误用直报; the reporter's 续报), the 续报 form, and the photos. Reads through
mobilisation.direct_selectors (out of scope is a 404), writes through mobilisation.direct."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases.choices import MAX_PHOTOS
from gongzhi.cases.models import Case
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.mobilisation import direct, direct_chain, direct_hooks, direct_selectors
from gongzhi.mobilisation.direct_workflow import EVENT_LABELS
from gongzhi.mobilisation.models import DirectPhoto, DirectReport
from gongzhi.orgs import access
from gongzhi.orgs.models import Category
from gongzhi.web.cases.files import file_response
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import not_found, page, valid_id

ACTS = ("close", "convert_case", "convert_mobilisation", "mark_misuse")


def _report(request: HttpRequest, pk: int) -> DirectReport:
    found = direct_selectors.report_get(user=request.user, pk=pk) if valid_id(pk) else None
    if found is None:
        raise not_found()
    return found


@page
def direct_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    everything = request.GET.get("all") == "1"
    todo = request.GET.get("todo", "")
    if todo == direct_selectors.TODO_ACK:  # the home page's 直报待确认: the list it counts
        rows = direct_selectors.to_acknowledge(user)
    elif todo == direct_selectors.TODO_FOLLOW_UP:  # 续报待写
        rows = direct_selectors.follow_up_owed(user, clock.now())
    else:
        todo = ""
        rows = direct_selectors.reports(user=user, open_only=not everything)
    return render(
        request,
        "web/direct/home.html",
        {
            "rows": list(rows[: direct_selectors.LIST_LIMIT]),
            "todo": todo,
            "all": everything,
            "to_ack": list(direct_selectors.to_acknowledge(user)[:50]),
            "may_report": direct.may_report(user),
            "now": clock.now(),
        },
    )


def _case_visible(request: HttpRequest, report: DirectReport) -> Case | None:
    if report.case_id is None:
        return None
    return Case.objects.filter(access.cases_q(request.user), pk=report.case_id).first()


def _detail(
    request: HttpRequest,
    report: DirectReport,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    report = direct_selectors.report_get(user=request.user, pk=report.pk) or report
    actions = direct.actions_for(request.user, report)
    return render(
        request,
        "web/direct/detail.html",
        {
            "r": report,
            "post_label": direct_chain.reporter_post_label(report),
            "photos": list(report.photos.filter(follow_up__isnull=True)),
            "follow_ups": list(report.follow_ups.select_related("by").prefetch_related("photos")),
            "events": [
                (e, EVENT_LABELS.get(e.action, e.action)) for e in report.events.select_related("actor")
            ],
            "actions": actions,
            "overdue": direct.follow_up_overdue(report),
            "late": direct.followed_up_late(report),
            "case": _case_visible(request, report),
            "categories": category_groups() if "convert_case" in actions else [],
            "mobilisation": direct_hooks.available(),
            "errors": errors or {},
            "typed": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@page
def direct_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _report(request, pk))


@require_POST
@page
def direct_ack(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        direct.report_acknowledge(actor=request.user, report=report)
    except ConflictError as exc:  # someone took it meanwhile: the page shows who
        return _detail(request, report, errors={"": [str(exc)]}, status=409)
    return redirect("web:direct_detail", report.pk)


@require_POST
@page
def direct_act(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    action, user = request.POST.get("action", ""), request.user
    try:
        if action == "close":
            direct.report_close(actor=user, report=report, result=request.POST.get("result", "")[:600])
        elif action == "convert_case":
            code = request.POST.get("category", "")[:20]
            category = Category.objects.filter(pk=int(code)).first() if code.isdigit() else None
            done = direct.report_convert_case(actor=user, report=report, category=category)
            case = _case_visible(request, done)
            if case is not None:
                return redirect("web:case_detail", case.pk)
        elif action == "convert_mobilisation":
            done = direct.report_convert_mobilisation(actor=user, report=report)
            opened = done.events.filter(action="convert_mobilisation").values_list("data", flat=True).last()
            link = (opened or {}).get("link", "")
            if isinstance(link, str) and link.startswith("/") and not link.startswith("//"):  # a path here
                return redirect(link)
        elif action == "mark_misuse":
            direct.report_mark_misuse(actor=user, report=report, reason=request.POST.get("reason", "")[:300])
        else:
            raise ValidationError({"action": [_("请选择操作")]})
    except ValidationError as exc:
        return _detail(request, report, errors=exc.message_dict, status=422)
    except ConflictError as exc:
        return _detail(request, report, errors={"": [str(exc)]}, status=409)
    return redirect("web:direct_detail", report.pk)


@page
def direct_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    context: dict[str, Any] = {
        "r": report,
        "max_photos": MAX_PHOTOS,
        "errors": {},
        "typed": {},
        "overdue": direct.follow_up_overdue(report),
    }
    if request.method == "POST":
        text = request.POST.get("text", "")[:2100]
        try:
            direct.follow_up_add(
                actor=request.user, report=report, text=text, files=request.FILES.getlist("files")
            )
        except ValidationError as exc:
            context.update(errors=exc.message_dict, typed={"text": text})
            return render(request, "web/direct/follow_up.html", context, status=422)
        except ConflictError as exc:
            context.update(errors={"": [str(exc)]}, typed={"text": text})
            return render(request, "web/direct/follow_up.html", context, status=409)
        return redirect("web:direct_detail", report.pk)
    return render(request, "web/direct/follow_up.html", context)


@login_required  # a file, not a page
def direct_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A scene photo for someone who sees its report; ?thumb=1 for the small JPEG."""
    photo = DirectPhoto.objects.filter(pk=pk).first() if valid_id(pk) else None
    if photo is None or direct_selectors.report_get(user=request.user, pk=photo.report_id) is None:
        raise not_found()
    return file_response(photo, thumb=request.GET.get("thumb") == "1")
