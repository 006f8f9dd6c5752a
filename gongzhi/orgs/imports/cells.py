"""Turning what Excel hands back (str, int, float, datetime, None) into typed values.

Each parser raises CellError with a Chinese reason; the planners attach it to the cell.
"""

import re
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from gongzhi.orgs.imports.templates import MASK_CHAR

CODE_MAX = 40
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", "×"}


class CellError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(value: Any) -> str:
    """A cell as text; whole numbers lose Excel's ".0" (a code typed as 101 reads 101.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def code(value: Any) -> str:
    result = text(value)
    if len(result) > CODE_MAX or re.search(r"\s", result):
        raise CellError(_("编码不能含空格，最长40位"))
    return result


def long_number(value: Any) -> str:
    """An ID number must come as text: Excel keeps only 15 digits of a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(_("请把该列设为“文本”格式后重新填写（Excel 会把长数字改写）"))
    return text(value)


def is_masked(value: str) -> bool:
    return MASK_CHAR in value


def day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 10_000_000 <= value <= 99_999_999:  # 20240131 typed without separators (serials stay < 10^6)
            return _ymd(str(int(value)))
        try:
            return from_excel(value).date()  # an Excel serial number
        except (ValueError, OverflowError, AttributeError) as exc:
            raise CellError(_("日期无效")) from exc
    raw = str(value).strip()
    match = _DATE_RE.match(raw)
    if match:
        return _checked(int(match[1]), int(match[2]), int(match[3]), raw)
    if re.fullmatch(r"\d{8}", raw):
        return _ymd(raw)
    raise CellError(_("日期“%(v)s”无法识别，请写成 2024-01-31") % {"v": raw})


def _ymd(raw: str) -> date:
    return _checked(int(raw[:4]), int(raw[4:6]), int(raw[6:]), raw)


def _checked(year: int, month: int, dom: int, raw: str) -> date:
    try:
        return date(year, month, dom)
    except ValueError as exc:
        raise CellError(_("日期“%(v)s”不存在") % {"v": raw}) from exc


def number(value: Any, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        result = float(value)
    except (TypeError, ValueError) as exc:
        raise CellError(_("应为数字")) from exc
    if not low <= result <= high:
        raise CellError(_("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
    return result


def yes_no(value: Any) -> bool:
    raw = text(value).lower()
    if raw == "" or raw in _FALSE:
        return False
    if raw in _TRUE:
        return True
    raise CellError(_("应填“是”或“否”"))


def code_list(value: Any) -> list[str]:
    return [part for part in _LIST_SPLIT.split(text(value)) if part]


def choice_labels(choices: type[models.Choices]) -> dict[str, str]:
    """Label → value for a choices class, in Chinese whatever the request language
    (the sheets are Chinese files)."""
    with translation.override("zh-hans"):
        return {str(label): str(value) for value, label in choices.choices}


def choice(value: Any, choices: type[models.Choices]) -> str:
    """A label (or, for sheets written by hand from the database, a stored value)."""
    raw = text(value)
    labels = choice_labels(choices)
    if raw in labels:
        return labels[raw]
    if raw in {str(v) for v in choices.values}:
        return raw
    with translation.override("zh-hans"):
        allowed = "、".join(str(label) for label in choices.labels)
    raise CellError(_("“%(v)s”无效，应为：%(allowed)s") % {"v": raw, "allowed": allowed})


def label_of(choices: type[models.Choices], value: str | int) -> str:
    if not value:
        return ""
    with translation.override("zh-hans"):
        return str(choices(value).label)
