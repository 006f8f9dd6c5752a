"""Who is told what when a case changes (docs/design.md §4: side effects through the outbox).

`messages_for_event` turns one case event into outbox specs; `services.case_act` enqueues them
in its own transaction, so a message exists exactly when the event committed. Reminders and
supervision appended by the SLA sweep (actor None) are worded by the sweep itself
(`reminder_messages`), which knows which deadline ran out.

Texts carry the case number, category, place, post and deadlines, never the reporter or the
problem text (residents write names and phone numbers there, and robots post to group chats);
staff notes are masked and shortened.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.states import Source
from gongzhi.core import pii
from gongzhi.core.outbox import OutboxSpec
from gongzhi.geo.models import Node
from gongzhi.orgs import access, reference
from gongzhi.orgs.models import Post

NOTE_CHARS = 60
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


# --- recipients -------------------------------------------------------------------------------


def users_of(posts: Iterable[Post]) -> list[User]:
    """The accounts of the holders and deputies of `posts`, each once, active ones only."""
    seen: dict[int, User] = {}
    for post in posts:
        for person in (post.person, post.deputy):
            user = getattr(person, "user", None) if person is not None else None
            if user is not None and user.is_active:
                seen.setdefault(user.pk, user)
    return list(seen.values())


def holders(case: Case) -> list[User]:
    """The holder and deputy (AB岗) of the case's lead post."""
    if case.post_id is None:
        return []
    return users_of(Post.objects.filter(pk=case.post_id).select_related("person__user", "deputy__user"))


_memo: ContextVar[dict[tuple[str, str, int | None], list[User]] | None] = ContextVar(
    "recipients", default=None
)


@contextmanager
def recipients_memo(cases: Iterable[Case] = ()) -> Iterator[None]:
    """Within the block, look up the recipients for a place once (a batch of intakes in one
    transaction: the roster cannot change under it); the dispatchers of `cases` are read
    up front in one query."""
    memo: dict[tuple[str, str, int | None], list[User]] = {}
    cases = list(cases)
    if cases:
        codes = {code for case in cases for code in case.node.ancestor_codes()}
        posts = _posts_with(access.DISPATCH, codes)
        for case in cases:
            memo[(case.node.path, access.DISPATCH, case.rung)] = _deepest(posts, case.node, case.rung)
    token = _memo.set(memo)
    try:
        yield
    finally:
        _memo.reset(token)


def _posts_with(power: str, codes: Iterable[str]) -> list[Post]:
    """The active posts granting `power` on the nodes with these codes (reference snapshot)."""
    roles = {role for role, powers in access.ROLE_POWERS.items() if power in powers}
    return [p for p in reference.posts_on(codes) if p.role in roles]


def _deepest(posts: list[Post], node: Node, max_level: int | None) -> list[User]:
    """Users of those `posts` on `node`'s ancestry (at most `max_level`) at the deepest node."""
    ancestry = set(node.ancestor_codes())
    found = [p for p in posts if p.node.code in ancestry and (max_level is None or p.node.level <= max_level)]
    if not found:
        return []
    deepest = max(p.node.level for p in found)
    return users_of(p for p in found if p.node.level == deepest)


def _nearest_with(node: Node, power: str, max_level: int | None = None) -> list[User]:
    """Users of the posts with `power` at the deepest node on `node`'s ancestry that has any."""
    memo = _memo.get()
    key = (node.path, power, max_level)
    if memo is not None and key in memo:
        return memo[key]
    found = _deepest(_posts_with(power, node.ancestor_codes()), node, max_level)
    if memo is not None:
        memo[key] = found
    return found


def dispatchers(case: Case) -> list[User]:
    """The dispatchers of the case's current rung (or the nearest rung above that has some)."""
    return _nearest_with(case.node, access.DISPATCH, max_level=case.rung)


def street(case: Case) -> list[User]:
    """The street posts that supervise (督办), at the top of the case's tree."""
    return _nearest_with(case.node, access.SUPERVISE, max_level=1)


# --- wording --------------------------------------------------------------------------------------


def case_link(case: Case) -> str:
    try:
        return reverse("web:case_detail", args=[case.pk])
    except NoReverseMatch:  # the case pages are not mounted (yet); the path they will have
        return f"/cases/{case.pk}/"


def callback_link(case: Case) -> str:
    """The reporter's rating link (回访) for a case: no login, signed, expiring."""
    from gongzhi.cases.callback import callback_token  # callback imports services, which imports us

    token = callback_token(case)
    try:
        return reverse("web:callback", args=[token])
    except NoReverseMatch:
        return f"/callback/{token}/"


def when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}" if moment else "—"


def scrub(note: str) -> str:
    """A staff note fit for a notification: phone and ID numbers masked, shortened."""
    text = _PHONE.sub(lambda m: pii.mask_phone(m.group()), " ".join(note.split()))
    text = _ID.sub(lambda m: pii.mask_id(m.group()), text)
    return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…"


def about(case: Case) -> str:
    category = case.category.name if case.category else "未分类"
    return f"工单 {case.number}（{category}，{case.node.name}）"


def _specs(
    kind: str, users: Iterable[User | None], subject: str, body: str, case: Case, event: CaseEvent | None
) -> list[OutboxSpec]:
    payload: dict[str, Any] = {"case_id": case.pk, "case_number": case.number, "link": case_link(case)}
    if event is not None:
        payload["event_seq"] = event.seq
    return [
        OutboxSpec(
            kind=kind, subject=subject, body=body, recipient=u, node_path=case.node_path, payload=payload
        )
        for u in users
    ]


def broadcast(kind: str, subject: str, body: str, case: Case, event: CaseEvent | None) -> OutboxSpec:
    """A message for the group robots whose scope covers the case's place (no recipient)."""
    return _specs(kind, [None], subject, body, case, event)[0]


# --- per action ---------------------------------------------------------------------------------


def messages_for_event(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    """The notifications one event causes; empty for events nobody needs to hear about."""
    builder = _BUILDERS.get(event.action)
    if builder is None or (event.action in {"remind", "supervise"} and event.actor_id is None):
        return []  # the sweep words its own reminders
    return builder(case, event) + reporter_sms(case, event)


def _dispatched(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    post = case.post
    title = post.title if post else "处置岗位"
    body = f"{about(case)}已派给您（{title}），请于 {when(case.handle_due)} 前处置完毕。"
    if event.action == "reassign" and event.note:
        body += f"改派说明：{scrub(event.note)}"
    specs = _specs("case.dispatched", holders(case), f"新派工单：{about(case)}", body, case, event)
    unit = post.unit.name if post else ""
    specs.append(
        broadcast(
            "case.dispatched",
            f"【派单】{about(case)}",
            f"已派给 {unit} {title}，时限 {when(case.handle_due)}。",
            case,
            event,
        )
    )
    if event.action == "reassign":
        specs += _specs(
            "case.reassigned",
            [u for u in _previous_holders(case, event) if u.pk not in {h.pk for h in holders(case)}],
            f"工单已改派：{about(case)}",
            f"{about(case)}已改派给其他岗位，您无需再处置。",
            case,
            event,
        )
    return specs


def _previous_holders(case: Case, event: CaseEvent) -> list[User]:
    before = (
        case.events.filter(action__in=["dispatch", "reassign"], seq__lt=event.seq).order_by("-seq").first()
    )
    code = (before.data or {}).get("post") if before else None
    if not code:
        return []
    return users_of(Post.objects.filter(code=code).select_related("person__user", "deputy__user"))


def _received(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    """A new case waits for the dispatchers of its area (受理); in-app only, robots stay quiet."""
    body = f"{about(case)}已登记，请于 {when(case.dispatch_due)} 前受理派遣。"
    return _specs("case.received", dispatchers(case), f"新工单待受理：{about(case)}", body, case, event)


def _returned(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    body = f"{about(case)}被处置岗位退回，请重新派遣。理由：{scrub(event.note)}"
    return _specs("case.returned", dispatchers(case), f"工单退回：{about(case)}", body, case, event)


def _submitted(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    body = f"{about(case)}已处置完毕，请于 {when(case.verify_due)} 前核查结案。"
    return _specs("case.submitted", dispatchers(case), f"待核查：{about(case)}", body, case, event)


def _reporter_specs(case: Case, event: CaseEvent, body: str, **extra: Any) -> list[OutboxSpec]:
    """The result for the account that reported the case, linking to the rating page."""
    reporter = case.reporter_user
    if reporter is None or not reporter.is_active:
        return []
    specs = _specs("case.closed", [reporter], f"您反映的问题已办结：工单 {case.number}", body, case, event)
    for spec in specs:
        spec.payload.update({"link": callback_link(case), "case_link": case_link(case), **extra})
    return specs


def _closed(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    specs = _specs(
        "case.closed", holders(case), f"已结案：{about(case)}", f"{about(case)}已核查结案。", case, event
    )
    specs += _reporter_specs(case, event, "您反映的问题已处理完毕，欢迎对处理结果进行评价。")
    return specs


def _master_closed(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    """A merged case's reporter gets the master's result and a rating link for their own case."""
    data = event.data or {}
    number = data.get("master_number", "")
    body = f"您反映的问题已与工单 {number} 合并办理，现已处理完毕，欢迎对处理结果进行评价。"
    return _reporter_specs(case, event, body, master_id=data.get("master"), master_number=number)


def _back_to_work(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    why = "核查未通过" if event.action == "reject" else "工单重新打开（返工）"
    body = f"{about(case)}{why}，请继续处置。说明：{scrub(event.note)}"
    return _specs("case.reopened", holders(case), f"{why}：{about(case)}", body, case, event)


def _escalated(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    body = f"{about(case)}已上报至{case.get_rung_display()}层面，请受理派遣。说明：{scrub(event.note)}"
    return _specs("case.escalated", dispatchers(case), f"上报工单：{about(case)}", body, case, event)


def _reminded(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    """A person's 催办 / 督办 (the sweep's own are worded in reminder_messages)."""
    users = holders(case) or dispatchers(case)
    word = "督办" if event.action == "supervise" else "催办"
    note = f"说明：{scrub(event.note)}" if event.note else ""
    body = f"{about(case)}被{word}，处置时限 {when(case.handle_due)}。{note}"
    kind = "case.supervised" if event.action == "supervise" else "case.reminder"
    return _specs(kind, users, f"{word}：{about(case)}", body, case, event)


def _extension_requested(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    until = (event.data or {}).get("until")
    until_text = when(datetime.fromisoformat(until)) if until else "—"
    body = f"{about(case)}申请延期至 {until_text}，请审批。理由：{scrub(event.note)}"
    return _specs("case.extension", dispatchers(case), f"延期申请：{about(case)}", body, case, event)


def _extension_decided(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    approved = (event.data or {}).get("approved")
    verdict = f"已同意，新的处置时限 {when(case.handle_due)}" if approved else "未获同意，请按原时限处置"
    return _specs(
        "case.extension",
        holders(case),
        f"延期审批：{about(case)}",
        f"{about(case)}延期申请{verdict}。",
        case,
        event,
    )


_BUILDERS = {
    "create": _received,
    "dispatch": _dispatched,
    "reassign": _dispatched,
    "return": _returned,
    "submit": _submitted,
    "verify": _closed,
    "conclude": _closed,
    "master_closed": _master_closed,
    "reject": _back_to_work,
    "reopen": _back_to_work,
    "escalate": _escalated,
    "pull": _escalated,
    "remind": _reminded,
    "supervise": _reminded,
    "request_extension": _extension_requested,
    "decide_extension": _extension_decided,
}


# --- text messages to the reporter's phone -------------------------------------------------------

# Channels whose reporters hear from us by SMS (a 12345 transfer's caller hears from 12345).
SMS_SOURCES = frozenset({Source.RESIDENT, Source.OPEN311, Source.API})
# event → (message kind, the link the channel appends, the wording)
SMS_TEXTS = {
    "create": ("sms.accepted", "track", "您反映的问题已收到，工单号 {number}，我们将尽快受理。查看进度："),
    "submit": ("sms.handled", "track", "您反映的问题（工单 {number}）已处理完毕，正在核查。处理结果："),
    "verify": ("sms.callback", "callback", "您反映的问题（工单 {number}）已办结，请评价处理结果："),
    "master_closed": (
        "sms.callback",
        "callback",
        "您反映的问题（工单 {number}）已与工单 {master} 合并办理，现已办结，请评价处理结果：",
    ),
}
SMS_SUBJECTS = {"sms.accepted": "已收到", "sms.handled": "已处理", "sms.callback": "请评价"}


def sms_enabled() -> bool:
    """The SMS gateway is configured (settings.SMS_GATEWAY_URL); no message is queued else."""
    return bool(getattr(settings, "SMS_GATEWAY_URL", ""))


def reporter_sms(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    """A text to the phone the reporter left: received (with the tracking link), handled
    (with the tracking link) and closed (with the rating link). The row holds the case id,
    never the number: the SMS channel reads and decrypts it at send time, and signs the link
    then (notify.channels.to_sms)."""
    if event.action not in SMS_TEXTS or not sms_enabled():
        return []
    if not case.contact_phone_enc or case.source not in SMS_SOURCES:
        return []
    kind, link, wording = SMS_TEXTS[event.action]
    number = case.number
    body = wording.format(number=number, master=(event.data or {}).get("master_number", ""))
    payload = {"case_id": case.pk, "case_number": number, "event_seq": event.seq, "sms_link": link}
    subject = f"短信告知反映人：工单 {number} {SMS_SUBJECTS[kind]}"
    return [OutboxSpec(kind=kind, subject=subject, body=body, node_path=case.node_path, payload=payload)]


# --- the sweep's messages -------------------------------------------------------------------------

PHASE_NAMES = {"dispatch": "派遣", "handle": "处置", "verify": "核查"}


def reminder_messages(
    case: Case, event: CaseEvent, *, phase: str, due: datetime, expired: bool
) -> list[OutboxSpec]:
    """The sweep's 催办: to the post (handling) or the dispatchers (dispatch, verification); an
    expiry also goes to the area's robots as an overdue notice."""
    name = PHASE_NAMES[phase]
    users = holders(case) if phase == "handle" else dispatchers(case)
    if expired and phase == "handle" and _wall_clock(case):
        # a welfare check past its hours: the committee hears at once, not only the post
        users = list({u.pk: u for u in [*users, *dispatchers(case)]}.values())
    if expired:
        subject, body = (
            f"已超时：{about(case)}",
            f"{about(case)}已超过{name}时限（{when(due)}），请尽快办理。",
        )
        specs = _specs("case.overdue", users, subject, body, case, event)
        specs.append(
            broadcast(
                "case.overdue", f"【超时】{about(case)}", f"已超过{name}时限（{when(due)}）。", case, event
            )
        )
        return specs
    body = f"{about(case)}的{name}时限已用去四分之三，请于 {when(due)} 前办理。"
    return _specs("case.reminder", users, f"催办：{about(case)}", body, case, event)


def supervision_messages(case: Case, event: CaseEvent, *, due: datetime) -> list[OutboxSpec]:
    """The sweep's 督办: the post, the rung's dispatchers, the street, and the robots."""
    subject = f"督办：{about(case)}"
    late = "仍未办结" if _wall_clock(case) else "一个工作日仍未办结"
    body = f"{about(case)}超过处置时限（{when(due)}）{late}，街道督办，请当日反馈。"
    users = {u.pk: u for u in [*holders(case), *dispatchers(case), *street(case)]}
    return [
        *_specs("case.supervised", users.values(), subject, body, case, event),
        broadcast(
            "case.supervised",
            f"【督办】{about(case)}",
            f"超过处置时限（{when(due)}）{late}。",
            case,
            event,
        ),
    ]


def _wall_clock(case: Case) -> bool:
    policy = getattr(case.category, "policy", None) if case.category_id else None
    return bool(policy is not None and policy.wall_clock)


def review_messages(case: Case, event: CaseEvent) -> list[OutboxSpec]:
    """A parked case's review date has come: its dispatchers decide whether to resume it."""
    review = f"{case.park_review_on:%m月%d日}" if case.park_review_on else "—"
    body = f"{about(case)}挂账复查日期（{review}）已到，请复查是否恢复处置。"
    return _specs("case.review", dispatchers(case), f"挂账复查：{about(case)}", body, case, event)
