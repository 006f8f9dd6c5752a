"""Put a district above a street that already holds data (docs/tenancy.md "Moving a street
under a district"): the district node is made and the street moved under it by `node_move`,
which rewrites the tree's materialised paths and every denormalised `node_path` column of
every app by the same prefix (`geo.copies`) — all in one transaction, so no reader ever sees a
case whose path no longer names a node.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo import services
from gongzhi.geo.copies import path_tables, rewrite_prefix
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

__all__ = ["Attached", "attach_street", "path_tables", "rewrite_prefix"]


@dataclass
class Attached:
    district: Node
    street: Node
    old_path: str
    rows: dict[str, int] = field(default_factory=dict)  # table → rows rewritten (geo_node: the subtree)


@transaction.atomic
def attach_street(*, actor: Actor | None, street: Node, code: str, name: str, address: str = "") -> Attached:
    """Make district `code` and move the root street `street` under it, with every copy of
    its paths. 422 (ValidationError) when the street is not a root street or the code is taken."""
    street = Node.objects.select_for_update().get(pk=street.pk)
    if street.level != Level.STREET or street.parent_id is not None:
        raise invalid("street", _("只能把独立的街道（没有上级的街道节点）放到区下"))
    district = services.node_create(
        actor=actor, code=code, name=name, level=Level.DISTRICT, parent=None, address=address
    )
    moved = services.node_move_with_copies(
        actor=actor, node=street, new_parent=district, note=_("放到区之下")
    )
    return Attached(district=district, street=moved.node, old_path=moved.old_path, rows=moved.rows)
