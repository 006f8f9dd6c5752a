"""Reads of the jurisdiction tree. Scoping by user lives in orgs.access, which calls these."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.geo.models import Node, NodeChange


def subtree_q(paths: Iterable[str], prefix: str = "") -> Q:
    """Q for rows whose node lies under any of the given paths (`prefix` names the node FK).

    A prefix LIKE on the indexed materialised path: one query, no recursion.
    """
    field = f"{prefix}__path__startswith" if prefix else "path__startswith"
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{field: path})
    return q


def descendants(node: Node, *, level: int | None = None, include_self: bool = True) -> QuerySet[Node]:
    qs = Node.objects.filter(path__startswith=node.path)
    if not include_self:
        qs = qs.exclude(pk=node.pk)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def ancestors(node: Node, *, include_self: bool = True) -> QuerySet[Node]:
    codes = node.ancestor_codes()
    if not include_self:
        codes = codes[:-1]
    return Node.objects.filter(code__in=codes).order_by("path")


def children(node: Node | None) -> QuerySet[Node]:
    return Node.objects.filter(parent=node).order_by("code")


def geojson_feature_collection(nodes: Iterable[Node]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the given nodes (those without geometry carry null)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": node.code,
                "geometry": node.geometry,
                "properties": {
                    "code": node.code,
                    "name": node.name,
                    "level": node.level,
                    "level_name": str(node.get_level_display()),
                    "parent": node.path.rstrip("/").split("/")[-2] if node.parent_id else None,
                    "address": node.address,
                },
            }
            for node in nodes
        ],
    }


def node_history(node: Node) -> QuerySet[NodeChange]:
    """The node's change log (created, renamed, moved, updated), oldest first."""
    return NodeChange.objects.filter(node=node).select_related("actor").order_by("at", "id")
