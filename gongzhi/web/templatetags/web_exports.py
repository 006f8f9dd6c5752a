"""{% export_links %}: the 导出Excel / 导出CSV links of a list page, shown to those who may export.

A tag of its own (not in web.py) so a list template needs one line to offer its exports.
"""

from typing import Any

from django import template
from django.urls import reverse

from gongzhi.orgs import access

register = template.Library()


@register.inclusion_tag("web/_export_links.html", takes_context=True)
def export_links(
    context: dict[str, Any], url_name: str, *args: Any, query: str = "", public: bool = False
) -> dict[str, Any]:
    """Links to `url_name` (with `args`, then the format) carrying the page's filters (`query`,
    without the page number). Staff lists show them only to holders of access.EXPORT."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = public or (user is not None and access.has_power(user, access.EXPORT))
    suffix = f"?{query}" if query else ""
    return {
        "show": show,
        "csv": reverse(url_name, args=[*args, "csv"]) + suffix,
        "xlsx": reverse(url_name, args=[*args, "xlsx"]) + suffix,
    }
