"""The task slips (任务流转单): the follow-up list with its 待会签 / 待确认 views and a slip's page.
Reads go through gongzhi.meetings.selectors; the POSTs are in web.meetings.slip_actions."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.meetings import selectors, services, slips, workflow
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import (
    EvaluationSource,
    Meeting,
    PartyRole,
    Rating,
    Slip,
    SlipState,
)
from gongzhi.orgs import access
from gongzhi.orgs.models import Unit
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import not_found, page, require_power, valid_id
from gongzhi.web.meetings import completion
from gongzhi.web.meetings.common import EVENT_LABELS, SLIP_PAGE, filter_nodes, node_filter
from gongzhi.web.meetings.meeting import participant_units, place_options, slip_form_rows

# The slip list's to-do filters and the state each keeps to.
SLIP_TODOS = {"sign": SlipState.SIGNING, "confirm": SlipState.CONFIRMING}


@page
def slip_list(request: HttpRequest) -> HttpResponse:
    """Open slips first, overdue ones at the top, with progress from their cases."""
    require_power(request, access.VIEW_MEETINGS)
    errors: list[str] = []
    node = node_filter(request, errors)
    state = request.GET.get("state", "")
    states: list[str] = [state] if state in SlipState.values else [str(s) for s in selectors.OPEN_SLIP_STATES]
    # ?todo=sign: the slips waiting for my unit's countersignature (the home page's 待会签);
    # ?todo=confirm: those reported done that my Party organisation confirms (待确认)
    todo = request.GET.get("todo", "")
    todo = todo if todo in SLIP_TODOS else ""
    if todo:
        state = SLIP_TODOS[todo]
        states = [state]
    to_sign, to_confirm = todo == "sign", todo == "confirm"
    path = node.path if node else ""
    today = timezone.localtime(clock.now()).date()
    # Ordered by deadline, so open slips past theirs come first; 50 a page like the case lists.
    rows = Paginator(
        selectors.slip_list(
            user=request.user, node_path=path, states=states, to_sign=to_sign, to_confirm=to_confirm
        ),
        SLIP_PAGE,
    ).get_page(request.GET.get("page"))
    open_states = set(selectors.OPEN_SLIP_STATES)

    def late(slip: Slip) -> bool:
        return slip.state in open_states and slip.due < today

    items = [{"slip": s, "overdue": late(s)} for s in rows]
    return render(
        request,
        "web/meetings/slips.html",
        {
            "items": items,
            "rows": rows,
            "query": urlencode(
                {
                    k: v
                    for k, v in {
                        "node": node.code if node else "",
                        "state": state,
                        "todo": todo,
                    }.items()
                    if v
                }
            ),
            "values": {"node": node.code if node else "", "state": state, "todo": todo},
            "states": SlipState.choices,
            "nodes": filter_nodes(request.user),
            "filter_errors": errors,
            # counted over every matching slip, not only the ones shown
            "overdue_count": selectors.slip_list(
                user=request.user,
                node_path=path,
                states=states,
                overdue_on=today,
                to_sign=to_sign,
                to_confirm=to_confirm,
            ).count(),
        },
        status=400 if errors else 200,
    )


def slip_or_404(request: HttpRequest, pk: int) -> Slip:
    slip = selectors.slip_get(user=request.user, pk=pk) if valid_id(pk) else None
    if slip is None:
        raise not_found()
    return slip


def slip_units(slip: Slip, parties: list[Any]) -> list[dict[str, Any]]:
    """The units a revision may name: those at the meeting's table and those on the slip now."""
    rows = participant_units(
        list(slip.meeting.participants.select_related("unit", "post__person", "post__node", "post__unit"))
    )
    seen = {r["unit"].pk for r in rows}
    for p in parties:
        if p.unit_id not in seen:
            rows.append({"unit": p.unit, "posts": [p.post] if p.post else []})
            seen.add(p.unit_id)
    return rows


def slip_context(request: HttpRequest, slip: Slip, **extra: Any) -> dict[str, Any]:
    user = request.user
    meeting = slip.meeting
    kinds = services.actor_kinds(user, meeting.node, meeting)
    manage = bool(kinds & {workflow.CONVENER, workflow.CHAIR})
    evaluate_kinds = kinds | services.actor_kinds(user, slip.node, None)
    parties = sorted(
        slip.parties.select_related("unit", "post__person"), key=lambda p: (p.role != PartyRole.LEAD, p.pk)
    )  # 主办 first
    topic_cases = selectors.visible_linked(user=user, owner=slip.topic)
    signed = {s.unit_id for s in slips.valid_signatures(slip)}
    sign_units: list[Unit] = []
    if slip.state == SlipState.SIGNING:
        for post in slips.signable_posts(user, slip):
            if post.unit_id not in signed and post.unit not in sign_units:
                sign_units.append(post.unit)
    state = slip.state
    editable = manage and state in {SlipState.DRAFT, SlipState.SIGNING, SlipState.RETURNED, SlipState.BINDING}
    can_void = (manage and state in {SlipState.DRAFT, SlipState.SIGNING, SlipState.RETURNED}) or (
        workflow.CHAIR in kinds and state == SlipState.BINDING
    )
    done = state == SlipState.DONE
    visible = selectors.visible_linked(user=user, owner=slip)
    linked = {c.pk for c in visible}
    eval_meetings: list[Meeting] = []
    if done and workflow.CONVENER in evaluate_kinds:
        found = selectors.meeting_list(user=user, kind=MeetingKind.EVALUATION)[:50]
        eval_meetings = [m for m in found if slip.node_path.startswith(m.node_path)]
    units = slip_units(slip, parties) if editable else []
    new_cases = slips.slip_new_cases(slip)
    typed = extra.get("typed") if extra.get("failed") == "edit" else None
    party_rows, new_rows = slip_form_rows(units, typed, parties, new_cases)
    return {
        "slip": slip,
        "meeting": meeting,
        "meeting_visible": selectors.meeting_get(user=user, pk=meeting.pk) is not None,
        "meeting_minutes": selectors.minutes_current(meeting),
        "parties": parties,
        "cases": visible,
        "progress": selectors.slip_progress(slip),
        "signatures": selectors.signature_table(slip),
        "unsigned": slips.unsigned_units(slip) if state == SlipState.SIGNING else [],
        "sign_units": sign_units,
        "new_cases": new_cases,
        "party_rows": party_rows,
        "new_rows": new_rows,
        "slip_case_ids": linked,
        "manage": manage,
        "slip_has_study": hasattr(slip, "case_study"),
        "can_issue": manage and state == SlipState.DRAFT,
        "can_edit": editable,
        "can_void": can_void,
        "can_link": manage and state == SlipState.BINDING,
        "topic_cases": topic_cases,
        "unlinked_cases": [c for c in topic_cases if c.pk not in linked] if manage else [],
        # one Party evaluation per slip: the form goes once it is given
        "can_rate": done
        and workflow.PARTY in evaluate_kinds
        and not slip.evaluations.filter(source=EvaluationSource.PARTY).exists(),
        "can_votes": done and workflow.CONVENER in evaluate_kinds,
        "eval_meetings": eval_meetings,
        "ratings": Rating.choices,
        "evaluations": list(selectors.evaluations(slip)),
        "roles": PartyRole.choices,
        "categories": category_groups() if editable else [],
        "places": place_options(meeting) if editable else [],
        "overdue": state in set(selectors.OPEN_SLIP_STATES)
        and slip.due < timezone.localtime(clock.now()).date(),
        "events": list(selectors.events(slip=slip)),
        "labels": EVENT_LABELS,
        **completion.completion_context(user, slip),
        "sources": EvaluationSource,
        "done": EVENT_LABELS.get(request.GET.get("done", ""), ""),
        "typed": {},
        "errors": {},
        "general": [],
        "failed": "",
        **extra,
    }


@page
def slip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    slip = slip_or_404(request, pk)
    return render(request, "web/meetings/slip.html", slip_context(request, slip))
