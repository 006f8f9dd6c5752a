"""Template helpers for the web pages: the navigation menu and a few display filters."""

from datetime import timedelta
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, i18n
from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.orgs import access
from gongzhi.orgs.roles import PostRole

register = template.Library()

# (url name, label, power needed or None): the menu shows only what the user may open.
NAV = [
    ("web:home", _("首页"), None),
    # case work first: it is what staff open the app for every day
    ("web:case_queue", _("待办"), access.DISPATCH),
    ("web:case_mine", _("我的工单"), "any_post"),  # departments handle cases without VIEW_CASES
    ("web:patrol", _("巡查上报"), access.VIEW_CASES),
    ("web:direct_home", _("直报"), access.VIEW_DIRECT),  # serious incidents (docs/mobilisation.md)
    ("web:case_list", _("工单"), access.VIEW_CASES),
    ("web:case_overdue", _("超期"), access.VIEW_CASES),
    ("web:case_map", _("地图"), access.VIEW_CASES),
    ("web:dashboard", _("指挥中心"), "area_cases"),  # figures kept per residential area
    ("web:kpis", _("统计"), access.VIEW_CASES),  # any node: a grid worker sees the grid's KPIs
    ("web:reports", _("日报周报"), "area_cases"),  # reports are kept for areas, blocks, the street
    ("web:meetings", _("居务会"), access.VIEW_MEETINGS),
    ("web:slips", _("任务流转单"), access.VIEW_MEETINGS),
    ("web:care_board", _("关爱"), access.VIEW_CARE),  # the care board (docs/care.md)
    ("web:community_home", _("共建"), access.VIEW_COMMUNITY),  # lists, projects, 双报到 (docs/community.md)
    ("web:order_pool", _("订单"), access.VIEW_ORDERS),  # residents' orders (docs/services.md)
    ("web:mobilisation_home", _("应急动员"), access.VIEW_MOBILISATION),  # docs/mobilisation.md
    ("web:hotline_import", _("12345热线"), "street_dispatch"),  # street-level dispatchers only
    ("web:tree", _("辖区"), access.VIEW_TREE),
    ("web:routing_coverage", _("分派覆盖"), "routing_coverage"),  # roster keepers and dispatchers
    ("web:people", _("人员"), access.VIEW_PEOPLE),
    ("web:imports", _("导入"), access.IMPORT),  # shown once the import pages are mounted
    ("web:audit_pii", _("查看记录"), access.AUDIT),
    ("web:city", _("全市"), "city"),  # the city's staff (access.can_view_city)
]

FIELD_LABELS = {
    "phone": _("手机号"),
    "id_number": _("身份证号"),
    "export": _("批量导出（脱敏）"),
    "contact_phone": _("工单联系电话"),
    "search_phone": _("按手机号查找"),
    "search_id_number": _("按身份证号查找"),
}


# What each role opens every day, first: the strip shows these (up to MENU_PRIMARY entries) and
# everything else the user may open goes under 更多, so a phone never scrolls a 15-item strip.
ROLE_MENU: dict[str, tuple[str, ...]] = {
    PostRole.DISTRICT_ADMIN: ("web:dashboard", "web:kpis", "web:tree"),
    PostRole.DISTRICT_CADRE: ("web:dashboard", "web:kpis", "web:case_list"),
    PostRole.STREET_ADMIN: ("web:dashboard", "web:case_queue", "web:tree"),
    PostRole.STREET_CADRE: ("web:dashboard", "web:case_queue", "web:kpis"),
    PostRole.BLOCK_CADRE: ("web:dashboard", "web:case_queue", "web:meetings"),
    PostRole.PARTY_SECRETARY: ("web:meetings", "web:slips", "web:case_queue"),
    PostRole.COMMITTEE_STAFF: ("web:case_queue", "web:case_list", "web:meetings"),
    PostRole.GRID_WORKER: ("web:patrol", "web:case_mine", "web:case_list"),
    PostRole.DEPARTMENT: ("web:case_mine", "web:slips", "web:meetings"),
    PostRole.PROPERTY_STAFF: ("web:case_mine", "web:case_list", "web:slips"),
    PostRole.PARTNER: ("web:slips", "web:meetings"),
    PostRole.AUDITOR: ("web:audit_pii", "web:tree"),
}
MENU_PRIMARY = 4  # entries in the strip, 首页 included


@register.inclusion_tag("web/_nav.html", takes_context=True)
def nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    primary: list[dict[str, Any]] = []
    more: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = (match.url_name or "") if match else ""
        items = {
            url: {"url": url, "label": label, "active": _active(current, url)}
            for url, label, power in NAV
            if _allowed(user, power) and _mounted(url)
        }
        wanted = ["web:home", *_role_menu(user)]
        chosen = [u for u in dict.fromkeys(wanted) if u in items][:MENU_PRIMARY]
        if len(items) <= MENU_PRIMARY + 1:  # nothing worth a menu of its own
            chosen = list(items)
        primary = [items[u] for u in chosen]
        more = [item for url, item in items.items() if url not in chosen]
    return {
        "items": primary,
        "more": more,
        "more_active": any(i["active"] for i in more),
        "request": request,
        "user": user,
    }


def _role_menu(user: Actor) -> list[str]:
    scope = access.scope(user)
    if scope.superuser:
        return list(ROLE_MENU[PostRole.STREET_ADMIN])
    # posts in order of their level (the widest first), each role's entries in its order
    out: list[str] = []
    for grant in sorted(scope.grants, key=lambda g: g.level):
        out.extend(ROLE_MENU.get(grant.role, ()))
    return out


@register.inclusion_tag("web/_inbox_bell.html", takes_context=True)
def inbox_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The 消息 link with the unread count (one indexed count per page)."""
    from gongzhi.notify.selectors import inbox_unread_count

    user = context["request"].user
    return {"unread": inbox_unread_count(user=user)}


@register.inclusion_tag("web/_calendar_warning.html", takes_context=True)
def calendar_warning(context: dict[str, Any], everyone: bool = False) -> dict[str, Any]:
    """The working calendar's warning (next year's holidays not entered, docs/working-calendar.md):
    for the street's admins on every page, for everyone on the command centre (`everyone`)."""
    from gongzhi.core import workdays

    user = context["request"].user
    if not (everyone or (user.is_authenticated and access.has_power(user, access.MANAGE_TREE))):
        return {"warning": None}
    return {"warning": workdays.calendar_warning(timezone.localdate(clock.now()))}


@register.simple_tag
def case_row(c: Any, suggestions: Any = None) -> SafeString:
    """One case of a list (queue, 我的工单, the case list) as its `<li>`: built here rather
    than by a template included once per row, which cost ~0.75 ms a row (half a list page).
    `suggestions`: {case id: stored intake suggestion} on the queue (cases.suggestions)."""
    found = suggestions.get(c.pk) if isinstance(suggestions, dict) else None
    hint = SafeString("")
    if found is not None and found.needs_triage:
        hint = format_html('<span class="tag vacant triage">{}</span>', gettext("需人工分诊"))
    elif found is not None and found.top:
        hint = format_html(
            '<span class="muted small">{}</span>', gettext("建议：%(name)s") % {"name": found.top.name}
        )
    rework = (
        format_html('<span class="tag vacant">{} {}</span>', gettext("返工"), c.rework_count)
        if c.rework_count
        else ""
    )
    post = format_html(" · {}", i18n.localized(c.post, "title")) if c.post else ""
    return format_html(
        '<li class="case-row">\n  <a href="{}"><strong>{}</strong></a>\n'
        '  <span class="tag state-{}">{}</span>\n  {}\n  {}\n'
        '  <p class="case-text">{}</p>\n'
        '  <p class="muted small">{} · {} · {}{}</p>\n</li>',
        reverse("web:case_detail", args=[c.pk]),
        c.number,
        c.state,
        c.get_state_display(),
        hint,
        rework,
        Truncator(c.text).chars(60),
        i18n.localized(c.category) if c.category else gettext("未分类"),
        c.node.name,
        date_filter(timezone.localtime(c.created_at), "Y-m-d H:i"),
        post,
    )


@register.filter
def display_name(user: Actor) -> str:
    """The header's name: the user's person record's (kept in their scope, no query), else the login."""
    return access.scope(user).person_name or user.get_username()


@register.filter
def localized(obj: Any, field: str = "name") -> str:
    """Data with an English name beside its Chinese one, in the page's language:
    `{{ c|localized }}` for a category, `{{ post|localized:"title" }}`, `{{ post|localized:"duty" }}`
    (core.i18n)."""
    return i18n.localized(obj, field)


@register.filter
def on_unconfirmed_calendar(due: Any) -> bool:
    """A deadline that falls in a year whose holidays nobody has entered (docs/working-calendar.md)."""
    from gongzhi.core import workdays

    return workdays.deadline_unconfirmed(due)


@register.filter
def any_unconfirmed(deadlines: Any) -> bool:
    return any(on_unconfirmed_calendar(d.get("due")) for d in deadlines)


def _allowed(user: Actor, power: str | None) -> bool:
    if power == "street_dispatch":
        from gongzhi.web.cases.hotline import may_import

        return may_import(user)
    if power == "area_cases":
        scope = access.scope(user)
        return scope.superuser or any(
            access.VIEW_CASES in g.powers and g.level <= Level.AREA for g in scope.grants
        )
    if power == "routing_coverage":
        from gongzhi.cases.coverage import may_view

        return may_view(user)
    if power == "city":
        return access.can_view_city(user)
    if power == "any_post":
        scope = access.scope(user)
        return scope.superuser or bool(scope.grants)
    return power is None or access.has_power(user, power)


def _active(current: str, url: str) -> bool:
    name = url.split(":")[1]
    if name == "meetings":
        return current in {"meetings", "meeting_detail", "topics", "topic_vet_queue"}
    if name in {"community_home", "order_pool", "mobilisation_home"}:  # a section's pages light it
        return current.startswith(name.split("_")[0])
    if name.startswith("case_"):  # case_list must not light up on case_list's siblings
        return current == name or (name == "case_list" and current == "case_detail")
    return bool(current) and current.startswith(name)


def _mounted(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


DUTY_CHARS = 16  # a picker's line stays readable on a phone


@register.filter
def post_label(post: Any) -> str:
    """A post as pickers show it: post · its node (which grid or area) · duty (holder), so eight
    grid workers of one committee read as eight different lines. The unit stands in for an
    empty duty."""
    duty = (i18n.localized(post, "duty") or post.unit.name).strip()
    if len(duty) > DUTY_CHARS:
        duty = duty[: DUTY_CHARS - 1] + "…"
    return str(
        _("%(title)s · %(node)s · %(duty)s（%(person)s）")
        % {
            "title": i18n.localized(post, "title"),
            "node": post.node.name,
            "duty": duty,
            "person": post.person.name,
        }
    )


@register.filter
def minutes(value: Any) -> int:
    """A timedelta in whole minutes (rounded up), for 'try again in N minutes'."""
    if isinstance(value, timedelta):
        return max(1, -(-int(value.total_seconds()) // 60))
    return 0


@register.filter
def level_label(value: int) -> str:
    try:
        return str(Level(value).label)
    except ValueError:
        return ""


@register.filter
def field_label(value: str) -> str:
    return str(FIELD_LABELS.get(value, value))


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def workhours(value: Any) -> str:
    """Working time as 'N小时M分' (absolute value; the template says 剩余 or 超期)."""
    if not isinstance(value, timedelta):
        return ""
    total = abs(int(value.total_seconds())) // 60
    hours, mins = divmod(total, 60)
    if hours and mins:
        return str(_("%(h)d小时%(m)d分") % {"h": hours, "m": mins})
    if hours:
        return str(_("%(h)d小时") % {"h": hours})
    return str(_("%(m)d分钟") % {"m": mins})


@register.filter
def represents(participant: Any) -> str:
    """The places a meeting participant answers for, when they hold posts in several joined
    areas (meetings.seating)."""
    from gongzhi.meetings import seating

    return seating.represents(participant)
