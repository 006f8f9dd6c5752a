"""What the community demo's steps share (demo.community, communityledger, communitylists): the
street's residential areas with the posts that act for them — the Party secretary (who decides,
approves and signs for the community) and the committee director (who enters, proposes and
records) — their accounts, the clock, and small helpers for dates in the demo's year."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from gongzhi.community import places
from gongzhi.demo import bulk
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Post

M = TypeVar("M", bound=models.Model)
DEMO_AREA = "FL-R01"  # the demo logins' area (secretary, committee, partner, member)


@dataclass
class Area:
    index: int
    node: Node
    org_id: int  # its Party organisation (社区党委 / 党总支): decides 双报到, keeps the ledger
    secretary: int  # user id of the Party secretary
    secretary_post: Post
    director: int  # user id of the 居委会主任 (committee staff)
    director_post: Post


@dataclass
class World:
    street: Node
    now: datetime
    areas: list[Area]
    rng: random.Random
    by_path: dict[str, Area] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_path = {a.node.path: a for a in self.areas}

    @property
    def today(self) -> date:
        return self.local(self.now).date()

    @property
    def year_ago(self) -> date:
        return self.today - timedelta(days=365)

    def area_of(self, path: str) -> Area:
        """The residential area a node path lies in (/SFQ/FL/FL-K1/FL-R01/...: the areas all
        sit at one depth, under the district and a block)."""
        depth = self.street.path.count("/") + 2  # "", the street's segments, block, area
        return self.by_path["/".join(path.split("/")[:depth]) + "/"]

    @staticmethod
    def local(at: datetime) -> datetime:
        return at.astimezone(ZoneInfo(settings.TIME_ZONE))

    def day_between(self, start: date, end: date) -> date:
        """A day in [start, end] (end if the window is empty)."""
        span = (end - start).days
        return end if span <= 0 else start + timedelta(days=self.rng.randint(0, span))

    def at(self, day: date, *, not_after: datetime | None = None) -> datetime:
        """Office hours on `day` (09:00–17:00 in Shanghai), never after `not_after` (now)."""
        moment = datetime.combine(
            day, time(self.rng.randint(9, 16), self.rng.randrange(60)), ZoneInfo(settings.TIME_ZONE)
        )
        limit = not_after or self.now
        return min(moment, limit - timedelta(minutes=self.rng.randint(5, 90)))

    def after(self, start: datetime, *, days: float) -> datetime:
        """Some time within `days` after `start`, kept before now."""
        moment = start + timedelta(hours=self.rng.uniform(1, max(1.0, days * 24)))
        return min(moment, self.now - timedelta(minutes=self.rng.randint(5, 60)))


def load_world(street: Node, now: datetime, rng: random.Random) -> World:
    """The street's areas with their Party organisation and the two posts' accounts (every
    seat-holder has one: demo.meetingbook.ensure_users)."""
    nodes = list(Node.objects.filter(path__startswith=street.path, level=Level.AREA).order_by("code"))
    posts = {
        p.code: p
        for p in Post.objects.filter(code__in=[f"{n.code}-{s}" for n in nodes for s in ("SJ", "ZR")])
        .select_related("person", "node")
        .order_by("code")
    }
    areas: list[Area] = []
    for index, node in enumerate(nodes):
        org = places.area_party_org(node)
        secretary, director = posts[f"{node.code}-SJ"], posts[f"{node.code}-ZR"]
        if org is None or secretary.person.user_id is None or director.person.user_id is None:
            raise ValueError(f"demo area {node.code} lacks its Party organisation or post accounts")
        areas.append(
            Area(index, node, org.pk, secretary.person.user_id, secretary, director.person.user_id, director)
        )
    return World(street=street, now=now, areas=areas, rng=rng)


def insert(model: type[M], objs: list[M]) -> list[M]:
    """Raw inserts (demo.bulk) in chunks; the objects get their ids."""
    for start in range(0, len(objs), 5000):
        bulk.insert_objects(model, objs[start : start + 5000])
    return objs


def weighted(rng: random.Random, options: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]
