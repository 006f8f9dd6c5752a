"""Reading the lists' fields from a page's form or an import row into the services' drafts:
one place, so the pages, the import and the API refuse the same input with the same Chinese
field messages."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import invalid


def day(value: Any, field: str, *, required: bool = False) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            raise invalid(field, _("请填写日期"))
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise invalid(field, _("日期格式应为 YYYY-MM-DD")) from exc


def whole(value: Any, field: str, *, default: int = 0, low: int = 0, high: int = 1_000_000) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    try:
        number = int(float(text)) if text.replace(".", "", 1).isdigit() else int(text)
    except ValueError as exc:
        raise invalid(field, _("应为整数")) from exc
    if not low <= number <= high:
        raise invalid(field, _("应在%(low)s到%(high)s之间") % {"low": low, "high": high})
    return number
