"""项目认领 and the 共建承诺书 (co-building pledge), countersigned the way task slips are: through
core.signing (ADR 0023). A unit claims an open project once (the pledge is one-to-one with the
project: a second claim is refused); the claim writes version 1 of the pledge from the project
and the unit's commitments; the unit and the community (the Party secretary or committee staff
of the project's place) each sign the version they read; a revision by the committee makes the
next version, leaves the earlier signatures on record as superseded and refuses signatures of
the superseded version; when both sides have signed the current version the pledge is in force
and the project under way.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.community import common, notifications, projects, workflow
from gongzhi.community.models import (
    Pledge,
    PledgeSide,
    PledgeSignature,
    PledgeState,
    PledgeVersion,
    Project,
)
from gongzhi.core import clock, outbox, signing
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.orgs import access
from gongzhi.orgs.models import Post, Unit
from gongzhi.orgs.roles import PostRole

COMMUNITY_SIGNERS = (
    PostRole.PARTY_SECRETARY,
    PostRole.COMMITTEE_STAFF,
    PostRole.BLOCK_CADRE,
    PostRole.STREET_CADRE,
    PostRole.STREET_ADMIN,
)


def content(project: Project, pledge: Pledge, commitments: str) -> dict[str, Any]:
    """What both signatures vouch for: the project, the unit, what it commits to, the money,
    the dates and the milestones, as of this version."""
    return {
        "pledge": pledge.pk,
        "version": pledge.version,
        "project": project.number,
        "title": project.title,
        "summary": project.summary,
        "place": project.node.code,
        "place_name": project.node.name,
        "unit": pledge.unit.code,
        "unit_name": pledge.unit.name,
        "commitments": commitments,
        "budget": str(project.budget),
        "starts_on": project.starts_on.isoformat(),
        "ends_on": project.ends_on.isoformat(),
        "milestones": [[m.seq, m.title, m.due.isoformat()] for m in project.milestones.order_by("seq")],
    }


def current_version(pledge: Pledge) -> PledgeVersion:
    return pledge.versions.get(number=pledge.version)


def _write_version(
    pledge: Pledge, project: Project, commitments: str, actor: Actor, note: str
) -> PledgeVersion:
    body = content(project, pledge, commitments)
    return PledgeVersion.objects.create(
        pledge=pledge,
        number=pledge.version,
        content=body,
        content_hash=signing.content_hash(body),
        note=note,
        written_by=recorded(actor),
        written_at=clock.now(),
    )


def project_claim(*, actor: Actor, project: Project, unit: Unit, commitments: str) -> Pledge:
    """项目认领: the unit's staff (or the committee, entering it for the unit) claim an open
    project with what the unit commits to. Claiming a claimed project is refused (409)."""
    with transaction.atomic():
        project = projects._locked(project)
        before = project.state
        project.state = workflow.step(project.state, "claim", projects.kinds(actor, project, claiming=True))
        text = common.text(commitments, "commitments", _("请填写本单位的共建承诺"), limit=2000)
        if not unit.active:
            raise invalid("unit", _("该单位已停用"))
        if unit.pk not in access.held_unit_ids(actor) and not common.may_manage(actor, project.node):
            raise PermissionDeniedError(_("只能以本单位名义认领项目"))
        now = clock.now()
        project.claimed_by = unit
        project.claimed_at = now
        pledge = common.create_unique(
            _("该项目已被认领，不能再认领"), Pledge, project=project, unit=unit, created_at=now
        )
        _write_version(pledge, project, text, actor, "")
        common.record(project, "claim", actor, frm=before, unit=unit.code, pledge=pledge.pk)
        outbox.enqueue_all(notifications.claimed(project, pledge))
    return pledge


def signer_post(actor: Actor, pledge: Pledge, side: str) -> Post | None:
    """The actor's active post through which they sign for `side`: a post in the claiming unit;
    for the community, a Party secretary's, committee's or cadre's post over the project's place."""
    post_ids = access.scope(actor).post_ids
    posts = Post.objects.filter(pk__in=post_ids).select_related("person", "node").order_by("code")
    if side == PledgeSide.UNIT:
        return posts.filter(unit_id=pledge.unit_id).first()
    path = pledge.project.node_path
    for post in posts.filter(role__in=COMMUNITY_SIGNERS):
        if path.startswith(post.node.path) and access.can(
            actor, access.MANAGE_COMMUNITY, pledge.project.node
        ):
            return post
    return None


def signable_sides(actor: Actor, pledge: Pledge) -> list[str]:
    """The sides the actor may sign for now (the page offers these)."""
    if pledge.state != PledgeState.SIGNING:
        return []
    signed = set(pledge.signatures.filter(version=pledge.version).values_list("side", flat=True))
    return [s for s in PledgeSide.values if s not in signed and signer_post(actor, pledge, s) is not None]


def pledge_sign(*, actor: Actor, pledge: Pledge, version: int, side: str | None = None) -> PledgeSignature:
    """One side signs the version it read. A superseded version is refused (409), so is a
    second signature of the same side; when both sides have signed, the pledge is in force."""
    with transaction.atomic():
        project = projects._locked(pledge.project)
        pledge = Pledge.objects.select_for_update().select_related("unit", "project__node").get(pk=pledge.pk)
        workflow.step(project.state, "sign", {workflow.UNIT, workflow.STAFF})
        sides = [side] if side else list(PledgeSide.values)
        if side is not None and side not in PledgeSide.values:
            raise invalid("side", _("签署方无效"))
        found = [(s, p) for s in sides if (p := signer_post(actor, pledge, s)) is not None]
        if not found:
            raise PermissionDeniedError(_("您不是认领单位或该居民区党组织（居委会）的人员，不能签署"))
        signing.check_version(
            read=version,
            current=pledge.version,
            message=_("承诺书已修订为第%(v)d版，请阅读新版本后再签署") % {"v": pledge.version},
        )
        signed = set(pledge.signatures.filter(version=pledge.version).values_list("side", flat=True))
        chosen = next(((s, p) for s, p in found if s not in signed), None)
        if chosen is None:
            raise ConflictError(_("您这一方已签署此版本"))
        the_side, post = chosen
        text = current_version(pledge)
        if signing.content_hash(text.content) != text.content_hash:  # never rewritten, but checked
            raise invalid("version", _("承诺书内容与摘要不符，请联系管理员"))
        signer = recorded(actor)
        signature = signing.create_once(
            lambda: PledgeSignature.objects.create(
                pledge=pledge,
                version=pledge.version,
                side=the_side,
                signer=signer,
                signer_name=post.person.name if post.person else signer.get_username(),
                signer_post=post,
                content_hash=text.content_hash,
                at=clock.now(),
            ),
            message=_("您这一方已签署此版本"),
        )
        common.record(project, "sign", actor, frm=project.state, side=the_side, version=pledge.version)
        if signed | {the_side} >= set(PledgeSide.values):
            _in_force(project, pledge)
    return signature


def _in_force(project: Project, pledge: Pledge) -> None:
    pledge.state = PledgeState.IN_FORCE
    pledge.in_force_at = clock.now()
    pledge.save(update_fields=["state", "in_force_at"])
    before = project.state
    project.state = workflow.step(project.state, "in_force", {workflow.SYSTEM})
    common.record(project, "in_force", None, frm=before, version=pledge.version)
    outbox.enqueue_all(notifications.in_force(project, pledge))


def pledge_revise(
    *,
    actor: Actor,
    pledge: Pledge,
    commitments: str,
    note: str,
    milestones: Sequence[projects.Step] | None = None,
) -> Pledge:
    """The committee revises the pledge before it is in force: the next version; signatures of
    earlier versions stay on record, superseded, and both sides sign again."""
    with transaction.atomic():
        project = projects._locked(pledge.project)
        workflow.step(project.state, "revise_pledge", projects.kinds(actor, project))
        pledge = Pledge.objects.select_for_update().select_related("unit").get(pk=pledge.pk)
        reason = common.text(note, "note", _("修订承诺书须说明理由"), limit=500)
        text = common.text(commitments, "commitments", _("请填写本单位的共建承诺"), limit=2000)
        if milestones is not None:
            projects.write_milestones(
                project, projects.validate_steps(milestones, project.starts_on, project.ends_on)
            )
        superseded = list(pledge.signatures.filter(version=pledge.version).values_list("pk", flat=True))
        pledge.version += 1
        pledge.save(update_fields=["version"])
        _write_version(pledge, project, text, actor, reason)
        common.record(
            project,
            "revise_pledge",
            actor,
            frm=project.state,
            note=reason,
            version=pledge.version,
            superseded=superseded,
        )
        outbox.enqueue_all(notifications.to_sign(project, pledge, reason))
    return pledge


def commitments_of(pledge: Pledge) -> str:
    return str(current_version(pledge).content.get("commitments", ""))
