"""The live board's figures (docs/mobilisation.md "The board"): entrances to guard now and
those manned (someone checked in on the shift now running), households reached of those to
reach, supplies delivered, doors checked, open gaps. Counted from the tables at each read."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.core import clock
from gongzhi.mobilisation import selectors
from gongzhi.mobilisation.choices import AssignmentState, ItemKind
from gongzhi.mobilisation.models import CoverageItem, Incident, Shift


@dataclass
class PostNow:
    name: str
    shift: str
    need: int
    on_duty: int

    @property
    def manned(self) -> bool:
        return self.on_duty > 0


@dataclass
class Figures:
    at: datetime
    posts_now: list[PostNow] = field(default_factory=list)
    entrances_to_guard: int = 0
    entrances_manned: int = 0
    households: tuple[int, int] = (0, 0)  # reached, to reach
    supplies: tuple[int, int] = (0, 0)  # delivered, to deliver (quantities)
    doors: tuple[int, int] = (0, 0)  # checked, to check
    gaps: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "entrances_to_guard": self.entrances_to_guard,
            "entrances_manned": self.entrances_manned,
            "households_reached": self.households[0],
            "households_to_reach": self.households[1],
            "supplies_delivered": self.supplies[0],
            "supplies_to_deliver": self.supplies[1],
            "doors_checked": self.doors[0],
            "doors_to_check": self.doors[1],
            "gaps": self.gaps,
            "posts": [
                {"name": p.name, "shift": p.shift, "need": p.need, "on_duty": p.on_duty, "manned": p.manned}
                for p in self.posts_now
            ],
        }


def figures(incident: Incident, at: datetime | None = None) -> Figures:
    from django.utils import timezone

    now = at or clock.now()
    out = Figures(at=now)
    running = (
        Shift.objects.filter(post__incident=incident, starts_at__lte=now, ends_at__gt=now)
        .select_related("post")
        .annotate(on_duty=Count("assignments", filter=Q(assignments__state=AssignmentState.CHECKED_IN)))
        .order_by("post_id")
    )
    for s in running:
        st, en = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        out.posts_now.append(PostNow(s.post.name, f"{st:%H:%M}–{en:%H:%M}", s.need, s.on_duty))
        if s.post.entrance_id is not None:
            out.entrances_to_guard += 1
            out.entrances_manned += int(s.on_duty > 0)
    counts = {
        row["kind"]: row
        for row in CoverageItem.objects.filter(incident=incident)
        .values("kind")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(done_at__isnull=False)),
            qty=Sum("quantity"),
            qty_done=Sum("quantity", filter=Q(done_at__isnull=False)),
        )
    }

    def pair(kind: str, quantities: bool = False) -> tuple[int, int]:
        row = counts.get(kind)
        if row is None:
            return (0, 0)
        if quantities:
            return (row["qty_done"] or 0, row["qty"] or 0)
        return (row["done"], row["total"])

    out.households = pair(ItemKind.HOUSEHOLD)
    out.supplies = pair(ItemKind.SUPPLY, quantities=True)
    out.doors = pair(ItemKind.DOOR_CHECK)
    out.gaps = selectors.gaps_q(incident, now).count()
    return out
