"""What a reporter sees of their case without an account: the tracking page and the rating page.

Only what the public may read (docs/tracking.md): the state in residents' words, the deadline of
the step that runs now, the steps a resident cares about (received, accepted, sent to which
unit, handled and how, verified, reopened…), never who in person, never internal notes
(comments, reminders, attempts, return reasons). The handler's report of what was done is shown
through `core.scrub.public_text`, the one public scrubber. Photos: only those taken after
handling (the handler's submission and the verification); the reporter's own photos are not
shown, because whoever holds the code need not be the reporter and a photo of a doorway shows
who lives there.

A merged report follows the case it was merged into: its own steps up to the merge, then the
master's from its dispatch on.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import services
from gongzhi.cases.models import Attachment, Case, CaseEvent
from gongzhi.cases.states import TEXT_WITHHELD_STATES, Satisfaction, State
from gongzhi.cases.timers import PHASES
from gongzhi.core.scrub import public_text
from gongzhi.orgs.models import Post

RESULT_CHARS = 300
AFTER_ACTIONS = ("submit", "verify")  # events whose photos show the place after handling
MAX_PHOTOS = 6

STATE_WORDS = {
    State.RECEIVED: gettext_lazy("已收到，待受理"),
    State.REGISTERED: gettext_lazy("已受理"),
    State.DISPATCHED: gettext_lazy("已派给责任单位"),
    State.IN_PROGRESS: gettext_lazy("处理中"),
    State.AWAITING_VERIFICATION: gettext_lazy("已处理，待核查"),
    State.CLOSED: gettext_lazy("已办结"),
    State.RETURNED: gettext_lazy("重新安排责任单位"),
    State.PARKED: gettext_lazy("列入长期跟踪"),
    State.MERGED: gettext_lazy("已与相同问题合并办理"),
    State.VOID: gettext_lazy("未予受理"),
    State.ESCALATED: gettext_lazy("已提交上级协调"),
}
DEADLINE_WORDS = {
    "dispatch": gettext_lazy("受理派遣时限"),
    "handle": gettext_lazy("处理时限"),
    "verify": gettext_lazy("核查时限"),
}
STEP_WORDS = {
    "create": gettext_lazy("收到您的反映"),
    "register": gettext_lazy("受理立案"),
    "dispatch": gettext_lazy("派给责任单位处理"),
    "reassign": gettext_lazy("改派责任单位"),
    "accept": gettext_lazy("责任单位开始处理"),
    "submit": gettext_lazy("处理完毕，提交核查"),
    "verify": gettext_lazy("核查通过，办结"),
    "reject": gettext_lazy("核查未通过，继续处理"),
    "reopen": gettext_lazy("重新办理"),
    "escalate": gettext_lazy("提交上级协调"),
    "pull": gettext_lazy("街道直接督办"),
    "park": gettext_lazy("列入长期跟踪"),
    "unpark": gettext_lazy("恢复处理"),
    "merge": gettext_lazy("与相同问题合并办理"),
    "unmerge": gettext_lazy("撤销合并，单独办理"),
    "void": gettext_lazy("未予受理"),
    "rate": gettext_lazy("您已评价"),
    "decide_extension": gettext_lazy("处理时限延长"),
}


@dataclass
class Step:
    at: datetime
    label: str
    detail: str = ""  # a unit's name, the scrubbed result, the new deadline, the grade


@dataclass
class Progress:
    case: Case
    outcome: Case  # the case whose handling answers this report (itself, or its master)
    state: str
    state_key: str
    category: str
    text: str  # scrubbed; empty while the report is withheld from the public
    created: datetime
    closed: datetime | None
    deadline_label: str = ""
    deadline: datetime | None = None
    steps: list[Step] = field(default_factory=list)
    result: str = ""  # what was done, scrubbed (the latest submission)
    photos: list[Attachment] = field(default_factory=list)  # after handling only
    rateable: bool = False


def progress_of(case: Case) -> Progress:
    outcome = services.outcome_of(case)
    category = outcome.category or case.category
    events = _events(case, outcome)
    units = _unit_names(events)
    result_event = next((e for e in reversed(events) if e.action == "submit" and e.note.strip()), None)
    running = next((p for p in PHASES if outcome.state in p.states), None)
    state = State(outcome.state if case.state == State.MERGED else case.state)
    return Progress(
        case=case,
        outcome=outcome,
        state=str(STATE_WORDS[state]),
        state_key=str(state),
        category=category.name if category else _("待分类"),
        text="" if case.state in TEXT_WITHHELD_STATES else public_text(case.text, limit=200),
        created=case.created_at,
        closed=outcome.closed_at if outcome.state == State.CLOSED else None,
        deadline_label=str(DEADLINE_WORDS[running.name]) if running else "",
        deadline=getattr(outcome, running.due_field) if running else None,
        steps=[s for s in (_step(e, units) for e in events) if s is not None],
        result=public_text(result_event.note, limit=RESULT_CHARS) if result_event else "",
        photos=after_photos(events),
        rateable=outcome.state == State.CLOSED and not case.satisfaction,
    )


def _events(case: Case, outcome: Case) -> list[CaseEvent]:
    own = list(case.events.order_by("seq").prefetch_related("attachments"))
    if outcome.pk == case.pk:
        return own
    handled = outcome.events.exclude(action__in=["create", "register"]).order_by("seq")
    return own + list(handled.prefetch_related("attachments"))


def _unit_names(events: list[CaseEvent]) -> dict[str, str]:
    codes = {
        str(e.data.get("post"))
        for e in events
        if e.action in {"dispatch", "reassign"} and (e.data or {}).get("post")
    }
    posts = Post.objects.filter(code__in=codes).select_related("unit") if codes else []
    return {p.code: p.unit.name for p in posts}


def _step(event: CaseEvent, units: dict[str, str]) -> Step | None:
    """The event as a resident reads it; None for what stays inside (notes, reminders, returns)."""
    action, data = event.action, event.data or {}
    if action not in STEP_WORDS:
        return None
    detail = ""
    if action in {"dispatch", "reassign"}:
        detail = units.get(str(data.get("post")), "")
    elif action == "submit":
        detail = public_text(event.note, limit=RESULT_CHARS)
    elif action == "decide_extension":
        if not data.get("approved"):
            return None
        return Step(event.at, str(STEP_WORDS[action]))
    elif action == "rate":
        grade = data.get("satisfaction", "")
        detail = str(Satisfaction(grade).label) if grade in Satisfaction.values else ""
    elif action == "park" and data.get("review_date"):
        detail = _("复查日期 %(d)s") % {"d": data["review_date"]}
    return Step(event.at, str(STEP_WORDS[action]), detail)


def after_photos(events: list[CaseEvent]) -> list[Attachment]:
    """The photos of the handler's submissions and the verifications, latest handling last."""
    photos = [a for e in events if e.action in AFTER_ACTIONS for a in e.attachments.all()]
    return photos[-MAX_PHOTOS:]
