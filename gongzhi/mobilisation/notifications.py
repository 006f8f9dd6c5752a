"""What mobilisation writes to the outbox (core.outbox, delivered by notify): the rota to each
person on it, a gap to the lead (a no-show, or shifts released by days away), shifts given
back when days away are given up, a swap to the lead and back. Subjects and bodies name the
incident, the post and the time, never a person's contact."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.core.outbox import OutboxSpec
from gongzhi.mobilisation.models import Assignment, Incident, SwapRequest


def _url(incident: Incident) -> str:
    return f"/mobilisation/{incident.pk}/"


def _users(person_ids: Iterable[int]) -> dict[int, Any]:
    users = (
        get_user_model().objects.filter(person__in=set(person_ids), is_active=True).select_related("person")
    )
    return {u.person.pk: u for u in users}


def _when(a: Assignment) -> str:
    s, e = timezone.localtime(a.shift.starts_at), timezone.localtime(a.shift.ends_at)
    return f"{a.shift.post.name} {s:%m-%d %H:%M}–{e:%H:%M}"


def published(
    incident: Incident, rows: Sequence[Assignment], replaced: Sequence[Assignment]
) -> list[OutboxSpec]:
    by_person: dict[int, list[Assignment]] = {}
    for a in rows:
        by_person.setdefault(a.person_id, []).append(a)
    dropped = {a.person_id for a in replaced} - set(by_person)
    users = _users(set(by_person) | dropped)
    payload = {"incident": incident.pk, "url": "/mobilisation/mine/"}
    specs = []
    for person_id, mine in by_person.items():
        user = users.get(person_id)
        if user is None:
            continue
        mine.sort(key=lambda a: a.shift.starts_at)
        body = f"您在“{incident.title}”中有{len(mine)}个值守班次，第一班：{_when(mine[0])}。请按时到岗签到。"
        specs.append(
            OutboxSpec(
                kind="mobilisation.rota",
                subject=f"值守排班：{incident.title}",
                body=body,
                recipient=user,
                payload=payload,
            )
        )
    for person_id in dropped:
        user = users.get(person_id)
        if user is not None:
            specs.append(
                OutboxSpec(
                    kind="mobilisation.rota",
                    subject=f"排班已调整：{incident.title}",
                    body="重新排班后，您此前的值守班次已取消。",
                    recipient=user,
                    payload=payload,
                )
            )
    return specs


def gap(
    incident: Incident, absent: Assignment, filled: Sequence[Assignment], unmet: Sequence[str], label: str
) -> list[OutboxSpec]:
    payload = {"incident": incident.pk, "url": _url(incident)}
    why = "请假" if absent.state == "released" else "缺岗"
    if filled:
        body = f"{label} {why}，已重新排班补位{len(filled)}人。"
    else:
        body = f"{label} {why}，无法自动补位：{'；'.join(unmet)[:300]}。请另行安排。"
    specs = [
        OutboxSpec(
            kind="mobilisation.gap",
            subject=f"值守缺岗：{incident.title}",
            body=body,
            recipient=incident.lead,
            payload=payload,
        )
    ]
    users = _users(a.person_id for a in filled)
    for a in filled:
        user = users.get(a.person_id)
        if user is not None:
            specs.append(
                OutboxSpec(
                    kind="mobilisation.rota",
                    subject=f"补位值守：{incident.title}",
                    body=f"请尽快到岗：{_when(a)}。",
                    recipient=user,
                    payload={"incident": incident.pk, "url": "/mobilisation/mine/"},
                )
            )
    return specs


def released(incident: Incident, rows: Sequence[Assignment], days: str) -> list[OutboxSpec]:
    """Days away after the rota: the lead hears of the gaps to re-solve, the volunteer of the
    shifts let go."""
    person = rows[0].person
    shifts = _listed(rows)
    return _lead_and_volunteer(
        incident,
        person,
        (
            f"值守缺口待补位：{incident.title}",
            f"{person.name}暂停服务（{days}），已释放{len(rows)}个班次：{shifts}。请在动员页面重新排班补位。",
        ),
        (
            f"排班已调整：{incident.title}",
            f"您暂停服务期间（{days}）的{len(rows)}个值守班次已取消：{shifts}。",
        ),
    )


def _listed(rows: Sequence[Assignment]) -> str:
    """The first five shifts' times, 等 after them when there are more."""
    return "；".join(_when(a) for a in rows[:5]) + ("等" if len(rows) > 5 else "")


def _lead_and_volunteer(
    incident: Incident, person: Any, lead: tuple[str, str], own: tuple[str, str]
) -> list[OutboxSpec]:
    """(subject, body) to the incident's lead, and to the volunteer when they have a login."""
    specs = [
        OutboxSpec(
            kind="mobilisation.gap",
            subject=lead[0],
            body=lead[1],
            recipient=incident.lead,
            payload={"incident": incident.pk, "url": _url(incident)},
        )
    ]
    user = _users([person.pk]).get(person.pk)
    if user is not None:
        specs.append(
            OutboxSpec(
                kind="mobilisation.rota",
                subject=own[0],
                body=own[1],
                recipient=user,
                payload={"incident": incident.pk, "url": "/mobilisation/mine/"},
            )
        )
    return specs


def returned(
    incident: Incident,
    person: Any,
    back: Sequence[Assignment],
    kept: Sequence[tuple[Assignment, str]],
    days: str,
) -> list[OutboxSpec]:
    """Days away given up after a release: the lead hears which shifts went back to the volunteer
    and which stay with whoever holds them; the volunteer the same, to come or not."""

    kept_rows = [a for a, _why in kept]
    lead_body = f"{person.name}恢复服务（{days}）"
    mine = f"您恢复服务（{days}）"
    if back:
        lead_body += f"，{len(back)}个请假释放的班次已恢复给本人：{_listed(back)}"
        mine += f"，{len(back)}个值守班次已恢复给您：{_listed(back)}，请按时到岗签到"
    if kept_rows:
        lead_body += f"；{len(kept_rows)}个维持现状（已由他人补位或不再适合）：{_listed(kept_rows)}"
        mine += f"；{len(kept_rows)}个班次已另有安排，无需到岗：{_listed(kept_rows)}"
    return _lead_and_volunteer(
        incident,
        person,
        (f"值守班次恢复：{incident.title}", lead_body + "。"),
        (f"值守排班：{incident.title}", mine + "。"),
    )


def swap_asked(incident: Incident, swap: SwapRequest) -> list[OutboxSpec]:
    body = f"{_when(swap.assignment)} 申请换班给{swap.to_person.name}：{swap.reason}"
    return [
        OutboxSpec(
            kind="mobilisation.swap",
            subject=f"换班待审批：{incident.title}",
            body=body,
            recipient=incident.lead,
            payload={"incident": incident.pk, "url": _url(incident)},
        )
    ]


def swap_decided(incident: Incident, swap: SwapRequest) -> list[OutboxSpec]:
    users = _users([swap.assignment.person_id, swap.to_person_id])
    verdict = "已同意" if swap.state == "approved" else "未同意"
    body = f"{_when(swap.assignment)} 换班给{swap.to_person.name}：{verdict}。{swap.answer}"
    targets = [swap.assignment.person_id] + ([swap.to_person_id] if swap.state == "approved" else [])
    return [
        OutboxSpec(
            kind="mobilisation.swap",
            subject=f"换班{verdict}：{incident.title}",
            body=body,
            recipient=users[p],
            payload={"incident": incident.pk, "url": "/mobilisation/mine/"},
        )
        for p in targets
        if p in users
    ]
