"""任务流转单: a decision becomes a slip naming the units that must act, by when, and the cases
it drives. Every named unit countersigns (会签); the slip binds when all have agreed to the
same version; a revision makes a new version and leaves the earlier signatures visibly
superseded. The cases a binding slip creates are dispatched to its lead unit's post for the
place (主办) with the assisting units' posts as 协办; the slip is done in the same transaction
as its last case (`complete_on_case_finished`, run by cases.hooks), and the sweep
(`slips_follow_up`) stays as a safety net. A slip without cases is reported done by its lead
unit and confirmed by the Party organisation (`meetings.completion`)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import choices as case_choices
from gongzhi.cases.hooks import FINISHED_STATES
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Act, Intake, case_act, case_create
from gongzhi.cases.states import Source, State
from gongzhi.core import clock, outbox, signing
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.meetings import facts, notifications, workflow
from gongzhi.meetings.kinds import KIND_RULES, MeetingKind
from gongzhi.meetings.models import (
    Evaluation,
    EvaluationSource,
    Meeting,
    MeetingEvent,
    PartyRole,
    Rating,
    Signature,
    Slip,
    SlipParty,
    SlipState,
    Topic,
    TopicState,
    Verdict,
)
from gongzhi.meetings.services import actor_kinds, check_step, record
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Post, Unit

FINISHED_CASE_STATES = set(FINISHED_STATES)


@dataclass
class PartySpec:
    unit: Unit
    role: str = PartyRole.ASSIST
    post: Post | None = None
    task: str = ""


@dataclass
class NewCase:
    """A case the slip creates when it binds (routed like any other case)."""

    category: Category
    node: Node
    text: str


@dataclass
class SlipDraft:
    action: str
    due: date | None
    parties: Sequence[PartySpec]
    cases: Sequence[Case] = ()
    new_cases: Sequence[NewCase] = field(default_factory=list)


# --- content and its hash -----------------------------------------------------------------------


def content(slip: Slip) -> dict[str, Any]:
    """What a signature vouches for: the decision, the deadline, who does what, which cases."""
    return {
        "slip": slip.pk,
        "version": slip.version,
        "node": slip.node.code if slip.node_id else "",
        "action": slip.action,
        "due": slip.due.isoformat(),
        "parties": sorted(
            [p.unit.code, p.role, p.post.code if p.post else "", p.task]
            for p in slip.parties.select_related("unit", "post")
        ),
        # the cases as written on this version (cases a binding slip creates or links later
        # are follow-up, not content)
        "cases": sorted(_version_event_data(slip).get("cases", [])),
        "new_cases": slip_new_cases(slip),
    }


def content_hash(slip: Slip) -> str:
    return signing.content_hash(content(slip))


def _version_event_data(slip: Slip) -> dict[str, Any]:
    """The data of the event that wrote the current content (create, edit or revise)."""
    event = slip.events.filter(action__in=["create", "edit", "revise"]).order_by("-id").first()
    return dict(event.data or {}) if event else {}


def slip_new_cases(slip: Slip) -> list[dict[str, Any]]:
    """The cases the current version asks to be created when it binds."""
    return list(_version_event_data(slip).get("new_cases", []))


# --- validation ---------------------------------------------------------------------------------


def new_case_places(meeting: Meeting) -> QuerySet[Node]:
    """Where a case the slip creates may lie: under the meeting's node or a joint area, down to
    buildings (a household is a resident's own report). The page lists its choices from here."""
    hosts = [meeting.node, *meeting.joint_nodes.all()]
    under = Q()
    for host in hosts:
        under |= Q(path__startswith=host.path)
    return Node.objects.filter(under, level__lte=Level.BUILDING)


def _validate(actor: Actor, draft: SlipDraft, topic: Topic, meeting: Meeting) -> list[dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    action = (draft.action or "").strip()
    if not action:
        errors["action"] = [_("请填写决定事项")]
    elif len(action) > 2000:
        errors["action"] = [_("决定事项不能超过2000字")]
    if draft.due is None:
        errors["due"] = [_("请填写完成时限")]
    elif draft.due < clock.today():
        errors["due"] = [_("完成时限不能早于今天")]
    leads = [p for p in draft.parties if p.role == PartyRole.LEAD]
    if not draft.parties:
        errors["parties"] = [_("请至少指定一个责任单位")]
    elif len(leads) != 1:
        errors["parties"] = [_("须指定且只能指定一个主办单位")]
    elif len({p.unit.pk for p in draft.parties}) != len(draft.parties):
        errors["parties"] = [_("同一单位不能重复列出")]
    elif any(not p.unit.active for p in draft.parties):
        errors["parties"] = [_("责任单位已停用")]
    elif any(p.role not in PartyRole.values for p in draft.parties):
        errors["parties"] = [_("分工无效")]
    elif any(p.post is not None and p.post.unit_id != p.unit.pk for p in draft.parties):
        errors["parties"] = [_("责任岗位须属于该责任单位")]
    ids = {c.pk for c in draft.cases}
    if ids and Case.objects.filter(access.cases_q(actor), pk__in=ids).count() != len(ids):
        errors["cases"] = [_("关联的工单须是您可查看的工单")]
    elif ids - set(topic.cases.values_list("pk", flat=True)):
        errors["cases"] = [_("只能关联本议题的工单")]
    places = new_case_places(meeting)
    new_cases: list[dict[str, Any]] = []
    for spec in draft.new_cases:
        if spec.category.parent_id is None or not spec.category.active:
            errors["new_cases"] = [_("新建工单须选择一个启用的小类")]
        elif not places.filter(pk=spec.node.pk).exists():
            errors["new_cases"] = [_("新建工单的位置须在本辖区内（楼栋及以上）")]
        elif not (spec.text or "").strip() or len(spec.text) > 4000:
            errors["new_cases"] = [_("新建工单须有问题描述（不超过4000字）")]
        else:
            new_cases.append(
                {"category": spec.category.code, "node": spec.node.code, "text": spec.text.strip()}
            )
    if errors:
        raise ValidationError(errors)
    return new_cases


def _set_parties(slip: Slip, parties: Sequence[PartySpec]) -> None:
    slip.parties.all().delete()
    SlipParty.objects.bulk_create(
        SlipParty(slip=slip, unit=p.unit, role=p.role, post=p.post, task=(p.task or "").strip()[:300])
        for p in parties
    )


# --- writes -------------------------------------------------------------------------------------


def slip_create(*, actor: Actor, topic: Topic, draft: SlipDraft) -> Slip:
    """A decision on a discussed topic of a quorate meeting becomes a draft slip."""
    topic = Topic.objects.select_related("node", "meeting__node", "meeting__chair").get(pk=topic.pk)
    meeting = topic.meeting
    if meeting is None or topic.state != TopicState.DISCUSSED:
        raise ConflictError(_("只有会上已讨论的议题才能形成任务流转单"))
    kinds = actor_kinds(actor, meeting.node, meeting)
    if not kinds & {workflow.CONVENER, workflow.CHAIR}:
        raise PermissionDeniedError(_("您无权为该会议填写任务流转单"))
    if not KIND_RULES[meeting.kind].decides:
        raise ConflictError(_("%(kind)s不形成任务流转单") % {"kind": MeetingKind(meeting.kind).label})
    if not meeting.binding:
        raise ConflictError(_("会议未达到法定出席人数，其决定不具约束力，不能形成任务流转单"))
    new_cases = _validate(actor, draft, topic, meeting)
    assert draft.due is not None  # _validate refuses a slip without a deadline
    now = clock.now()
    with transaction.atomic():
        slip = Slip.objects.create(
            meeting=meeting,
            topic=topic,
            node=topic.node,
            node_path=topic.node.path,
            action=draft.action.strip(),
            due=draft.due,
            created_at=now,
        )
        _set_parties(slip, draft.parties)
        slip.cases.set([c.pk for c in draft.cases])
        slip.seq = 1
        slip.save(update_fields=["seq"])
        record(
            "create",
            actor=actor,
            slip=slip,
            meeting=meeting,
            topic=topic,
            to_state=slip.state,
            data={"new_cases": new_cases, "cases": [c.pk for c in draft.cases]},
        )
    return slip


def _locked(slip: Slip) -> Slip:
    return (
        Slip.objects.select_for_update(of=("self",))
        .select_related("meeting__node", "meeting__chair", "node", "topic")
        .get(pk=slip.pk)
    )


def _step(actor: Actor, slip: Slip, action: str, extra: set[str] | None = None) -> workflow.Step:
    kinds = actor_kinds(actor, slip.meeting.node, slip.meeting) | (extra or set())
    return check_step(workflow.SLIP, slip.state, action, kinds, _("任务流转单"))


def _advance(
    slip: Slip, action: str, actor: Actor | None, rule: workflow.Step, note: str = "", **data: Any
) -> MeetingEvent:
    before = slip.state
    slip.state = rule.to or before
    slip.seq += 1
    slip.save()
    return record(
        action,
        actor=actor,
        slip=slip,
        meeting=slip.meeting,
        from_state=before,
        to_state=slip.state,
        note=note,
        data=data,
    )


def _expect(slip: Slip, seq: int | None) -> None:
    if seq is not None and seq != slip.seq:
        raise ConflictError(_("任务流转单已被他人更新，请刷新后重试"))


def slip_edit(*, actor: Actor, slip: Slip, draft: SlipDraft, seq: int | None = None) -> Slip:
    """Change a draft before it goes out for signing (no signature exists yet)."""
    with transaction.atomic():
        slip = _locked(slip)
        _expect(slip, seq)
        rule = _step(actor, slip, "edit")
        new_cases = _validate(actor, draft, slip.topic, slip.meeting)
        _write_content(slip, draft)
        _advance(
            slip,
            "edit",
            actor,
            rule,
            new_cases=new_cases,
            cases=[c.pk for c in draft.cases],
            version=slip.version,
        )
    return slip


def _write_content(slip: Slip, draft: SlipDraft) -> None:
    slip.action = draft.action.strip()
    assert draft.due is not None
    slip.due = draft.due
    _set_parties(slip, draft.parties)
    slip.cases.set([c.pk for c in draft.cases])


def slip_issue(*, actor: Actor, slip: Slip, seq: int | None = None) -> Slip:
    """Send the slip to every named unit for countersigning."""
    with transaction.atomic():
        slip = _locked(slip)
        _expect(slip, seq)
        rule = _step(actor, slip, "issue")
        _advance(slip, "issue", actor, rule, version=slip.version, hash=content_hash(slip))
        outbox.enqueue_all(notifications.to_sign(slip, unsigned_units(slip)))
    return slip


def signable_posts(user: Actor, slip: Slip) -> list[Post]:
    """The user's active posts in units named on the slip (as holder or deputy)."""
    person_id = access.scope(user).person_id
    if person_id is None:
        return []
    from django.db.models import Q

    units = slip.parties.values_list("unit_id", flat=True)
    return list(
        Post.objects.filter(access.active_posts_q(), unit_id__in=units)
        .filter(Q(person_id=person_id) | Q(deputy_id=person_id))
        .select_related("unit", "person")
        .order_by("code")
    )


def valid_signatures(slip: Slip) -> list[Signature]:
    return list(slip.signatures.filter(slip_version=slip.version).select_related("unit"))


def unsigned_units(slip: Slip) -> list[Unit]:
    signed = {s.unit_id for s in valid_signatures(slip)}
    return [p.unit for p in slip.parties.select_related("unit") if p.unit_id not in signed]


def slip_sign(
    *,
    actor: Actor,
    slip: Slip,
    verdict: str,
    version: int,
    reason: str = "",
    unit: Unit | None = None,
) -> Signature:
    """会签: a named unit agrees, or objects with a reason (the slip goes back to the chair).
    `version` is the version the signer read; when every unit has agreed to it, the slip binds."""
    with transaction.atomic():
        slip = _locked(slip)
        posts = signable_posts(actor, slip)
        if unit is not None:
            posts = [p for p in posts if p.unit_id == unit.pk]
        if not posts:
            raise PermissionDeniedError(_("您不是该任务流转单的责任单位人员，不能会签"))
        if verdict not in Verdict.values:
            raise invalid("verdict", _("请选择同意或有异议"))
        signing.check_version(
            read=version,
            current=slip.version,
            message=_("任务流转单已修订为第%(v)d版，请阅读新版本后再会签") % {"v": slip.version},
        )
        action = "sign" if verdict == Verdict.AGREE else "object"
        rule = _step(actor, slip, action, {workflow.SIGNER})
        if verdict == Verdict.OBJECT and not reason.strip():
            raise invalid("reason", _("有异议须说明理由"))
        signed = {s.unit_id for s in valid_signatures(slip)}
        post = next((p for p in posts if p.unit_id not in signed), None)
        if post is None:
            raise ConflictError(_("本单位已会签此版本"))
        signer = recorded(actor)
        signature = signing.create_once(
            lambda: Signature.objects.create(
                slip=slip,
                slip_version=slip.version,
                unit=post.unit,
                signer=signer,
                signer_name=post.person.name,
                signer_post=post,
                verdict=verdict,
                reason=reason.strip()[:500],
                content_hash=content_hash(slip),
                at=clock.now(),
            ),
            message=_("本单位已会签此版本"),
        )
        _advance(
            slip,
            action,
            actor,
            rule,
            note=reason.strip(),
            unit=post.unit.code,
            version=slip.version,
            signature=signature.pk,
        )
        if verdict == Verdict.OBJECT:
            outbox.enqueue_all(notifications.objected(slip, signature))
        elif not unsigned_units(slip):
            _bind(slip)
    return signature


def _bind(slip: Slip) -> None:
    """Every unit agreed to this version: the slip binds and creates the cases it asked for,
    each dispatched to the lead unit's post for its place (主办), the assisting units' posts
    as 协办. A case no post of the lead unit answers for waits for a dispatcher."""
    now = clock.now()
    created: list[int] = []
    waiting: list[int] = []
    for i, spec in enumerate(slip_new_cases(slip)):
        category = Category.objects.filter(code=spec["category"]).first()
        node = Node.objects.filter(code=spec["node"]).first()
        if category is None or node is None:
            continue  # removed since the slip was written; the follow-up page shows the gap
        case = case_create(
            actor=None,
            intake=Intake(
                node=node,
                text=spec["text"],
                source=Source.MEETING,
                category=category,
                external_id=f"slip-{slip.pk}-v{slip.version}-{i}",
                data={"slip": slip.pk, "meeting": slip.meeting_id},
            ),
        )
        created.append(case.pk)
        if not _dispatch_to_parties(slip, case):
            waiting.append(case.pk)
    if created:
        slip.cases.add(*created)
    slip.bound_at = now
    _advance(
        slip,
        "bind",
        None,
        workflow.SLIP[(SlipState.SIGNING, "bind")],
        created_cases=created,
        undispatched=waiting,
        hash=content_hash(slip),
    )
    outbox.enqueue_all(notifications.bound(slip))


def party_posts(slip: Slip, case: Case) -> tuple[Post | None, list[Post]]:
    """The posts through which the slip's units answer for the case's place: the lead unit's
    (主办) and the assisting units' (协办). A post named on the slip wins when it may take
    the case; otherwise the unit's post for the place (`cases.choices.unit_post`)."""
    lead: Post | None = None
    assisting: list[Post] = []
    for party in slip.parties.select_related("unit", "post"):
        named = party.post
        if named is not None and case_choices.dispatch_refusal(None, case, named) is None:
            post: Post | None = named
        else:
            post = case_choices.unit_post(case, party.unit)
        if post is None:
            continue
        if party.role == PartyRole.LEAD:
            lead = post
        elif all(p.pk != post.pk for p in assisting):
            assisting.append(post)
    return lead, [p for p in assisting if lead is None or p.pk != lead.pk]


def _dispatch_to_parties(slip: Slip, case: Case) -> bool:
    """Register and dispatch a case the slip created (the slip's decision is the dispatch);
    False when the lead unit has no post for the place."""
    lead, assisting = party_posts(slip, case)
    if lead is None:
        return False
    note = _("任务流转单 %(number)s 决定由%(unit)s主办") % {"number": slip.number, "unit": lead.unit.name}
    data = {"slip": slip.pk}
    case = case_act(actor=None, case=case, act=Act(action="register", version=case.version, data=data))
    case_act(
        actor=None,
        case=case,
        act=Act(
            action="dispatch", version=case.version, post=lead, assisting=assisting, note=note, data=data
        ),
    )
    return True


def slip_revise(*, actor: Actor, slip: Slip, draft: SlipDraft, note: str, seq: int | None = None) -> Slip:
    """Change a slip that has gone out: a new version; signatures of earlier versions stay on
    record, marked superseded, and every unit signs again."""
    with transaction.atomic():
        slip = _locked(slip)
        _expect(slip, seq)
        rule = _step(actor, slip, "revise")
        if not (note or "").strip():
            raise invalid("note", _("修订任务流转单须说明理由"))
        new_cases = _validate(actor, draft, slip.topic, slip.meeting)
        superseded = [s.pk for s in valid_signatures(slip)]
        _write_content(slip, draft)
        slip.version += 1
        slip.bound_at = None
        _advance(
            slip,
            "revise",
            actor,
            rule,
            note=note.strip(),
            version=slip.version,
            superseded=superseded,
            new_cases=new_cases,
            cases=[c.pk for c in draft.cases],
        )
        outbox.enqueue_all(notifications.to_sign(slip, unsigned_units(slip)))
    return slip


def slip_link_case(*, actor: Actor, slip: Slip, case: Case) -> Slip:
    with transaction.atomic():
        slip = _locked(slip)
        rule = _step(actor, slip, "link_case")
        if not Case.objects.filter(access.cases_q(actor), pk=case.pk).exists():
            raise invalid("case", _("关联的工单须是您可查看的工单"))
        if not slip.topic.cases.filter(pk=case.pk).exists():
            raise invalid("case", _("只能关联本议题的工单"))
        slip.cases.add(case)
        _advance(slip, "link_case", actor, rule, case=case.pk)
    return slip


def slip_void(*, actor: Actor, slip: Slip, note: str) -> Slip:
    with transaction.atomic():
        slip = _locked(slip)
        rule = _step(actor, slip, "void")
        if not (note or "").strip():
            raise invalid("note", _("作废须说明理由"))
        _advance(slip, "void", actor, rule, note=note.strip())
    return slip


def slip_evaluate(
    *,
    actor: Actor,
    slip: Slip,
    rating: str,
    note: str = "",
    source: str = EvaluationSource.PARTY,
    votes: int = 1,
    meeting: Meeting | None = None,
) -> Evaluation:
    """结果由党组织评议; residents' votes are recorded from a 评议会 by its convener."""
    with transaction.atomic():
        slip = _locked(slip)
        kinds = actor_kinds(actor, slip.node, None) | actor_kinds(actor, slip.meeting.node, slip.meeting)
        check_step(workflow.SLIP, slip.state, "evaluate", kinds, _("任务流转单"))
        if rating not in Rating.values:
            raise invalid("rating", _("请选择评价等级"))
        if source == EvaluationSource.PARTY:
            if workflow.PARTY not in kinds:
                raise PermissionDeniedError(_("结果由党组织评议"))
            if slip.evaluations.filter(source=EvaluationSource.PARTY).exists():
                raise ConflictError(_("党组织已评议过该任务流转单"))
            votes, meeting = 1, None
        elif source == EvaluationSource.RESIDENTS:
            if workflow.CONVENER not in kinds:
                raise PermissionDeniedError(_("您无权登记评议会结果"))
            if (
                meeting is None
                or meeting.kind != MeetingKind.EVALUATION
                or not slip.node_path.startswith(meeting.node_path)
            ):
                raise invalid("meeting", _("居民评议须在本辖区的评议会上进行"))
            if votes < 1 or votes > 10000:
                raise invalid("votes", _("票数应在1到10000之间"))
        else:
            raise invalid("source", _("评议方无效"))
        evaluation = Evaluation.objects.create(
            slip=slip,
            source=source,
            rating=rating,
            votes=votes,
            meeting=meeting,
            note=(note or "").strip()[:500],
            by=recorded(actor),
            at=clock.now(),
        )
        slip.seq += 1
        slip.save(update_fields=["seq"])
        record(
            "evaluate",
            actor=actor,
            slip=slip,
            meeting=slip.meeting,
            from_state=slip.state,
            note=note,
            data={"source": source, "rating": rating, "votes": votes},
        )
    return evaluation


# --- completion by the cases ----------------------------------------------------------------------


def cases_finished(slip: Slip) -> bool:
    """Every linked case finished (closed, merged or void) and at least one closed."""
    states = list(slip.cases.values_list("state", flat=True))
    return bool(states) and all(s in FINISHED_CASE_STATES for s in states) and State.CLOSED in states


def _complete(slip: Slip, now: datetime, **data: Any) -> None:
    slip.done_at = now
    _advance(slip, "complete", None, workflow.SLIP[(SlipState.BINDING, "complete")], **data)
    outbox.enqueue_all(notifications.done(slip))
    facts.announce_slip(slip)  # points for the bound units' post-holders (community)


def complete_on_case_finished(case: Case, event: CaseEvent) -> None:
    """cases.hooks.on_case_finished: inside the case's transaction, a binding slip whose last
    linked case this was is done (and the Party organisation asked to evaluate it)."""
    for slip in Slip.objects.filter(cases=case, state=SlipState.BINDING).order_by("pk"):
        locked = _locked(slip)
        if locked.state == SlipState.BINDING and cases_finished(locked):
            _complete(locked, clock.now(), case=case.pk, case_event=event.seq)


def reopen_on_case_reopened(case: Case, event: CaseEvent) -> None:
    """cases.hooks.on_case_reopened: inside the case's transaction, a slip that was done with
    its cases (not one confirmed by report, which has none) is binding again, so the slip's
    state never says 已办结 while one of its cases is open; it completes again with that case.
    Its evaluations stay on record. The units it binds and its convener are told."""
    done = Slip.objects.filter(cases=case, state=SlipState.DONE).order_by("pk")
    for slip in done:
        locked = _locked(slip)
        if locked.state != SlipState.DONE:
            continue
        locked.done_at = None
        rule = workflow.SLIP[(SlipState.DONE, "reopen")]
        _advance(locked, "reopen", None, rule, note=event.note, case=case.pk, case_event=event.seq)
        outbox.enqueue_all(notifications.reopened(locked, case))
        facts.announce_slip(locked, withdrawn=True)


# --- follow-up ----------------------------------------------------------------------------------


@dataclass
class FollowUp:
    done: int = 0
    reminded: int = 0


def slips_follow_up(now: datetime | None = None) -> FollowUp:
    """The sweep: a binding slip whose cases are all finished (at least one closed) is done
    (a safety net: a case's closing completes its slip at once, `complete_on_case_finished`);
    units that have not signed, overdue binding slips, and the Party organisations of slips
    reported done (待确认) are reminded once a day."""
    now = now or clock.now()
    result = FollowUp()
    finished = list(FINISHED_CASE_STATES)
    # One query finds the slips to complete: every linked case finished, at least one closed.
    ready = (
        Slip.objects.filter(state=SlipState.BINDING)
        .annotate(
            total=Count("cases", distinct=True),
            over=Count("cases", filter=Q(cases__state__in=finished), distinct=True),
            closed=Count("cases", filter=Q(cases__state=State.CLOSED), distinct=True),
        )
        .filter(total__gt=0, over=F("total"), closed__gt=0)
    )
    for ready_slip in ready:
        with transaction.atomic():
            locked = _locked(ready_slip)
            if locked.state == SlipState.BINDING:
                _complete(locked, now, sweep=True)
                result.done += 1
    day_ago = now - timedelta(hours=20)
    recent = Exists(
        MeetingEvent.objects.filter(
            slip=OuterRef("pk"), action__in=["issue", "revise", "remind"], at__gte=day_ago
        )
    )
    for slip in Slip.objects.filter(state=SlipState.SIGNING).exclude(recent):
        with transaction.atomic():
            locked = _locked(slip)
            units = unsigned_units(locked)
            if locked.state == SlipState.SIGNING and units:
                _advance(
                    locked,
                    "remind",
                    None,
                    workflow.SLIP[(SlipState.SIGNING, "remind")],
                    units=[u.code for u in units],
                )
                outbox.enqueue_all(notifications.to_sign(locked, units, reminder=True))
                result.reminded += 1
    today = timezone.localdate(now)
    reminded = Exists(MeetingEvent.objects.filter(slip=OuterRef("pk"), action="remind", at__gte=day_ago))
    for slip in Slip.objects.filter(state=SlipState.BINDING, due__lt=today).exclude(reminded):
        with transaction.atomic():
            locked = _locked(slip)
            _advance(locked, "remind", None, workflow.SLIP[(SlipState.BINDING, "remind")], overdue=True)
            outbox.enqueue_all(notifications.overdue(locked))
            result.reminded += 1
    result.reminded += _remind_to_confirm(day_ago)
    return result


def _remind_to_confirm(day_ago: datetime) -> int:
    """Slips reported done (待确认): their Party organisation, the confirming side, is reminded
    once a day until it confirms or returns the report."""
    recent = Exists(
        MeetingEvent.objects.filter(
            slip=OuterRef("pk"), action__in=["submit_completion", "remind"], at__gte=day_ago
        )
    )
    reminded = 0
    for slip in Slip.objects.filter(state=SlipState.CONFIRMING).exclude(recent):
        with transaction.atomic():
            locked = _locked(slip)
            if locked.state != SlipState.CONFIRMING:
                continue
            _advance(locked, "remind", None, workflow.SLIP[(SlipState.CONFIRMING, "remind")], confirm=True)
            outbox.enqueue_all(notifications.completion_submitted(locked, reminder=True))
            reminded += 1
    return reminded
