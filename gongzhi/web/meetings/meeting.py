"""A meeting's page: participants and attendance, agenda, minutes, the slips it drafted, the
timeline. Reads go through gongzhi.meetings.selectors; the POSTs are in web.meetings.meeting_actions."""

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.geo.models import Node
from gongzhi.meetings import seating, selectors, services, slips, workflow
from gongzhi.meetings.kinds import KIND_RULES, NEXT_RUNG_KINDS, Attendance, MeetingKind
from gongzhi.meetings.models import (
    Meeting,
    MeetingState,
    Participant,
    PartyRole,
    Topic,
)
from gongzhi.orgs import selectors as org_selectors
from gongzhi.orgs.models import Post
from gongzhi.web.cases.report import category_groups
from gongzhi.web.http import not_found, page, valid_id
from gongzhi.web.meetings.common import (
    ACTIVE_TOPIC_STATES,
    EVENT_LABELS,
    MAX_NODES,
    MAX_ROSTER,
    NEW_CASE_ROWS,
)


def meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk) if valid_id(pk) else None
    if meeting is None:
        raise not_found()
    return meeting


def participant_units(participants: list[Participant]) -> list[dict[str, Any]]:
    """The units at the table, each with the posts it sent (for the slip's parties)."""
    units: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for p in participants:
        if p.unit is None:
            continue
        row = units.setdefault(p.unit.pk, {"unit": p.unit, "posts": []})
        if p.post is not None and p.post not in row["posts"]:
            row["posts"].append(p.post)
    return list(units.values())


def slip_form_rows(
    units: list[dict[str, Any]],
    typed: dict[str, Any] | None,
    parties: Sequence[Any] = (),
    new_cases: Sequence[dict[str, Any]] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The party rows (one per unit at the table) and the new-case rows of a slip form, filled
    from what the user typed (after an error) or from the slip as it stands."""
    by_unit = {p.unit_id: p for p in parties}
    party_rows = []
    for row in units:
        unit = row["unit"]
        if typed is not None:
            role = typed.get(f"role_{unit.pk}", "")
            post_id = typed.get(f"post_{unit.pk}", "")
            task = typed.get(f"task_{unit.pk}", "")
        else:
            party = by_unit.get(unit.pk)
            role = party.role if party else ""
            post_id = str(party.post_id) if party and party.post_id else ""
            task = party.task if party else ""
        party_rows.append({"unit": unit, "posts": row["posts"], "role": role, "post": post_id, "task": task})
    new_rows = []
    for i in range(max(NEW_CASE_ROWS, len(new_cases))):
        if typed is not None:
            values = {f: typed.get(f"new_{f}_{i}", "") for f in ("category", "node", "text")}
        elif i < len(new_cases):
            values = {f: new_cases[i].get(f, "") for f in ("category", "node", "text")}
        else:
            values = {"category": "", "node": "", "text": ""}
        new_rows.append({"i": i, **values})
    return party_rows, new_rows


def hosts(meeting: Meeting) -> list[Node]:
    return [meeting.node, *meeting.joint_nodes.all()]


def place_options(meeting: Meeting) -> list[Node]:
    """Where a case the slip creates may lie (the service's rule): the meeting's node(s) down
    to buildings."""
    return list(slips.new_case_places(meeting).order_by("path")[:MAX_NODES])


def roster_options(user: Actor, meeting: Meeting, participants: list[Participant]) -> list[Post]:
    """The hosts' roster, without the people already at the table (each is invited once)."""
    seated = {p.person_id for p in participants if p.person_id}
    posts: list[Post] = []
    for n in hosts(meeting):
        posts.extend(org_selectors.roster(user=user, area=n)[:MAX_ROSTER])
    return [p for p in posts if p.person_id not in seated][:MAX_ROSTER]


def pool_topics(user: Actor, meeting: Meeting) -> list[Topic]:
    """Topics of the meeting's node(s) waiting in the pool (not on any agenda yet)."""
    ids = {n.pk for n in hosts(meeting)}
    rows = selectors.topic_list(user=user, states=ACTIVE_TOPIC_STATES).filter(meeting__isnull=True)
    return [t for t in rows[:MAX_ROSTER] if t.node_id in ids]


def meeting_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    user = request.user
    kinds = services.actor_kinds(user, meeting.node, meeting)
    manage = bool(kinds & {workflow.CONVENER, workflow.CHAIR})
    participants = seating.participants(meeting)
    roll = seating.roll(participants)
    topics = list(selectors.meeting_topics(user=user, meeting=meeting))
    units = participant_units(participants) if manage else []
    typed = extra.get("typed") or {}
    party_rows, new_rows = slip_form_rows(units, None)
    typed_rows = slip_form_rows(units, typed) if extra.get("failed") == "slip" else ([], [])
    state = meeting.state
    planned, held = state == MeetingState.PLANNED, state == MeetingState.HELD
    rule = KIND_RULES.get(meeting.kind)
    refer_kinds = [(k, MeetingKind(k).label) for k in NEXT_RUNG_KINDS[rule.rung]] if rule else []
    decides = bool(rule and rule.decides) and meeting.binding
    return {
        "meeting": meeting,
        "kinds": kinds,
        "manage": manage,
        "is_chair": workflow.CHAIR in kinds,
        "can_attend": manage and state in {MeetingState.PLANNED, MeetingState.HELD},
        "can_invite": manage and planned,
        "can_hold": manage and planned,
        "can_write": manage and held,
        "can_amend": workflow.CHAIR in kinds and state == MeetingState.FINAL,
        "can_discuss": manage and held,
        "can_slip": manage and decides and state in {MeetingState.HELD, MeetingState.FINAL},
        # the Party organisation first, then the standing seats in their fixed order, then X
        # (1+8+X), each group with figures that add up to the total
        "roll": roll,
        "marks": [
            (Attendance.PRESENT, _("出席")),
            (Attendance.ABSENT, _("缺席")),
            (Attendance.DELEGATE, _("委托")),
        ],
        "topics": topics,
        "party_rows": party_rows,
        "new_rows": new_rows,
        "typed_party_rows": typed_rows[0],
        "typed_new_rows": typed_rows[1],
        "roster": roster_options(user, meeting, participants) if manage and planned else [],
        "pool": pool_topics(user, meeting) if manage and planned else [],
        "refer_kinds": refer_kinds,
        "roles": PartyRole.choices,
        "categories": category_groups() if manage else [],
        "places": place_options(meeting) if manage else [],
        "minutes": selectors.minutes_current(meeting),
        "slips": selectors.meeting_slips(user=user, meeting=meeting),
        "events": list(selectors.events(meeting=meeting)),
        "labels": EVENT_LABELS,
        "today": timezone.localtime(clock.now()).date(),
        "done": EVENT_LABELS.get(request.GET.get("done", ""), ""),
        "typed": {},
        "errors": {},
        "general": [],
        "failed": "",
        **extra,
    }


@page
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_or_404(request, pk)
    return render(request, "web/meetings/detail.html", meeting_context(request, meeting))
