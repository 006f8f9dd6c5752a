"""The copies of a node's path kept outside the tree: every concrete model with a `node_path`
column (cases, meetings, care, community, orders, 直报, the outbox, the KPI facts, the stored
reports…). A move of a node rewrites them by the same prefix as the tree's own paths, in the
move's transaction (`geo.services.node_move`, docs/tenancy.md "Moving a node").

The tables are found through the app registry, not imported: geo sits below the apps that
denormalise its paths, and a table added later is covered without a change here.
"""

from django.apps import apps
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

DENORMALISED = "node_path"


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


def rewrite_all(old: str, new: str) -> dict[str, int]:
    """Every copy of a path under `old` rewritten to lie under `new`: table → rows rewritten."""
    return {model._meta.db_table: rewrite_prefix(model, old, new) for model in path_tables()}
