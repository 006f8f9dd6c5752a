"""Matching need ↔ resource: the product proposes, staff confirm (docs/community.md).

A resource is proposed for a need when
- **category**: it serves the need's field, and is of the kind the need asks for (if it names one);
- **place**: the two lie in one street; the nearer the better: the same residential area
  first (rank 0: their deepest common node is the area or below), then the same block area
  (rank 1), then the street (rank 2);
- **time**: its availability overlaps the need's window (an open end is open), and has not
  ended before today;
and it is still offered and nobody has decided on the pair yet (a confirmed or a rejected
pair is not proposed again). Proposals come nearest first, then earliest available.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.community import common
from gongzhi.community.models import Match, MatchState, Need, NeedState, Resource
from gongzhi.core import clock
from gongzhi.core.actors import Actor, recorded
from gongzhi.core.errors import ConflictError, invalid
from gongzhi.geo import streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

SAME_AREA, SAME_BLOCK, SAME_STREET = 0, 1, 2
RANK_LABELS = {SAME_AREA: _lazy("同一居民区"), SAME_BLOCK: _lazy("同一块区"), SAME_STREET: _lazy("同一街道")}
OPEN_NEED_STATES = (NeedState.OPEN, NeedState.MATCHED)


@dataclass(frozen=True)
class Proposal:
    resource: Resource
    rank: int  # SAME_AREA, SAME_BLOCK or SAME_STREET

    @property
    def place(self) -> str:
        return str(RANK_LABELS[self.rank])


def common_path(a: str, b: str) -> str:
    """The path of the deepest node both paths lie under ("" when none)."""
    shared: list[str] = []
    for x, y in zip(a.strip("/").split("/"), b.strip("/").split("/"), strict=False):
        if x != y:
            break
        shared.append(x)
    return "/" + "/".join(shared) + "/" if shared else ""


def place_rank(need_path: str, resource_path: str, levels: dict[str, int]) -> int | None:
    """0 same area, 1 same block, 2 same street, None in different streets."""
    common = common_path(need_path, resource_path)
    level = levels.get(common)
    if level is None:
        return None
    if level >= Level.AREA:
        return SAME_AREA
    return SAME_BLOCK if level == Level.BLOCK else SAME_STREET


def overlaps(start: date | None, end: date | None, other_start: date | None, other_end: date | None) -> bool:
    """Two date windows share a day; None is an open end."""
    if end is not None and other_start is not None and end < other_start:
        return False
    return not (other_end is not None and start is not None and other_end < start)


def propose(need: Need, resources: Iterable[Resource], levels: dict[str, int], today: date) -> list[Proposal]:
    """The pure rule: which of `resources` fit `need`, nearest first (levels: path → level of
    every common node, as `levels_of` reads them)."""
    out: list[Proposal] = []
    for resource in resources:
        if not resource.active or resource.field != need.field:
            continue
        if need.wants and resource.kind != need.wants:
            continue
        if resource.available_until is not None and resource.available_until < today:
            continue
        if not overlaps(
            need.window_from, need.window_until, resource.available_from, resource.available_until
        ):
            continue
        rank = place_rank(need.node_path, resource.node_path, levels)
        if rank is not None:
            out.append(Proposal(resource, rank))
    out.sort(key=lambda p: (p.rank, p.resource.available_from or date.min, p.resource.pk))
    return out


def levels_of(need_paths: Sequence[str], resource_paths: Sequence[str]) -> dict[str, int]:
    """The levels of every node a need and a resource could share, in one query."""
    wanted = {common_path(a, b) for a in set(need_paths) for b in set(resource_paths)} - {""}
    rows = Node.objects.filter(path__in=wanted).values_list("path", "level")
    return dict(rows)


def street_of(path: str) -> str:
    return streets.street_path(path)


def candidates(need: Need, *, limit: int = 20) -> list[Proposal]:
    """Proposals for one need among the street's resources nobody has decided on yet."""
    today = clock.today()
    decided = Match.objects.filter(need=need).values("resource_id")
    pool = list(
        Resource.objects.filter(
            active=True, field=need.field, node_path__startswith=street_of(need.node_path)
        )
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .exclude(pk__in=decided)
        .select_related("unit", "node")
    )
    levels = levels_of([need.node_path], [r.node_path for r in pool])
    return propose(need, pool, levels, today)[:limit]


def _decide(actor: Actor, need: Need, resource: Resource, state: str, note: str) -> Match:
    common.require_manage(actor, need.node)
    if len(note or "") > 200:
        raise invalid("note", _("最多%(n)s个字符") % {"n": 200})
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state not in OPEN_NEED_STATES:
            raise ConflictError(_("该需求已立项或办结，不再匹配资源"))
        if Match.objects.filter(need=need, resource=resource).exists():
            raise ConflictError(_("该资源已确认过"))
        proposal = next((p for p in candidates(need, limit=10_000) if p.resource.pk == resource.pk), None)
        if proposal is None:
            raise invalid("resource", _("该资源与需求不匹配（领域、地点或时间不符，或已撤回）"))
        match = common.create_unique(
            _("该资源已确认过"),
            Match,
            need=need,
            resource=resource,
            state=state,
            rank=proposal.rank,
            note=(note or "").strip(),
            by=recorded(actor),
            at=clock.now(),
        )
        if state == MatchState.CONFIRMED and need.state == NeedState.OPEN:
            need.state = NeedState.MATCHED
            need.save(update_fields=["state"])
    return match


def match_confirm(*, actor: Actor, need: Need, resource: Resource, note: str = "") -> Match:
    """Staff confirm a proposed pair: the resource will serve the need."""
    return _decide(actor, need, resource, MatchState.CONFIRMED, note)


def match_reject(*, actor: Actor, need: Need, resource: Resource, note: str = "") -> Match:
    """Staff turn a proposal down; it is not proposed again."""
    return _decide(actor, need, resource, MatchState.REJECTED, note)
