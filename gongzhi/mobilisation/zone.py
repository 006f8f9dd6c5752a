"""An incident's zone: the nodes it covers (they may cross residential areas), checked against
the declarer's scope, and what lies in it — entrances, care subjects, buildings, the areas
whose volunteers serve there, and a point for each place (for nearness)."""

from collections.abc import Iterable, Sequence

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo import streets as geo_streets
from gongzhi.geo.levels import Level
from gongzhi.geo.locate import representative_point
from gongzhi.geo.models import Node
from gongzhi.orgs import access

MAX_ZONE = 60


def check(actor: Actor, nodes: Sequence[Node]) -> Node:
    """The zone's street, after checking each node: one street, not a household, inside the
    declarer's MOBILISE subtrees (a node of another street is never). 422 otherwise."""
    if not nodes:
        raise invalid("nodes", _("请选择动员范围"))
    if len(nodes) > MAX_ZONE:
        raise invalid("nodes", _("动员范围最多%(n)d个节点") % {"n": MAX_ZONE})
    streets = {geo_streets.street_code(n.path) for n in nodes}  # "" for a district: not a zone
    if len(streets) > 1 or "" in streets:
        raise invalid("nodes", _("动员范围须在同一街道内"))
    for n in nodes:
        if n.level == Level.HOUSEHOLD:
            raise invalid("nodes", _("动员范围应为街道、块区、居民区、小区、网格或楼栋"))
        if not access.can(actor, access.MOBILISE, n):
            raise invalid("nodes", _("%(name)s不在您可动员的辖区内") % {"name": n.name})
    code = streets.pop()
    return Node.objects.get(code=code)


def under_q(paths: Iterable[str], field: str = "path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def areas(paths: Sequence[str]) -> QuerySet[Node]:
    """The residential areas the zone touches: those under a zone node, and the area above one."""
    above = {p for path in paths for p in access.prefixes(path)}
    return Node.objects.filter(level=Level.AREA).filter(under_q(paths) | Q(path__in=above))


def buildings(paths: Sequence[str]) -> QuerySet[Node]:
    return Node.objects.filter(level=Level.BUILDING).filter(under_q(paths))


def point(node: Node, cache: dict[str, tuple[float, float] | None]) -> tuple[float, float] | None:
    """(lat, lon) of a place: its own point or boundary, else its nearest ancestor's."""
    if node.path in cache:
        return cache[node.path]
    found = representative_point(node)
    if found is None:
        chain = (
            Node.objects.filter(path__in=access.prefixes(node.path)).exclude(pk=node.pk).order_by("-level")
        )
        for ancestor in chain:
            found = representative_point(ancestor)
            if found is not None:
                break
    cache[node.path] = found
    return found
