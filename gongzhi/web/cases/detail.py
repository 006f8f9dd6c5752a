"""A case's page (facts, deadlines, timeline, photos); the one view that acts on it is web.cases.act.

The page offers exactly the actions `services.allowed_for` returns, plus the note-only actions
(备注, 记录本级处置, 延期) `services.notes_for` returns, and the posts `choices.dispatch_candidates`
lists: the service refuses anything else, so the page holds no rule of its own. Each form carries
the version the user saw, so a case changed meanwhile answers 409 with the typed note kept.
"""

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from gongzhi.care import chain
from gongzhi.care import selectors as care_selectors
from gongzhi.cases import callback, choices, contact, sla, suggestions, workflow
from gongzhi.cases import selectors as case_selectors
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case
from gongzhi.cases.states import Source, State
from gongzhi.cases.timers import PHASES
from gongzhi.core import clock, workcal
from gongzhi.core.actors import Actor
from gongzhi.orgs.models import Post
from gongzhi.web.cases.report import MAX_PHOTOS, category_groups
from gongzhi.web.common.reveal import PURPOSES
from gongzhi.web.http import not_found, page, valid_id

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
    "list_need": gettext_lazy("列入需求清单"),
}
ASSISTED = ("dispatch", "reassign")  # the actions that name 协办 posts
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


def post_options(user: Actor, case: Case) -> list[tuple[Post, bool]]:
    """Posts a dispatcher may pick (the service's own list: routing candidates first)."""
    return choices.dispatch_candidates(user, case, limit=MAX_POSTS)


def _post_choices(user: Actor, case: Case, needed: bool) -> dict[str, Any]:
    """The picker's two groups: the routing rule's candidates, then the roster around."""
    posts = post_options(user, case) if needed else []
    return {
        "posts": posts,
        "recommended_posts": [p for p, rec in posts if rec],
        "other_posts": [p for p, rec in posts if not rec],
    }


def deadlines(case: Case) -> list[dict[str, Any]]:
    """Each deadline set on the case; the one whose clock runs now carries its remaining time:
    working time, or wall-clock time for a handling limit its category counts day and night
    (为老上门探视: a care alert's home visit cannot wait for Monday)."""
    now = clock.now()
    cal = sla.calendar(case.node_path)
    out = []
    for phase in PHASES:
        due = getattr(case, phase.due_field)
        if due is None:
            continue
        running = case.state in phase.states
        wall = phase.name == "handle" and sla.wall_clock(case.category)
        left = None
        if running:
            left = due - now if wall else workcal.remaining(now, due, cal)
        out.append(
            {
                "label": PHASE_LABELS[phase.name],
                "due": due,
                "running": running,
                "left": left,
                "late": now >= due,
                "wall_clock": wall,
            }
        )
    return out


def care_alert(user: Actor, case: Case) -> dict[str, Any] | None:
    """The care alert a 上门探访 case was opened for, when the user sees its subject: the page
    links to it and, for who may act, to the outcome form (care.chain closes both)."""
    if case.source not in (Source.SENSOR, Source.PATROL):  # how the chain opens them
        return None
    alert = care_selectors.alerts(user=user, open_only=False).filter(visit_case=case).first()
    if alert is None:
        return None
    return {"alert": alert, "can_act": chain.may_act(user, alert.subject)}


def forms_for(user: Actor, case: Case) -> list[dict[str, Any]]:
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
    # the 协办 posts, read once: the actions ask whether the user holds one, the page lists them
    prefetch_related_objects(
        [case], Prefetch("assisting_posts", Post.objects.select_related("unit", "node", "person"))
    )
    forms = forms_for(user, case)
    needs = set().union(*(f["needs"] for f in forms)) if forms else set()
    kinds = case_services.actor_kinds(user, case)
    dispatcher = workflow.DISPATCHER in kinds
    callback_url = ""
    rateable = not case.satisfaction and case.state in {State.CLOSED, State.MERGED}
    if dispatcher and rateable and case_services.outcome_of(case).state == State.CLOSED:
        callback_url = _callback_url(request, case)
    actions = {f["action"] for f in forms}
    limits = deadlines(case)
    return {
        "case": case,
        "suggested": suggestions.for_case(case) if case.category_id is None else None,
        "duplicates": suggestions.duplicates_for(user=user, case=case) if "merge" in actions else [],
        "merged": merged_cases(request, case, callbacks=dispatcher and case.state == State.CLOSED),
        "events": list(case_selectors.case_events(case)),
        "assisting": list(case.assisting_posts.all()),
        "deadlines": limits,
        "wall_clock": any(d["wall_clock"] for d in limits),
        "care_alert": care_alert(user, case),
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


def case_or_404(request: HttpRequest, pk: int) -> Case:
    case = case_selectors.case_get(user=request.user, pk=pk) if valid_id(pk) else None
    if case is None:
        raise not_found()
    return case


@page
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    return render(request, "web/cases/detail.html", detail_context(request, case))
