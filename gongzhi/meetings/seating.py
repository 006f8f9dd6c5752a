"""Who sits where at a meeting, and the attendance figures that add up (1+8+X).

One invitation per person (a joint meeting's police officer serves two areas but sits once):
`Participant.post` is the seat they were invited for, `also_posts` the other posts they
represent. The table lists the Party organisation first, then the standing seats in their
fixed order, then the X participants by name. The figures count people, per group:
应到 = 出席 + 委托出席 + 缺席 + 未登记, and 实到 = 出席 + 委托出席.

Plain reads, shared by the meeting page, the API and the documents (no writes here).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.meetings.kinds import AREA_SEATS, Attendance
from gongzhi.meetings.models import Meeting, Participant
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import MeetingRole

PARTY, STANDING, X = "party", "standing", "x"
GROUPS: tuple[str, ...] = (PARTY, STANDING, X)
GROUP_LABELS = {
    PARTY: _("党组织"),
    STANDING: _("固定席位"),
    X: _("列席（X）"),
}
SEAT_ORDER = {seat: i for i, seat in enumerate(AREA_SEATS)}


def participants(meeting: Meeting) -> list[Participant]:
    """The meeting's participants with what the table shows, in table order."""
    rows = meeting.participants.select_related(
        "unit", "post__person", "post__node", "post__unit"
    ).prefetch_related("also_posts__node")
    return ordered(rows)


def seats_of(p: Participant) -> set[str]:
    """Every seat the person fills: the one invited for and those of the posts they also hold."""
    seats = {p.seat} if p.seat else set()
    seats.update(post.meeting_role for post in p.also_posts.all() if post.meeting_role)
    return seats


def group_of(p: Participant) -> str:
    if MeetingRole.PARTY_ORG in seats_of(p):
        return PARTY
    return STANDING if p.standing else X


def ordered(rows: Iterable[Participant]) -> list[Participant]:
    """The Party organisation first, then the standing seats in the 1+8 order, then X."""

    def key(p: Participant) -> tuple[int, int, int]:
        return (GROUPS.index(group_of(p)), SEAT_ORDER.get(p.seat, len(SEAT_ORDER)), p.pk or 0)

    return sorted(rows, key=key)


def represented_posts(p: Participant) -> list[Post]:
    """The posts the person represents: the invited one first, then the others."""
    posts = [p.post] if p.post is not None else []
    return posts + sorted(p.also_posts.all(), key=lambda post: (post.node.path, post.code))


def represents(p: Participant) -> str:
    """For a person holding several posts at the table, the places they answer for
    ("锦绣居民区、和平居民区"); empty for everyone else."""
    posts = represented_posts(p)
    if len(posts) < 2:
        return ""
    names: list[str] = []
    for post in posts:
        if post.node.name not in names:
            names.append(post.node.name)
    return "、".join(names)


@dataclass
class Figures:
    invited: int = 0  # 应到
    present: int = 0  # 出席
    delegate: int = 0  # 委托出席
    absent: int = 0  # 缺席
    unmarked: int = 0  # 未登记

    @property
    def came(self) -> int:  # 实到
        return self.present + self.delegate

    def add(self, attendance: str) -> None:
        self.invited += 1
        if attendance == Attendance.PRESENT:
            self.present += 1
        elif attendance == Attendance.DELEGATE:
            self.delegate += 1
        elif attendance == Attendance.ABSENT:
            self.absent += 1
        else:
            self.unmarked += 1


@dataclass
class Group:
    code: str
    label: Any
    people: list[Participant] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)


@dataclass
class Roll:
    groups: list[Group]
    total: Figures

    @property
    def x_people(self) -> list[Participant]:
        return next(g.people for g in self.groups if g.code == X)


def roll(rows: Iterable[Participant]) -> Roll:
    """The participants in table order, by group, with each group's figures and the total."""
    groups = {code: Group(code, GROUP_LABELS[code]) for code in GROUPS}
    total = Figures()
    for p in ordered(rows):
        group = groups[group_of(p)]
        group.people.append(p)
        group.figures.add(p.attendance)
        total.add(p.attendance)
    return Roll([groups[c] for c in GROUPS], total)
