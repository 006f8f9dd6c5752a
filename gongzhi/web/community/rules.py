"""积分规则 in Excel (docs/community.md "Excel"): the street's rules on a page, their export in
the import template, the empty template, and the import (every row through the rulebook, all
or nothing, errors by row and column). Kept by MANAGE_COMMUNITY over the street (the street
admin); the export is for anyone who sees the street's community (VIEW_COMMUNITY under it)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.community import rule_sheets
from gongzhi.community.models import PointRule
from gongzhi.core import exports as core_exports
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.geo import streets as geo_streets
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.imports.run import size_error
from gongzhi.web.http import page


def streets(user: Actor, power: str) -> list[Node]:
    """The streets where the user holds `power` at the street itself."""
    return [n for n in access.root_nodes(user, power) if n.level == Level.STREET]


def _street(request: HttpRequest, power: str) -> Node:
    """The street asked for (`street=` code), or the user's only one; 403 otherwise."""
    mine = streets(request.user, power)
    code = (request.POST.get("street") or request.GET.get("street") or "")[:40]
    chosen = [n for n in mine if n.code == code] if code else mine[:1]
    if not chosen:
        raise PermissionDeniedError(_("您无权管理该街道的积分规则"))
    return chosen[0]


def _sees_street(request: HttpRequest) -> Node:
    """For the export: a street under which the user sees community rows."""
    code = (request.GET.get("street") or "")[:40]
    roots = access.root_nodes(request.user, access.VIEW_COMMUNITY)
    # a root inside a street names that street; a district root names each of its streets
    codes = {
        s.code
        for s in geo_streets.streets()
        if any(s.path.startswith(r.path) or r.path.startswith(s.path) for r in roots)
    }
    if code and code not in codes:
        raise PermissionDeniedError(_("您无权查看该街道的积分规则"))
    wanted = code or (sorted(codes)[0] if codes else "")
    street = Node.objects.filter(code=wanted, level=Level.STREET).first()
    if street is None:
        raise PermissionDeniedError(_("您无权查看该街道的积分规则"))
    return street


def _xlsx(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=core_exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page
def rules_page(request: HttpRequest) -> HttpResponse:
    """The street's rules and the import form; POST imports a filled template."""
    street = _street(request, access.MANAGE_COMMUNITY)
    context: dict[str, Any] = {
        "street": street,
        "streets": streets(request.user, access.MANAGE_COMMUNITY),
        "report": None,
        "errors": [],
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        too_big = size_error(upload.size or 0) if upload is not None else ""
        if upload is None or too_big:
            context["errors"] = [too_big or _("请选择 Excel 文件")]
            status = 400
        else:
            report = rule_sheets.run_rules_import(street=street, data=upload.read(), actor=request.user)
            context["report"] = report
            status = 200 if report.ok else 422
    context["rules"] = list(PointRule.objects.filter(street=street).order_by("code"))
    return render(request, "web/community/rules.html", context, status=status)


@page
def rules_export(request: HttpRequest) -> HttpResponse:
    street = _sees_street(request)
    return _xlsx(rule_sheets.rules_workbook(street), f"community-rules-{street.code}.xlsx")


@page
def rules_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(rule_sheets.rules_workbook(), "community-rules-template.xlsx")
