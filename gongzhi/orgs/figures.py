"""The card figures kept per node (NodeFigure): a node's descendants by level and residents by
age, which aggregate its whole subtree — 2.2 s for a street and 5.9 s for a district of a
million residents, once per home page. Pages read the kept rows (`of`); a node without a row
counted today is counted on the spot and kept; the scheduled rollup counts every kept node
again (`refresh_kept`, every 10 minutes), so a page reads figures at most one run old (ADR 0045).
Below the residential area (estates, grids, buildings: the tree browser's deeper cards) a count
is cheap and the rollup leaves it alone: such a row serves for KEEP_BELOW_AREA, then is counted
again on view.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import NodeFigure
from gongzhi.orgs.selectors import NodeFigures, count_node_figures

FIELDS = ["levels", "residents", "aged_60", "aged_80", "aged_80_alone", "counted_on", "counted_at"]
KEEP_BELOW_AREA = timedelta(minutes=10)  # as long as the rollup's cadence keeps the upper levels


def of(nodes: list[Node]) -> dict[int, NodeFigures]:
    """{node id: figures} for these nodes, from the kept rows of today (counted now and kept for
    the nodes that have none); posts left at 0 (the caller counts them for its viewer)."""
    now = clock.now()
    fresh = Q(node__level__lte=Level.AREA) | Q(counted_at__gte=now - KEEP_BELOW_AREA)
    kept = NodeFigure.objects.filter(
        fresh, node__in=[n.pk for n in nodes], counted_on=timezone.localdate(now)
    )
    found = {row.node_id: _figures(row) for row in kept}
    missing = [n for n in nodes if n.pk not in found]
    if missing:
        found.update(count(missing))
    return {n.pk: found[n.pk] for n in nodes}


def count(nodes: list[Node]) -> dict[int, NodeFigures]:
    """Count these nodes' figures now and keep them."""
    now = clock.now()
    today = timezone.localdate(now)
    counted = count_node_figures(nodes, today)
    rows = [
        NodeFigure(
            node_id=pk,
            levels={str(level): n for level, n in f.levels.items()},
            residents=f.residents,
            aged_60=f.aged_60,
            aged_80=f.aged_80,
            aged_80_alone=f.aged_80_alone,
            counted_on=today,
            counted_at=now,
        )
        for pk, f in counted.items()
    ]
    NodeFigure.objects.bulk_create(rows, update_conflicts=True, unique_fields=["node"], update_fields=FIELDS)
    return counted


def refresh_kept() -> int:
    """Count again every kept node down to the residential areas (the scheduled rollup's
    follow-up); the deeper ones are counted again when next viewed."""
    kept = NodeFigure.objects.values("node_id")
    nodes = list(Node.objects.filter(pk__in=kept, level__lte=Level.AREA).defer("geometry"))
    if nodes:
        count(nodes)
    return len(nodes)


def _figures(row: NodeFigure) -> NodeFigures:
    return NodeFigures(
        levels={int(level): n for level, n in row.levels.items()},
        residents=row.residents,
        aged_60=row.aged_60,
        aged_80=row.aged_80,
        aged_80_alone=row.aged_80_alone,
    )
