"""Acting on a case: one POST view for every action the case's page offers. The service refuses
anything the workflow does not allow; a case changed since the page was drawn answers 409 with
the typed note kept."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, pk_from_number
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.orgs import reference
from gongzhi.orgs.models import Post
from gongzhi.web.cases.detail import ACTION_LABELS, ASSISTED, case_or_404, detail_context
from gongzhi.web.http import messages_of, page, valid_id

MAX_ASSISTING = 10


def _assisting(raws: list[str], errors: dict[str, list[str]]) -> list[Post]:
    """The ticked 协办 posts by id (the service checks each is one the case may go to)."""
    raws = [r.strip() for r in raws if r.strip()]
    ids = {int(r) for r in raws if r.isdigit() and len(r) <= 18 and valid_id(int(r))}
    found = list(Post.objects.filter(pk__in=ids).select_related("unit")) if len(raws) <= MAX_ASSISTING else []
    if len(raws) > MAX_ASSISTING or len(found) != len(set(raws)):
        errors.setdefault("assisting", []).append(_("请从列表中选择协办岗位"))
    return found


def _parse(request: HttpRequest, case: Case, errors: dict[str, list[str]]) -> case_services.Act | None:
    """The form as an Act; field errors collected in `errors` (None when the form is unusable)."""
    post = request.POST
    action = post.get("action", "")
    try:
        version = int(post.get("version", ""))
    except ValueError:
        errors.setdefault("__all__", []).append(_("页面已过期，请刷新后重试"))
        return None
    act = case_services.Act(action=action, version=version, note=post.get("note", "")[:4000])
    # A tapped suggestion (分类建议) wins over the select in the same form.
    code = post.get("suggested") or post.get("category")
    if code:
        act.category = reference.categories_by_code([code]).get(code)
        if act.category is None:
            errors.setdefault("category", []).append(_("请选择一个启用的小类"))
    if post.get("post"):  # the service checks it is one of the case's candidates
        raw = post["post"].strip()
        known = raw.isdigit() and len(raw) <= 18 and valid_id(int(raw))
        act.post = Post.objects.filter(pk=int(raw)).first() if known else None
        if act.post is None:
            errors.setdefault("post", []).append(_("请从列表中选择处置岗位"))
    if action in ASSISTED and "assisting_shown" in post:  # the form had the 协办 picker
        act.assisting = _assisting(post.getlist("assisting"), errors)
    if post.get("master"):
        raw = post["master"].strip()
        pk = pk_from_number(raw) or (int(raw) if raw.isdigit() and len(raw) <= 8 else None)
        act.master = (
            case_selectors.case_get(user=request.user, pk=pk) if pk is not None and valid_id(pk) else None
        )
        if act.master is None:
            errors.setdefault("master", []).append(_("没有找到该主案（请填写工单编号）"))
    if post.get("review_date"):
        try:
            act.review_date = date.fromisoformat(post["review_date"])
        except ValueError:
            errors.setdefault("review_date", []).append(_("日期格式应为 年-月-日"))
    if post.get("until"):
        try:
            act.until = timezone.make_aware(datetime.fromisoformat(post["until"]))
        except ValueError:
            errors.setdefault("until", []).append(_("时间格式有误"))
    if post.get("approved") in {"1", "0"}:
        act.approved = post["approved"] == "1"
    act.files = request.FILES.getlist("files")  # the service caps their number
    return act


def _conflict_message(exc: ConflictError, action: str, user: Actor, case: Case) -> str:
    """The service names every action of the state by code; the page names, as people say
    them, the ones this user may take now."""
    if not exc.allowed:
        return str(exc)
    case = case_selectors.case_get(user=user, pk=case.pk) or case
    allowed = "、".join(str(ACTION_LABELS.get(a, a)) for a in case_services.allowed_for(user, case)) or _(
        "无"
    )
    return _("工单状态已变化，不能再“%(action)s”。现在可以：%(allowed)s") % {
        "action": ACTION_LABELS.get(action, action),
        "allowed": allowed,
    }


@require_POST
@page
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    errors: dict[str, list[str]] = {}
    act = _parse(request, case, errors)
    status = 400
    if act is not None and not errors:
        try:
            case_services.case_act(actor=request.user, case=case, act=act)
        except ConflictError as exc:
            status, errors = 409, {"__all__": [_conflict_message(exc, act.action, request.user, case)]}
        except PermissionDeniedError as exc:
            status, errors = 403, {"__all__": [str(exc) or _("您无权对该工单执行此操作")]}
        except ValidationError as exc:
            errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": messages_of(exc)}
        else:
            done = HttpResponseRedirect(reverse("web:case_detail", args=[case.pk]) + f"?done={act.action}")
            done.status_code = 303  # after a POST with files: GET the page, never re-POST
            return done
    fresh = case_or_404(request, pk)  # the case as it is now, with its current version
    typed = {k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken", "version"}}
    action = request.POST.get("action", "")
    general = errors.pop("__all__", [])
    context = detail_context(request, fresh, typed=typed, errors=errors, general=general, failed=action)
    if action in ASSISTED:  # the 协办 ticked, kept for the second try
        context["assisting_ticked"] = set(request.POST.getlist("assisting"))
    context["lost_note"] = (
        typed.get("note", "") if action not in {f["action"] for f in context["forms"]} else ""
    )
    return render(request, "web/cases/detail.html", context, status=status)
