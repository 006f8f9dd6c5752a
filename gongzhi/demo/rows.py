"""Model instances built the fast way, for the generator's bulk inserts.

Django's Model.__init__ takes a quick path when every concrete field is given positionally
(as when loading rows from the database); with keyword arguments it looks up defaults and
descriptors field by field, which was a third of the generator's time for ~200k rows.
Foreign keys are given by their ids (`home_id`), set once the parent rows have theirs.
"""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def new(model: type[M], **values: Any) -> M:
    """An unsaved instance of `model` with the given attnames; other fields get defaults."""
    args = [values.pop(attname) if attname in values else default() for attname, default in _fields(model)]
    if values:
        raise TypeError(f"{model.__name__} has no field(s) {sorted(values)}")
    return model(*args)


def _constant(value: Any) -> Callable[[], Any]:
    def get() -> Any:
        return value

    return get


@cache
def _fields(model: type[models.Model]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    out: list[tuple[str, Callable[[], Any]]] = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            out.append((field.attname, field.default))  # fresh value each time (JSONField(default=dict))
        else:
            out.append((field.attname, _constant(field.get_default())))
    return tuple(out)
