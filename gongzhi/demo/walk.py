"""Where walk S1 happens in the demo street: the estate whose everyday 楼道堆物 report the
routing rule gives to a post held by a demo login, and who verifies there (`gongzhi walk_s1`)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from gongzhi.cases import routing
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category, Post

CATEGORY = "LD01"  # 楼道堆物
VERIFIER = "committee"  # the 居委会主任 of FL-R01: the dispatcher who verifies at the area's rung


@dataclass(frozen=True)
class Place:
    estate: Node
    post: Post
    holder: str  # the demo login holding the routed post
    verifier: str


def s1_place() -> Place | None:
    """The first estate of the verifier's residential area whose 楼道堆物 route ends at a post a
    demo user holds (锦绣小区 in the demo: its property manager is the `property` login)."""
    users = get_user_model().objects
    verifier = users.filter(username=VERIFIER, person__isnull=False).select_related("person").first()
    if verifier is None:
        return None
    area = (
        Post.objects.filter(person=verifier.person, active_until__isnull=True).select_related("node").first()
    )
    category = Category.objects.filter(code=CATEGORY).first()
    if area is None or category is None:
        return None
    estates = Node.objects.filter(path__startswith=area.node.path, level=Level.ESTATE).order_by("code")
    for estate in estates:
        post = routing.route(category=category, node=estate).post
        holder = users.filter(person__pk=post.person_id).first() if post and post.person_id else None
        if post is not None and holder is not None:
            return Place(estate, post, holder.get_username(), VERIFIER)
    return None
