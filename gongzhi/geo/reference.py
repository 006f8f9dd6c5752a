"""Nodes by code through the process's reference snapshot (core.refdata): an intake names its
place by code, and the answer is the same until the tree changes. Boundaries are left unread
(decoding a street's polygon costs more than the lookup); read them from the database."""

from gongzhi.core import refdata
from gongzhi.geo.models import Node


def nodes_by_code(codes: list[str]) -> dict[str, Node]:
    """{code: node} for the codes that exist. Shared objects: read-only."""

    def load(missing: list[str]) -> dict[str, Node]:
        return {n.code: n for n in Node.objects.filter(code__in=missing).order_by().defer("geometry")}

    return refdata.snapshot().get_many("node", codes, load)


def node_by_code(code: str) -> Node | None:
    return nodes_by_code([code]).get(code)
