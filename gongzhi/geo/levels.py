"""The levels of the jurisdiction tree (四级网络 and below) and which may hold which."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    # A district (区) holds streets: many streets in one deployment (docs/tenancy.md). 0 keeps
    # "a smaller level is higher" true, which rung checks (`level <= Level.AREA`) rely on.
    DISTRICT = 0, _("区")
    STREET = 1, _("街道")
    BLOCK = 2, _("块区")
    AREA = 3, _("居民区")
    ESTATE = 4, _("小区")
    GRID = 5, _("网格")
    BUILDING = 6, _("楼栋")
    HOUSEHOLD = 7, _("户")


# A node's parent must be at one of these levels. Levels may be skipped where streets do
# without them (a street with no block areas; a grid drawn over a whole residential area).
# The levels in ROOTS may also stand without a parent: a district, and a street on its own (a
# deployment of one street, as before districts existed, stays valid).
ALLOWED_PARENTS: dict[int, tuple[int, ...]] = {
    Level.DISTRICT: (),
    Level.STREET: (Level.DISTRICT,),
    Level.BLOCK: (Level.STREET,),
    Level.AREA: (Level.BLOCK, Level.STREET),
    Level.ESTATE: (Level.AREA,),
    Level.GRID: (Level.ESTATE, Level.AREA),
    Level.BUILDING: (Level.GRID, Level.ESTATE),
    Level.HOUSEHOLD: (Level.BUILDING,),
}
ROOTS: frozenset[int] = frozenset({Level.DISTRICT, Level.STREET})


def level_from_label(label: str) -> int | None:
    """Accept 区/街道/块区/居民区/居委/小区/网格/楼栋/户 or the English names or the number."""
    text = (label or "").strip()
    aliases = {"居委": Level.AREA, "居委会": Level.AREA, "院落": Level.BUILDING}
    if text in aliases:
        return int(aliases[text])
    with translation.override("zh-hans"):  # templates hold the Chinese names, whoever uploads
        chinese = {str(level.label): int(level.value) for level in Level}
    english = {str(level.label).lower(): int(level.value) for level in Level}  # the user's language
    for level in Level:
        english.setdefault(level.name.lower(), int(level.value))
    if text in chinese:
        return chinese[text]
    if text.isdigit() and int(text) in Level.values:
        return int(text)
    return english.get(text.lower())
