"""What the POSTs of the meeting pages share (web.meetings.*_actions). Each form names its
`action`; the view parses it, calls one service of gongzhi.meetings and redirects (303) back to
the page, or shows the page again with the typed text kept and the error: 400 for bad input,
403 when the user may not, 409 when the record changed meanwhile or its state does not allow
the action."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.web.http import messages_of, valid_id

Errors = dict[str, list[str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 18:
        return None
    number = int(value)
    return number if valid_id(number) else None


def posted_text(request: HttpRequest, name: str, limit: int = 20000) -> str:
    return request.POST.get(name, "")[:limit]


def attempt(do: Callable[[], Any]) -> tuple[int, Errors]:
    """Run a service call; (0, {}) on success, else the status and the messages by field."""
    try:
        do()
    except ConflictError as exc:
        message = str(exc) or _("记录已被他人更新")
        return 409, {"__all__": [message, _("页面上的内容可能已过期，请刷新后查看最新情况。")]}
    except PermissionDeniedError as exc:
        return 403, {"__all__": [str(exc) or _("您无权执行此操作")]}
    except ValidationError as exc:
        return 400, dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": messages_of(exc)}
    return 0, {}


def see_other(url: str, done: str) -> HttpResponse:
    response = HttpResponseRedirect(f"{url}?done={done}" if done else url)
    response.status_code = 303
    return response


def typed_back(request: HttpRequest) -> dict[str, Any]:
    typed: dict[str, Any] = {k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken"}}
    typed["multi"] = {k: request.POST.getlist(k) for k in request.POST}
    return typed


def split_general(errors: Errors) -> tuple[list[str], Errors]:
    general = errors.pop("__all__", [])
    return general, errors
