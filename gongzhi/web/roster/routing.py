"""分派覆盖: which post answers for each category at each residential area, and the gaps.

The overview lists the areas in scope (gaps first, the 大类 matrix folded away); an area's
page lists its gaps, then every category with the post that answers and the rule used. Every
figure comes from `cases.coverage` (which asks `cases.routing`, as the intake does).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.cases import coverage, routing
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo.levels import Level
from gongzhi.orgs import access
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import UnitKind
from gongzhi.web.http import not_found, page


def _groups(categories: list[Category]) -> list[Category]:
    """The 大类 in code order (the matrix's columns)."""
    seen: dict[int, Category] = {}
    for c in categories:
        if c.parent is not None:
            seen.setdefault(c.parent.pk, c.parent)
    return sorted(seen.values(), key=lambda p: p.code)


def _matrix_row(area: coverage.AreaCoverage, groups: list[Category]) -> list[int]:
    """Gaps per 大类."""
    gaps = [cell.category.parent_id for cell in area.gaps]
    return [gaps.count(g.pk) for g in groups]


def _by_group(area: coverage.AreaCoverage) -> list[tuple[Category, list[coverage.Cell]]]:
    groups: dict[int, tuple[Category, list[coverage.Cell]]] = {}
    for cell in area.cells:
        parent = cell.category.parent
        if parent is not None:
            groups.setdefault(parent.pk, (parent, []))[1].append(cell)
    return sorted(groups.values(), key=lambda g: g[0].code)


def lead_label(category: Category) -> str:
    kind = routing.lead_kind_of(category)
    return str(UnitKind(kind).label) if kind in UnitKind.values else _("未设置")


@page
def routing_coverage(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not coverage.may_view(user):
        raise PermissionDeniedError(_("只有管理名册或负责派遣的工作人员可以查看分派覆盖"))
    code = request.GET.get("node", "").strip()[:40]
    under = coverage.area_get(user=user, code=code) if code else None
    if code and under is None:
        raise not_found()
    areas = coverage.coverage(user=user, under=under)
    categories = coverage.categories()
    groups = _groups(categories)
    single = areas[0] if under is not None and under.level == Level.AREA and areas else None
    areas.sort(key=lambda a: (-len(a.gaps), a.area.path))  # the most gaps first
    context: dict[str, Any] = {
        "under": under,
        "areas": areas,
        "single": single,
        "by_group": _by_group(single) if single else [],
        "groups": groups,
        "matrix": [(a, _matrix_row(a, groups)) for a in areas],
        "gap_total": sum(len(a.gaps) for a in areas),
        "category_count": len(categories),
        "lead_labels": {c.pk: lead_label(c) for c in categories},
        "can_import": access.has_power(user, access.IMPORT),
        "can_admin": bool(user.is_staff and access.has_power(user, access.MANAGE_ROSTER)),
    }
    return render(request, "web/roster/routing_coverage.html", context)
