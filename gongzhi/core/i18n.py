"""English where data shows: the one rule for data that carries an English name beside its
Chinese one (a category's `name_en`, a post's `title_en` and `duty_en`).

The UI's own words go through the gettext catalog; data cannot (staff type it), so such rows
keep an optional English column and every place that shows one asks here. The English value
is shown only when the active language is English and it is filled; otherwise the Chinese.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import translation


def english() -> bool:
    """Is the active language (the request's, or an `override`) English?"""
    return (translation.get_language() or "").startswith("en")


def pick(chinese: str | None, english_value: str | None, *, in_english: bool | None = None) -> str:
    """The English value in English mode when there is one, else the Chinese. `in_english`
    lets a loop over many rows ask for the language once."""
    if (english() if in_english is None else in_english) and english_value:
        return english_value
    return chinese or ""


def localized(obj: Any, field: str = "name") -> str:
    """`obj.<field>` in the reader's language: `<field>_en` in English mode when filled.
    Takes a model instance or a `.values()` row (`row["category__name"]` with
    `field="category__name"` reads `row["category__name_en"]`)."""
    if obj is None:
        return ""
    if isinstance(obj, Mapping):
        return pick(obj.get(field), obj.get(f"{field}_en"))
    return pick(getattr(obj, field, ""), getattr(obj, f"{field}_en", ""))
