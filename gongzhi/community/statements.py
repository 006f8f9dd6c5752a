"""What the ledger shows (docs/community.md "Statements"): a member's monthly statement, the
half-year showing (晾晒), the yearly assessment with the street's grades, the branch rankings,
the 点赞 board and the 亮丑 side. Every total is summed from the entries in SQL (per member, then
added up per branch); nothing is stored.

Callers pass a subtree path they have already checked (VIEW_COMMUNITY over it). The 亮丑 side
is branch aggregates only, never a person, and its names go through core.scrub like every
public text."""

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gongzhi.community.choices import EntryKind
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


def _members_under(path: str, year: int) -> QuerySet[PartyMember]:
    """Members kept by branches under `path` in `year`: their organisation is there, or an entry
    of that year is (a member registered here from elsewhere). A member who served here in an
    earlier year only, and belongs elsewhere, is not kept here now."""
    return PartyMember.objects.filter(
        Q(org__node__path__startswith=path)
        | Q(pk__in=PointEntry.objects.filter(year=year, node_path__startswith=path).values("member_id"))
    )


def _half(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


@dataclass
class BranchStatement:
    """What the branch page shows for a subtree and a year: the half's 晾晒, the branch
    rankings, the 点赞 board and the 亮丑 side."""

    showing: list[dict[str, Any]]
    branches: list[dict[str, Any]]
    likes: list[dict[str, Any]]
    shame: list[dict[str, Any]]


# A deduction stands unless reversed. A reversal is never reversed itself and keeps the branch,
# the path and the year of the entry it corrects (community.ledger._reverse), so within one
# branch and year the deductions reversed are exactly the reversals with positive points: the
# standing ones are counted without joining each entry to its reversal.
_DEDUCTION = Q(points__lt=0) & ~Q(kind=EntryKind.REVERSAL)
_DEDUCTION_REVERSED = Q(points__gt=0, kind=EntryKind.REVERSAL)


def _entry_sums(path: str, year: int, half: int) -> list[dict[str, Any]]:
    """The year's entries under `path`, summed in SQL per member, branch and member type (as
    recorded on the entry): one scan of the subtree's entries for everything the branch page
    shows."""
    start, end = _half(year, half)
    return list(
        PointEntry.objects.filter(year=year, node_path__startswith=path)
        .values("member_id", "branch_id", "member_type")
        .annotate(
            year_points=Sum("points"),
            half_points=Sum("points", filter=Q(occurred_on__gte=start, occurred_on__lte=end)),
            deductions=Count("member_id", filter=_DEDUCTION),
            deducted=Sum("points", filter=_DEDUCTION),
            reversed=Count("member_id", filter=_DEDUCTION_REVERSED),
            restored=Sum("points", filter=_DEDUCTION_REVERSED),
        )
        .order_by()
    )


def _member_rows(path: str, member_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Name, organisation and type of the members kept under `path`: those whose organisation
    is there, and those with an entry there this year (`member_ids`) who belong elsewhere."""
    fields = ("pk", "person__name", "org__name", "member_type")
    rows = {r["pk"]: r for r in PartyMember.objects.filter(org__node__path__startswith=path).values(*fields)}
    elsewhere = member_ids - rows.keys()
    if elsewhere:
        rows.update({r["pk"]: r for r in PartyMember.objects.filter(pk__in=elsewhere).values(*fields)})
    return rows


def branch_statement(path: str, year: int, half: int, likes: int = 10) -> BranchStatement:
    """The branch page's four parts from one aggregate of the entries and one read of the
    members (the page was five scans of the subtree's entries)."""
    sums = _entry_sums(path, year, half)
    members = _member_rows(path, {r["member_id"] for r in sums})
    names = dict(PartyOrg.objects.filter(pk__in={r["branch_id"] for r in sums}).values_list("pk", "name"))
    return BranchStatement(
        showing=_showing(sums, members),
        branches=_rankings(sums, names),
        likes=_likes(sums, members, names, likes),
        shame=_shame(sums, names),
    )


def _showing(sums: list[dict[str, Any]], members: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    half: dict[int, int] = {}
    for r in sums:
        half[r["member_id"]] = half.get(r["member_id"], 0) + int(r["half_points"] or 0)
    rows = [
        {
            "member": pk,
            "name": m["person__name"],
            "type": m["member_type"],
            "org": m["org__name"],
            "points": half.get(pk, 0),
        }
        for pk, m in members.items()
        if m["member_type"] in RANKED_TYPES
    ]
    rows.sort(key=lambda r: (-r["points"], r["name"]))
    return rows


def _rankings(sums: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    points: dict[int, int] = {}
    people: dict[int, set[int]] = {}
    for r in sums:
        if r["member_type"] in RANKED_TYPES:
            points[r["branch_id"]] = points.get(r["branch_id"], 0) + int(r["year_points"] or 0)
            people.setdefault(r["branch_id"], set()).add(r["member_id"])
    out: list[dict[str, Any]] = [
        {
            "branch": branch,
            "name": names.get(branch, ""),
            "points": total,
            "members": len(people[branch]),
            "average": round(total / len(people[branch]), 1),
        }
        for branch, total in points.items()
    ]
    out.sort(key=lambda r: (-r["average"], r["name"]))
    return out


def _likes(
    sums: list[dict[str, Any]], members: dict[int, dict[str, Any]], names: dict[int, str], n: int
) -> list[dict[str, Any]]:
    points: dict[tuple[int, int], int] = {}
    for r in sums:
        if r["member_type"] in RANKED_TYPES:
            key = (r["member_id"], r["branch_id"])
            points[key] = points.get(key, 0) + int(r["year_points"] or 0)
    out = [
        {
            "member": member,
            "name": members[member]["person__name"],
            "branch": names.get(branch, ""),
            "points": p,
        }
        for (member, branch), p in points.items()
        if p > 0
    ]
    out.sort(key=lambda r: (-r["points"], r["name"]))
    return out[:n]


def _shame(sums: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    count: dict[str, int] = {}
    points: dict[str, int] = {}
    for r in sums:
        name = names.get(r["branch_id"], "")
        count[name] = count.get(name, 0) + r["deductions"] - r["reversed"]
        points[name] = points.get(name, 0) - int(r["deducted"] or 0) - int(r["restored"] or 0)
    return [
        {"branch": public_text(name), "deductions": count[name], "points": points[name]}
        for name in sorted(count)
        if count[name] > 0
    ]


def showing(path: str, year: int, half: int) -> list[dict[str, Any]]:
    """晾晒: each ranked member's points in the half-year (1: Jan–Jun, 2: Jul–Dec), most first."""
    return branch_statement(path, year, half).showing


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
    for member_id, member_type in _members_under(street_path, year).values_list("pk", "member_type"):
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
    return branch_statement(path, year, 1).branches


def like_board(path: str, year: int, n: int = 10) -> list[dict[str, Any]]:
    """点赞: the members with most points this year (ranked types), for staff pages."""
    return branch_statement(path, year, 1, likes=n).likes


def shame_side(path: str, year: int) -> list[dict[str, Any]]:
    """亮丑: per branch, how many deductions stand and how many points they cost. Aggregates
    only (no person, no entry): safe for a public page."""
    return branch_statement(path, year, 1).shame
