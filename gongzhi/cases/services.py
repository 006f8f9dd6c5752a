"""Writes for cases. `case_create` is the one intake for every channel; `case_act` applies the
workflow table to a case, with optimistic concurrency, and appends the event."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import choices, classify, hooks, notifications, routing, sla, tracking, workflow
from gongzhi.cases.attachments import attach_files, validate_files
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.states import Rung, Satisfaction, Source, State
from gongzhi.core import clock, outbox, pii
from gongzhi.core.actors import Actor, recorded_or_system
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo import streets
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Person, Post

MAX_TEXT = 4000


@dataclass
class Intake:
    """What a channel knows about a new problem; every channel fills one of these."""

    node: Node
    text: str
    source: str
    category: Category | None = None
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    reporter: Person | None = None
    external_id: str = ""
    files: list[Any] = field(default_factory=list)
    # channel details kept on the first event (e.g. Open311 media_url and attribute[...])
    data: dict[str, Any] = field(default_factory=dict)
    # The code the reporter follows the case with (cases.tracking.new_code; the report page
    # shows it once): only its keyed hash is stored.
    tracking_code: str = ""


def _validate_intake(intake: Intake) -> None:
    errors: dict[str, list[str]] = {}
    text = (intake.text or "").strip()
    if not text:
        errors["text"] = [_("请描述问题")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("问题描述不能超过%(n)d字") % {"n": MAX_TEXT}]
    if intake.source not in Source.values:
        errors["source"] = [_("来源无效")]
    if intake.category is not None and (intake.category.parent_id is None or not intake.category.active):
        errors["category"] = [_("请选择一个启用的小类")]
    if intake.contact_phone and not pii.PHONE_RE.match(pii.normalise_phone(intake.contact_phone)):
        errors["contact_phone"] = [_("手机号应为11位数字，以1开头")]
    if len(intake.files) > choices.MAX_PHOTOS:
        errors["files"] = [_("最多上传%(n)d张照片") % {"n": choices.MAX_PHOTOS}]
    if intake.tracking_code and not tracking.valid_code(intake.tracking_code):
        errors["tracking_code"] = [_("查询码无效")]
    if errors:
        raise ValidationError(errors)
    validate_files(intake.files)


def case_create(*, actor: Actor | None, intake: Intake) -> Case:
    """Record a problem once: validate, route, set the dispatch deadline, append the first event.

    A replayed external id (a hotline transfer imported twice) returns the existing case.
    """
    return case_intake(actor=actor, intake=intake)[0]


def case_intake(*, actor: Actor | None, intake: Intake) -> tuple[Case, bool]:
    """`case_create`, also saying whether the case is new (False: a replayed external id).

    A new case comes back with its node, category and post (with unit and person) loaded, so
    a channel can answer without reading it again."""
    _validate_intake(intake)
    if not _may_dispatch_itself(intake):  # most channels: one transaction, no savepoint inside
        return _record(actor, [intake])[0]
    with transaction.atomic():
        case, new = _record(actor, [intake])[0]
        if new:
            case = _dispatch_if_sure(case, intake)
    return case, new


def auto_dispatch_confidence() -> float | None:
    """The confidence from which a resident's report is dispatched by the machine (None: never)."""
    value = getattr(settings, "CASE_AUTO_DISPATCH_CONFIDENCE", None)
    return None if value is None else float(value)


def _may_dispatch_itself(intake: Intake) -> bool:
    """Whether the intake is of the kind 自动派遣 may take (before anything is read): a
    resident's report without a category, not from the suggestion box (read by a person)."""
    return (
        auto_dispatch_confidence() is not None
        and intake.category is None
        and intake.source == Source.RESIDENT
        and intake.data.get("channel") != "suggestion"
    )


def _dispatch_if_sure(case: Case, intake: Intake) -> Case:
    """自动派遣: a resident's report that came without a category, which the trained model reads
    as one 小类 with at least `CASE_AUTO_DISPATCH_CONFIDENCE`, is registered under it and
    dispatched to the post the routing rule gives, by the system and in the intake's
    transaction, so the post holder is told without waiting for a dispatcher (ADR 0018). The
    dispatcher still sees it and may reassign; the post may send it back. Anything less sure
    (keyword rules before a model is trained, 需人工分诊, a gap in the roster) waits, 待受理."""
    threshold = auto_dispatch_confidence()
    if threshold is None or not _may_dispatch_itself(intake):
        return case
    data = case.events.get(seq=1).data
    suggested = data.get("suggested") or []
    if data.get("classifier") != "model" or data.get("triage") or not suggested:
        return case
    top = suggested[0]
    if float(top["confidence"]) < threshold:
        return case
    category = Category.objects.filter(code=top["code"], active=True, parent__isnull=False).first()
    if category is None or choices.category_refusal(category):
        return case
    routed = routing.route(category=category, node=case.node)
    if routed.post is None:
        return case
    auto = {"auto": True, "confidence": top["confidence"]}
    case = case_act(
        actor=None, case=case, act=Act(action="register", version=case.version, category=category, data=auto)
    )
    note = _("按分类建议自动派遣（%(category)s，置信度%(confidence)d%%）") % {
        "category": category.name,
        "confidence": round(float(top["confidence"]) * 100),
    }
    return case_act(
        actor=None,
        case=case,
        act=Act(
            action="dispatch",
            version=case.version,
            post=routed.post,
            assisting=routed.assisting,
            note=note,
            data=auto,
        ),
    )


MAX_BATCH = 200


def case_intake_many(*, actor: Actor | None, intakes: Sequence[Intake]) -> list[tuple[Case, bool]]:
    """Record a batch (a hotline system's or a sensor gateway's transfer) in one transaction:
    all or nothing. Errors name the item: {"3.text": [...]}. Each item is what `case_intake`
    would have recorded, in order; an external id repeated inside the batch is one case."""
    if not intakes:
        raise ValidationError({"cases": [_("至少需要一条")]})
    if len(intakes) > MAX_BATCH:
        raise ValidationError({"cases": [_("一次最多%(n)d条") % {"n": MAX_BATCH}]})
    errors: dict[str, list[str]] = {}
    for i, intake in enumerate(intakes):
        try:
            _validate_intake(intake)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{i}.{name}"] = messages
    if errors:
        raise ValidationError(errors)
    return _record(actor, intakes)


def _existing(intakes: Sequence[Intake]) -> dict[tuple[str, str], Case]:
    """The cases already recorded under the batch's external ids (a replayed transfer)."""
    wanted = {(i.source, i.external_id) for i in intakes if i.external_id}
    if not wanted:
        return {}
    # One IN list on the (source, external_id) unique index, not an OR per item (which costs
    # more to compile than to run); the exact pairs are picked out here. Replays are rare, so
    # the whole case (with what the answer shows) is read only for the ids that exist.
    keys = (
        Case.objects.filter(source__in={s for s, _e in wanted}, external_id__in={e for _s, e in wanted})
        .order_by()
        .values_list("source", "external_id", "pk")
    )
    ids = [pk for source, external_id, pk in keys if (source, external_id) in wanted]
    if not ids:
        return {}
    found = Case.objects.filter(pk__in=ids).select_related("node", "category", "post__unit", "post__person")
    return {(c.source, c.external_id): c for c in found}


def _record(actor: Actor | None, intakes: Sequence[Intake]) -> list[tuple[Case, bool]]:
    """Route, set the dispatch deadline and write validated intakes with their first events
    and the dispatchers' notifications, in one transaction. Routes and recipients are looked
    up once per distinct (category, node) and node in the batch."""
    now = clock.now()
    user = recorded_or_system(actor)  # an anonymous resident's report keeps no user
    known = _existing(intakes)
    routes = routing.route_many(
        (i.category, i.node)
        for i in intakes
        if i.category is not None and (i.source, i.external_id) not in known
    )
    results: list[tuple[Case, bool]] = []
    fresh: list[tuple[Case, list[Post], dict[str, Any], Intake]] = []
    for intake in intakes:
        key = (intake.source, intake.external_id)
        if intake.external_id and key in known:
            results.append((known[key], False))
            continue
        post: Post | None = None
        assisting: list[Post] = []
        if intake.category is not None:
            routed = routes[(intake.category.pk, intake.node.pk)]
            post, assisting = routed.post, routed.assisting
        data: dict[str, Any] = {**intake.data, "post": post.code if post else None}
        if intake.category is None:
            data.update(suggestion_data(intake.text, streets.street_code(intake.node.path)))
        case = _new_case(intake, post=post, user=user, now=now)
        if intake.external_id:
            known[key] = case
        case._assisting_post_ids = frozenset(p.pk for p in assisting)  # type: ignore[attr-defined]
        fresh.append((case, assisting, data, intake))
        results.append((case, True))
    with transaction.atomic():
        Case.objects.bulk_create([f[0] for f in fresh])
        Case.assisting_posts.through.objects.bulk_create(
            [
                Case.assisting_posts.through(case_id=case.pk, post_id=p.pk)
                for case, assisting, _data, _intake in fresh
                for p in assisting
            ]
        )
        events = CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=case,
                    seq=1,
                    action="create",
                    from_state="",
                    to_state=State.RECEIVED,
                    actor=user,
                    at=now,
                    data=data,
                )
                for case, _assisting, data, _intake in fresh
            ]
        )
        specs = []
        with notifications.recipients_memo(case for case, *_rest in fresh):
            for (case, _assisting, _data, intake), event in zip(fresh, events, strict=True):
                attach_files(event, intake.files)
                specs.extend(notifications.messages_for_event(case, event))
        outbox.enqueue_all(specs)
    return results


def _new_case(intake: Intake, *, post: Post | None, user: User | None, now: datetime) -> Case:
    phone = pii.normalise_phone(intake.contact_phone)
    return Case(
        node=intake.node,
        node_path=intake.node.path,
        category=intake.category,
        text=intake.text.strip(),
        source=intake.source,
        external_id=intake.external_id,
        lat=intake.lat,
        lon=intake.lon,
        address=intake.address,
        reporter=intake.reporter,
        reporter_user=user,
        contact_name=intake.contact_name,
        contact_phone_enc=pii.encrypt(phone),
        contact_phone_masked=pii.mask_phone(phone),
        tracking_hash=tracking.code_hash(intake.tracking_code) if intake.tracking_code else "",
        post=post,
        dispatch_due=sla.dispatch_due(now, intake.node.path),
        created_at=now,
        updated_at=now,
    )


def suggestion_data(text: str, street: str = "") -> dict[str, Any]:
    """The category suggestion kept on the first event of a case that came without a category:
    the top 3 小类 with confidence and whether a person must triage it. Only a suggestion: the
    dispatcher sets the category when registering (事项分类: it suggests, a person decides)."""
    result = classify.classify(text, street=street)
    return {
        "suggested": [
            {"code": s.code, "name": s.name, "confidence": s.confidence} for s in result.suggestions
        ],
        "triage": result.needs_triage,
        "classifier": result.source,
    }


# --- acting on a case -------------------------------------------------------------------------


def actor_kinds(user: Actor | None, case: Case) -> set[str]:
    if user is None:
        return {workflow.SYSTEM}
    kinds: set[str] = set()
    if access.can_on_rung(user, access.DISPATCH, case.node, case.rung):
        kinds.add(workflow.DISPATCHER)
    if access.can(user, access.SUPERVISE, case.node):
        kinds.add(workflow.STREET)
    person_id = access.scope(user).person_id
    if case.post_id and person_id and case.post and person_id in (case.post.person_id, case.post.deputy_id):
        kinds.add(workflow.HANDLER)
    mine = access.scope(user).post_ids
    if mine and case.pk and mine & assisting_post_ids(case):
        kinds.add(workflow.ASSISTANT)
    return kinds


def assisting_post_ids(case: Case) -> frozenset[int]:
    """The case's assisting posts (协办), read once per case object (intake stores them)."""
    known: frozenset[int] | None = getattr(case, "_assisting_post_ids", None)
    if known is None and "assisting_posts" in getattr(case, "_prefetched_objects_cache", {}):
        known = frozenset(p.pk for p in case.assisting_posts.all())  # the case page read them
    if known is None:
        known = frozenset(case.assisting_posts.values_list("pk", flat=True))
        case._assisting_post_ids = known  # type: ignore[attr-defined]
    return known


@dataclass
class Act:
    """An action on a case and what the actor supplies with it."""

    action: str
    version: int
    note: str = ""
    category: Category | None = None
    post: Post | None = None
    master: Case | None = None
    review_date: date | None = None
    until: datetime | None = None
    approved: bool | None = None
    # 协办: on dispatch or reassign, the posts that assist (None keeps those the case has)
    assisting: list[Post] | None = None
    files: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # extra facts for the event (the sweep's)


def allowed_for(user: Actor | None, case: Case) -> list[str]:
    kinds = actor_kinds(user, case)
    return [
        a
        for a in workflow.allowed_actions(case.state)
        if workflow.TRANSITIONS[(State(case.state), a)].by & kinds
    ]


# Note actions a person takes from a case page (the others are the system's or the sweep's).
PERSON_NOTES = ("comment", "progress", "record_attempt", "request_extension", "decide_extension")


def notes_for(user: Actor | None, case: Case, among: Sequence[str] = PERSON_NOTES) -> list[str]:
    """The note actions `case_act` would accept from `user` now: allowed in the state, open to
    the user's role, an extension only while the handling clock runs, a decision only on a
    pending request."""
    kinds = actor_kinds(user, case)
    in_state = workflow.notes_in(case.state)
    offered = [a for a in among if a in in_state and workflow.NOTES[a].by & kinds]
    if "request_extension" in offered and choices.extension_refusal(case, None, clock.now()):
        offered.remove("request_extension")
    if "decide_extension" in offered and choices.pending_extension(case) is None:
        offered.remove("decide_extension")
    return offered


def case_act(*, actor: Actor | None, case: Case, act: Act) -> Case:
    """Apply one action from the workflow table. Raises PermissionDeniedError (403),
    ConflictError (409: stale version or an action not allowed in this state) or
    ValidationError (422: something the action needs is missing or wrong)."""
    with transaction.atomic():
        current = (
            Case.objects.select_for_update(of=("self",))
            .select_related("node", "post", "category")
            .get(pk=case.pk)
        )
        if current.version != act.version:
            raise ConflictError(_("工单已被他人更新，请刷新后重试"))
        rule = _rule(current, act.action)
        to_state = rule.to if isinstance(rule, workflow.Transition) else State(current.state)
        if not rule.by & actor_kinds(actor, current):
            raise PermissionDeniedError(_("您无权对该工单执行此操作"))
        if act.until is not None and timezone.is_naive(act.until):  # an API client's local time
            act.until = timezone.make_aware(act.until)
        _check_needs(rule.needs, act, current)
        _check_choices(actor, act, current)
        validate_files(act.files)
        data = _apply(current, act, to_state)
        now = clock.now()
        from_state = current.state
        current.state = to_state
        current.version += 1
        current.updated_at = now
        current.save()
        event = CaseEvent.objects.create(
            case=current,
            seq=current.version,
            action=act.action,
            from_state=from_state,
            to_state=to_state,
            actor=recorded_or_system(actor),
            at=now,
            note=act.note.strip(),
            data={**act.data, **data},
        )
        attach_files(event, act.files)
        # In the same transaction as the event: a message exists exactly when the change does.
        outbox.enqueue_all(notifications.messages_for_event(current, event))
        _share_outcome(current, event)
        if hooks.finishes(from_state, to_state):
            # What others hang on this case finishing (a task slip's completion) commits or
            # rolls back with it (cases.hooks, ADR 0017).
            hooks.on_case_finished.run(current, event)
        elif hooks.reopens(from_state, to_state):
            hooks.on_case_reopened.run(current, event)
    return current


def _rule(case: Case, action: str) -> workflow.Transition | workflow.Note:
    """The table's rule for `action` in the case's state; a 409 naming what the state allows."""
    state = State(case.state)
    if (state, action) in workflow.TRANSITIONS:
        return workflow.TRANSITIONS[(state, action)]
    if action in workflow.notes_in(state):
        return workflow.NOTES[action]
    allowed = workflow.allowed_actions(state)
    raise ConflictError(
        _("当前状态“%(state)s”不能执行“%(action)s”，可执行：%(allowed)s")
        % {"state": case.get_state_display(), "action": action, "allowed": "、".join(allowed) or _("无")},
        allowed=allowed,
    )


# --- merged cases share the master's outcome ----------------------------------------------------

MAX_MERGE_DEPTH = 5  # a master later merged into another case: follow so far, no further


def merged_into(master: Case) -> list[Case]:
    """The cases merged into `master`, and those merged into them (a master that was itself
    merged later), nearest first."""
    found: list[Case] = []
    seen, frontier = {master.pk}, [master.pk]
    for _depth in range(MAX_MERGE_DEPTH):
        rows = list(
            Case.objects.filter(master_id__in=frontier, state=State.MERGED)
            .exclude(pk__in=seen)
            .select_related("node", "category", "reporter_user")
            .order_by("created_at", "pk")
        )
        if not rows:
            break
        found += rows
        frontier = [c.pk for c in rows]
        seen.update(frontier)
    return found


def outcome_of(case: Case) -> Case:
    """The case whose result answers this report: the case itself, or for a merged case the
    master it was merged into (followed up a chain of merges)."""
    current, seen = case, {case.pk}
    while current.state == State.MERGED and current.master_id and len(seen) <= MAX_MERGE_DEPTH:
        master = Case.objects.select_related("node", "category").filter(pk=current.master_id).first()
        if master is None or master.pk in seen:
            break
        current = master
        seen.add(current.pk)
    return current


def _share_outcome(case: Case, event: CaseEvent) -> None:
    """When a master closes, each case merged into it gets a `master_closed` event, which tells
    its reporter the result (with the callback link). A case merged into an already closed
    master is told at once. Called inside case_act's transaction."""
    if event.action == "verify":
        master, told = case, merged_into(case)
    elif event.action == "merge" and case.master_id is not None:
        master = Case.objects.select_related("node").get(pk=case.master_id)
        if master.state != State.CLOSED:
            return
        told = [case, *merged_into(case)]
    else:
        return
    for merged in told:
        merged.refresh_from_db(fields=["version", "state"])
        case_act(
            actor=None,
            case=merged,
            act=Act(
                action="master_closed",
                version=merged.version,
                data={"master": master.pk, "master_number": master.number},
            ),
        )


def _check_needs(needs: frozenset[str], act: Act, case: Case) -> None:
    errors: dict[str, list[str]] = {}
    if "note" in needs and not act.note.strip():
        errors["note"] = [_("请填写说明或理由")]
    if "category" in needs and act.category is None and case.category is None:
        errors["category"] = [_("请选择分类")]
    if "post" in needs and act.post is None and case.post is None:
        errors["post"] = [_("请选择处置岗位")]
    if "master" in needs and act.master is None:
        errors["master"] = [_("请选择要并入的主案")]
    if "review_date" in needs and act.review_date is None:
        errors["review_date"] = [_("请填写挂账复查日期")]
    if "until" in needs and act.until is None:
        errors["until"] = [_("请填写申请延期到的时间")]
    if "approved" in needs and act.approved is None:
        errors["approved"] = [_("请选择同意或不同意")]
    if "photo" in needs and not act.files:
        errors["files"] = [_("请上传现场照片")]
    if errors:
        raise ValidationError(errors)


def _check_choices(actor: Actor | None, act: Act, case: Case) -> None:
    """What the actor supplies must be among the action's choices (`cases.choices`): the same
    rules the case page offers its lists from."""
    errors: dict[str, list[str]] = {}
    if act.action in {"dispatch", "reassign"}:
        post = act.post or case.post
        refusal = choices.dispatch_refusal(actor, case, post) if post is not None else None
        if refusal:
            errors["post"] = [refusal]
    if act.assisting is not None:
        if act.action not in {"dispatch", "reassign"}:
            errors["assisting"] = [_("只有派遣或改派时可以指定协办岗位")]
        else:
            refused = [p for p in act.assisting if choices.dispatch_refusal(actor, case, p)]
            if refused:
                errors["assisting"] = [
                    _("协办岗位 %(codes)s 不在本工单可派遣的岗位中")
                    % {"codes": "、".join(p.code for p in refused)}
                ]
    if act.action == "register" and act.category is not None:
        refusal = choices.category_refusal(act.category)
        if refusal:
            errors["category"] = [refusal]
    if act.action == "merge" and act.master is not None and actor is not None:
        from gongzhi.cases import selectors  # selectors read cases; they never write them

        if not selectors.visible_ids(user=actor, ids=[act.master.pk]):
            errors["master"] = [_("没有找到该主案（请填写工单编号）")]
    if act.action == "request_extension":
        refusal = choices.extension_refusal(case, act.until, clock.now())
        if refusal:
            errors["until"] = [refusal]
    if act.action == "decide_extension" and choices.pending_extension(case) is None:
        errors["approved"] = [_("没有待审批的延期申请")]
    if len(act.files) > choices.MAX_PHOTOS:
        errors["files"] = [_("最多上传%(n)d张照片") % {"n": choices.MAX_PHOTOS}]
    if errors:
        raise ValidationError(errors)


def _apply(case: Case, act: Act, to_state: State) -> dict[str, Any]:
    """The side effects of each action on the case row; returns the event's data."""
    now = clock.now()
    action = act.action
    data: dict[str, Any] = {}
    if action == "register" and act.category is not None:
        case.category = act.category
        data["category"] = act.category.code
    if action in {"dispatch", "reassign"}:
        if act.post is not None:
            case.post = act.post
        assert case.post is not None
        data["post"] = case.post.code
        kept = act.assisting
        if kept is None and case.post.pk in assisting_post_ids(case):
            kept = list(case.assisting_posts.all())  # the new lead no longer assists itself
        if kept is not None:
            assisting = [p for p in kept if p.pk != case.post.pk]
            case.assisting_posts.set(assisting)
            case._assisting_post_ids = frozenset(p.pk for p in assisting)  # type: ignore[attr-defined]
            data["assisting"] = [p.code for p in assisting]
        if action == "dispatch":
            case.handle_due = sla.handle_due(now, case.category, case.node_path)
    if action == "submit":
        policy = getattr(case.category, "policy", None) if case.category else None
        if policy is not None and policy.photo_after and not act.files:
            raise invalid("files", _("该类问题须上传处置后照片"))
        case.verify_due = sla.verify_due(now, case.node_path)
    if action in {"verify", "conclude"}:
        case.closed_at = now
    if action in {"reject", "reopen"}:
        case.rework_count += 1
        case.closed_at = None
        case.verify_due = None
    if action == "merge":
        _merge_into(case, act.master)
        data["master"] = act.master.pk if act.master else None
    if action == "unmerge":
        data["master"] = case.master_id
        case.master = None
        if case.satisfaction:  # a rating of the wrong master's result does not carry over
            data["satisfaction"] = case.satisfaction
            case.satisfaction = ""
    if action == "escalate":
        _check_escalation(case)
        case.rung = Rung.BLOCK if case.rung == Rung.AREA else Rung.STREET
        data["rung"] = case.rung
    if action == "pull":
        case.rung = Rung.STREET
        data["rung"] = case.rung
    if action == "park":
        if act.review_date is not None and act.review_date <= timezone.localdate(now):
            raise invalid("review_date", _("复查日期须晚于今天"))
        case.park_review_on = act.review_date
        data["review_date"] = act.review_date.isoformat() if act.review_date else None
    if action == "request_extension":
        data["until"] = act.until.isoformat() if act.until else None
    if action == "decide_extension":
        data.update(_decide_extension(case, bool(act.approved)))
    if action == "record_attempt":
        data["rung"] = case.rung
    return data


def _merge_into(case: Case, master: Case | None) -> None:
    if master is None or master.pk == case.pk:
        raise invalid("master", _("主案不能是本工单"))
    if master.state in {State.MERGED, State.VOID}:
        raise invalid("master", _("主案已合并或作废"))
    case.master = master


def _check_escalation(case: Case) -> None:
    """Resolve locally first: a case goes up one rung only after a recorded attempt at the
    current rung, never for local-only categories, and never past the street."""
    if case.rung == Rung.STREET:
        raise invalid("note", _("已在街道层面处置，无法再上报"))
    policy = getattr(case.category, "policy", None) if case.category else None
    if policy is not None and policy.local_only:
        raise invalid("note", _("该类问题须在居民区层面解决，不得上报"))
    needs_attempt = policy is None or policy.must_try_locally
    tried = case.events.filter(action="record_attempt", data__rung=case.rung).exists()
    if needs_attempt and not tried:
        raise invalid("note", _("请先记录本级的处置尝试（做了什么、为何不能解决），再上报"))


def _decide_extension(case: Case, approved: bool) -> dict[str, Any]:
    request = choices.pending_extension(case)
    assert request is not None  # _check_choices refused the decision otherwise
    if approved:
        case.handle_due = datetime.fromisoformat(request.data["until"])
    return {"approved": approved, "request": request.seq}


# --- callback ------------------------------------------------------------------------------------


def case_rate(*, case: Case, satisfaction: str, note: str = "") -> Case:
    """The reporter's rating after closing (回访). Unsatisfied reopens the case as rework.

    A merged case is rated on the result of its master: the rating is kept on the merged case
    (its reporter's own), and an unsatisfied one reopens the master."""
    if satisfaction not in Satisfaction.values:
        raise invalid("satisfaction", _("请选择满意、基本满意或不满意"))
    outcome = outcome_of(case)
    if outcome.state != State.CLOSED:
        raise ConflictError(_("工单尚未结案，暂不能评价"))
    merged = outcome.pk != case.pk
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(satisfaction=satisfaction)
        case.refresh_from_db()
        # The grade goes into the event too, so the event log alone tells every rating (the
        # case row keeps only the latest).
        data: dict[str, Any] = {"satisfaction": satisfaction}
        if merged:
            data["master"] = outcome.pk
        rated = case_act(
            actor=None, case=case, act=Act(action="rate", version=case.version, note=note, data=data)
        )
        if satisfaction == Satisfaction.UNSATISFIED:
            target = rated
            reason = note or _("回访不满意")
            if merged:
                target = Case.objects.get(pk=outcome.pk)
                reason = _("并案工单 %(number)s 的反映人回访不满意：%(reason)s") % {
                    "number": case.number,
                    "reason": reason,
                }
            if target.state == State.CLOSED:  # another merged reporter may have reopened it
                reopened = case_act(
                    actor=None,
                    case=target,
                    act=Act(
                        action="reopen",
                        version=target.version,
                        note=reason,
                        data={"rated_case": case.pk} if merged else {},
                    ),
                )
                if not merged:
                    rated = reopened
    return rated
