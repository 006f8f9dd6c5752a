"""A case's page (facts, deadlines, timeline, photos) and the one view that acts on it.

The page offers exactly the actions `services.allowed_for` returns, plus the note-only actions
(备注, 记录本级处置, 延期) `services.notes_for` returns, and the posts `choices.dispatch_candidates`
lists: the service refuses anything else, so the page holds no rule of its own. Each form carries
the version the user saw, so a case changed meanwhile answers 409 with the typed note kept.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.cases import callback, choices, contact, suggestions, workflow
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, pk_from_number
from gongzhi.cases.states import State
from gongzhi.cases.timers import PHASES
from gongzhi.core import clock, workcal, workcal_db
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.orgs.models import Category, Post
from gongzhi.web.common.reveal import PURPOSES
from gongzhi.web.http import messages_of, not_found, page, valid_id
from gongzhi.web.report import MAX_PHOTOS, category_groups

ACTION_LABELS = {
    "create": gettext_lazy("上报"),
    "register": gettext_lazy("立案"),
    "void": gettext_lazy("作废"),
    "merge": gettext_lazy("并入主案"),
    "unmerge": gettext_lazy("撤销合并"),
    "dispatch": gettext_lazy("派遣"),
    "accept": gettext_lazy("接单处置"),
    "return": gettext_lazy("退单"),
    "reassign": gettext_lazy("改派"),
    "submit": gettext_lazy("办结，提交核查"),
    "verify": gettext_lazy("核查通过，结案"),
    "reject": gettext_lazy("核查不通过"),
    "reopen": gettext_lazy("重新办理（返工）"),
    "escalate": gettext_lazy("上报上一级"),
    "park": gettext_lazy("挂账"),
    "unpark": gettext_lazy("恢复办理"),
    "pull": gettext_lazy("街道提级"),
    "comment": gettext_lazy("备注"),
    "progress": gettext_lazy("报告办理进展"),
    "record_attempt": gettext_lazy("记录本级处置尝试"),
    "remind": gettext_lazy("催办"),
    "supervise": gettext_lazy("督办"),
    "request_extension": gettext_lazy("申请延期"),
    "decide_extension": gettext_lazy("审批延期"),
    "rate": gettext_lazy("回访评价"),
    "master_closed": gettext_lazy("主案已结案"),
}
PRIMARY = {"register", "dispatch", "accept", "submit", "verify"}
MAX_POSTS = 200
PHASE_LABELS = {
    "dispatch": gettext_lazy("派遣时限"),
    "handle": gettext_lazy("处置时限"),
    "verify": gettext_lazy("核查时限"),
}


def _needs(case: Case, action: str) -> frozenset[str]:
    if action in workflow.NOTES:
        return workflow.NOTES[action].needs
    rule = workflow.TRANSITIONS.get((State(case.state), action))
    return rule.needs if rule else frozenset()


def post_options(user: Any, case: Case) -> list[tuple[Post, bool]]:
    """Posts a dispatcher may pick (the service's own list: routing candidates first)."""
    return choices.dispatch_candidates(user, case, limit=MAX_POSTS)


def _post_choices(user: Any, case: Case, needed: bool) -> dict[str, Any]:
    """The picker's two groups: the routing rule's candidates, then the roster around."""
    posts = post_options(user, case) if needed else []
    return {
        "posts": posts,
        "recommended_posts": [p for p, rec in posts if rec],
        "other_posts": [p for p, rec in posts if not rec],
    }


def deadlines(case: Case) -> list[dict[str, Any]]:
    """Each deadline set on the case; the one whose clock runs now carries its remaining working time."""
    now = clock.now()
    cal = workcal_db.current_calendar()
    out = []
    for phase in PHASES:
        due = getattr(case, phase.due_field)
        if due is None:
            continue
        running = case.state in phase.states
        left = workcal.remaining(now, due, cal) if running else None
        out.append(
            {
                "label": PHASE_LABELS[phase.name],
                "due": due,
                "running": running,
                "left": left,
                "late": now >= due,
            }
        )
    return out


def forms_for(user: Any, case: Case) -> list[dict[str, Any]]:
    actions = case_services.allowed_for(user, case) + case_services.notes_for(user, case)
    return [
        {
            "action": a,
            "label": ACTION_LABELS.get(a, a),
            "needs": _needs(case, a),
            "photo": "photo" in _needs(case, a),
            "primary": a in PRIMARY,
            "danger": a in {"void", "return", "reject"},
        }
        for a in actions
    ]


def detail_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    user = request.user
    forms = forms_for(user, case)
    needs = set().union(*(f["needs"] for f in forms)) if forms else set()
    kinds = case_services.actor_kinds(user, case)
    dispatcher = workflow.DISPATCHER in kinds
    callback_url = ""
    rateable = not case.satisfaction and case.state in {State.CLOSED, State.MERGED}
    if dispatcher and rateable and case_services.outcome_of(case).state == State.CLOSED:
        callback_url = _callback_url(request, case)
    actions = {f["action"] for f in forms}
    return {
        "case": case,
        "suggested": suggestions.for_case(case) if case.category_id is None else None,
        "duplicates": suggestions.duplicates_for(user=user, case=case) if "merge" in actions else [],
        "merged": merged_cases(request, case, callbacks=dispatcher and case.state == State.CLOSED),
        "events": list(case_selectors.case_events(case)),
        "assisting": list(case.assisting_posts.select_related("unit", "node", "person")),
        "deadlines": deadlines(case),
        "forms": forms,
        **_post_choices(user, case, "post" in needs),
        # the 协办 picker starts from the case's assisting posts (ids as the form posts them)
        "assisting_ticked": {str(p.pk) for p in case.assisting_posts.all()}
        if actions & set(ASSISTED)
        else set(),
        "categories": category_groups() if "category" in needs else [],
        "labels": ACTION_LABELS,
        "callback_url": callback_url,
        "can_contact": bool(case.contact_phone_masked) and contact.can_reveal_contact(user, case),
        "purposes": PURPOSES,
        "max_photos": MAX_PHOTOS,
        "done": ACTION_LABELS.get(request.GET.get("done", ""), ""),
        "typed": {},
        "errors": {},
        **extra,
    }


def _callback_url(request: HttpRequest, case: Case) -> str:
    return request.build_absolute_uri(reverse("web:callback", args=[callback.callback_token(case)]))


def merged_cases(request: HttpRequest, case: Case, *, callbacks: bool) -> list[dict[str, Any]]:
    """The reports merged into this case; once it is closed, the dispatcher gets each unrated
    one's callback link to send to its reporter (the result is the master's)."""
    rows = case_services.merged_into(case) if case.state != State.MERGED else []
    if rows:  # only those the user may see (a handler sees the master through their post)
        visible = case_selectors.visible_ids(user=request.user, ids=[m.pk for m in rows])
        rows = [m for m in rows if m.pk in visible]
    return [
        {
            "case": m,
            "callback_url": _callback_url(request, m) if callbacks and not m.satisfaction else "",
        }
        for m in rows
    ]


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    case = case_selectors.case_get(user=request.user, pk=pk) if valid_id(pk) else None
    if case is None:
        raise not_found()
    return case


@page
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    return render(request, "web/cases/detail.html", detail_context(request, case))


# --- acting ---------------------------------------------------------------------------------------


ASSISTED = ("dispatch", "reassign")  # the actions that name 协办 posts
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
        act.category = Category.objects.filter(code=code, active=True, parent__isnull=False).first()
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


def _conflict_message(exc: ConflictError, action: str, user: Any, case: Case) -> str:
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
    case = _case_or_404(request, pk)
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
    fresh = _case_or_404(request, pk)  # the case as it is now, with its current version
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
