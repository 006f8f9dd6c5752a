"""Put a district above a street that already holds data (docs/tenancy.md "Moving a street
under a district"): the district node is made, the street moved under it (node_move rewrites
the tree's materialised paths), and every denormalised `node_path` column of every app is
rewritten by the same prefix — all in one transaction, so no reader ever sees a case whose
path no longer names a node.

The tables are found through the app registry (every concrete model with a `node_path` field),
not imported: geo sits below the apps that denormalise its paths, and a table added later is
covered without a change here.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import invalid
from gongzhi.geo import services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node

DENORMALISED = "node_path"


@dataclass
class Attached:
    district: Node
    street: Node
    old_path: str
    rows: dict[str, int] = field(default_factory=dict)  # table → rows rewritten (geo_node: the subtree)


def path_tables() -> list[type[models.Model]]:
    """Every concrete model that keeps a copy of a node's path (`node_path`)."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.abstract
        and not model._meta.proxy
        and any(f.name == DENORMALISED for f in model._meta.concrete_fields)
    ]


def rewrite_prefix(model: type[models.Model], old: str, new: str) -> int:
    """`node_path` of `model`'s rows under `old` moved to start with `new` instead."""
    return model._default_manager.filter(**{f"{DENORMALISED}__startswith": old}).update(
        **{DENORMALISED: Concat(Value(new), Substr(F(DENORMALISED), len(old) + 1, Length(F(DENORMALISED))))}
    )


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
    old_path = street.path
    count = Node.objects.filter(path__startswith=old_path).count()
    street = services.node_move(actor=actor, node=street, new_parent=district, note=_("放到区之下"))
    done = Attached(district=district, street=street, old_path=old_path, rows={Node._meta.db_table: count})
    for model in path_tables():
        done.rows[model._meta.db_table] = rewrite_prefix(model, old_path, street.path)
    return done
