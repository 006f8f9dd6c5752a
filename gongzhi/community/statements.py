"""What the ledger shows (docs/community.md "Statements"): a member's monthly statement, the
half-year showing (晾晒), the yearly assessment with the street's grades, the branch rankings,
the 点赞 board and the 亮丑 side. Every total is a sum of entries in SQL; nothing is stored.

Callers pass a subtree path they have already checked (VIEW_COMMUNITY over it). The 亮丑 side
is branch aggregates only, never a person, and its names go through core.scrub like every
public text."""

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gongzhi.community.member_types import TREATMENTS
from gongzhi.community.models import GradeBand, PointEntry
from gongzhi.core.scrub import public_text
from gongzhi.orgs.models import PartyMember, PartyOrg

RANKED_TYPES = [t for t, tr in TREATMENTS.items() if tr.ranked]
GRADED_TYPES = [t for t, tr in TREATMENTS.items() if tr.graded]


@dataclass
class Statement:
    year: int
    month: int
    opening: int  # the year's points before the month
    entries: list[PointEntry] = field(default_factory=list)
    month_total: int = 0
    closing: int = 0


def month_statement(member: PartyMember, year: int, month: int) -> Statement:
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    rows = PointEntry.objects.filter(member=member, year=year)
    opening = rows.filter(occurred_on__lt=first).aggregate(s=Sum("points"))["s"] or 0
    month_rows = list(
        rows.filter(occurred_on__gte=first, occurred_on__lte=last)
        .select_related("rule")
        .order_by("occurred_on", "id")
    )
    total = sum(e.points for e in month_rows)
    return Statement(year, month, opening, month_rows, total, opening + total)


def year_total(member: PartyMember, year: int) -> int:
    return int(PointEntry.objects.filter(member=member, year=year).aggregate(s=Sum("points"))["s"] or 0)


def _members_under(path: str) -> QuerySet[PartyMember]:
    """Members kept by branches under `path`: their organisation is there, or an entry is."""
    return PartyMember.objects.filter(
        Q(org__node__path__startswith=path)
        | Q(pk__in=PointEntry.objects.filter(node_path__startswith=path).values("member_id"))
    )


def showing(path: str, year: int, half: int) -> list[dict[str, Any]]:
    """晾晒: each member's points in the half-year (1: Jan–Jun, 2: Jul–Dec), most first."""
    start, end = (
        (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))
    )
    sums = dict(
        PointEntry.objects.filter(
            year=year, node_path__startswith=path, occurred_on__gte=start, occurred_on__lte=end
        )
        .values_list("member_id")
        .annotate(s=Sum("points"))
        .values_list("member_id", "s")
    )
    members = _members_under(path).filter(member_type__in=RANKED_TYPES).select_related("person", "org")
    rows: list[dict[str, Any]] = [
        {
            "member": m.pk,
            "name": m.person.name,
            "type": m.member_type,
            "org": m.org.name,
            "points": int(sums.get(m.pk, 0)),
        }
        for m in members
    ]
    rows.sort(key=lambda r: (-r["points"], r["name"]))
    return rows


def grade_for(total: int, bands: list[GradeBand]) -> str:
    for band in bands:  # highest first
        if total >= band.min_points:
            return band.grade
    return ""


def assessment(street_path: str, street_code: str, year: int) -> list[dict[str, Any]]:
    """The yearly assessment of every member kept under the street: their total and, for the
    types that are graded, the grade from the street's bands. One aggregate query."""
    bands = list(GradeBand.objects.filter(street__code=street_code).order_by("-min_points"))
    sums = dict(
        PointEntry.objects.filter(year=year, node_path__startswith=street_path)
        .values("member_id")
        .annotate(s=Sum("points"))
        .values_list("member_id", "s")
    )
    out = []
    for member_id, member_type in _members_under(street_path).values_list("pk", "member_type"):
        total = int(sums.get(member_id, 0))
        graded = member_type in GRADED_TYPES
        out.append(
            {
                "member": member_id,
                "type": member_type,
                "points": total,
                "grade": grade_for(total, bands) if graded else "",
            }
        )
    return out


def branch_rankings(path: str, year: int) -> list[dict[str, Any]]:
    """Branches under `path` by average points per ranked member this year."""
    rows = (
        PointEntry.objects.filter(year=year, node_path__startswith=path, member_type__in=RANKED_TYPES)
        .values("branch_id")
        .annotate(points=Sum("points"), members=Count("member_id", distinct=True))
    )
    names = dict(PartyOrg.objects.filter(pk__in=[r["branch_id"] for r in rows]).values_list("pk", "name"))
    out = [
        {
            "branch": r["branch_id"],
            "name": names.get(r["branch_id"], ""),
            "points": int(r["points"] or 0),
            "members": r["members"],
            "average": round((r["points"] or 0) / r["members"], 1) if r["members"] else 0.0,
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-r["average"], r["name"]))
    return out


def like_board(path: str, year: int, n: int = 10) -> list[dict[str, Any]]:
    """点赞: the members with most points this year (ranked types), for staff pages."""
    rows = (
        PointEntry.objects.filter(year=year, node_path__startswith=path, member_type__in=RANKED_TYPES)
        .values("member_id", "member__person__name", "branch__name")
        .annotate(points=Sum("points"))
        .filter(points__gt=0)
        .order_by("-points", "member__person__name")[:n]
    )
    return [
        {
            "member": r["member_id"],
            "name": r["member__person__name"],
            "branch": r["branch__name"],
            "points": r["points"],
        }
        for r in rows
    ]


def shame_side(path: str, year: int) -> list[dict[str, Any]]:
    """亮丑: per branch, how many deductions stand and how many points they cost. Aggregates
    only (no person, no entry): safe for a public page."""
    standing = Q(points__lt=0, kind__in=["auto", "manual"], reversed_by__isnull=True)
    rows = (
        PointEntry.objects.filter(standing, year=year, node_path__startswith=path)
        .values("branch__name")
        .annotate(deductions=Count("id"), points=Sum("points"))
        .order_by("branch__name")
    )
    return [
        {
            "branch": public_text(r["branch__name"]),
            "deductions": r["deductions"],
            "points": -int(r["points"] or 0),
        }
        for r in rows
    ]
