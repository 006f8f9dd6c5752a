"""What every page shares: login required, and domain errors turned into clear Chinese pages.

A decorator rather than a middleware so the web package stays self-contained (settings are
the lead's). PermissionDeniedError from any service becomes the 403 page; a ValidationError
becomes a 400 with its messages; neither ever reaches the user as a 500.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core.errors import PermissionDeniedError
from gongzhi.orgs import access

View = Callable[..., HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for msgs in exc.message_dict.values() for m in msgs]
    return [str(m) for m in exc.messages]


def error_response(request: HttpRequest, status: int, messages: list[str]) -> HttpResponse:
    if is_htmx(request):
        return render(request, "web/_error.html", {"errors": messages}, status=status)
    template = "403.html" if status == 403 else "web/error.html"
    return render(request, template, {"errors": messages, "status": status}, status=status)


def page(view: View) -> View:
    """Login required; PermissionDeniedError -> 403 page, ValidationError -> 400 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDeniedError as exc:
            return error_response(request, 403, [str(exc) or _("您没有权限访问此页面")])
        except ValidationError as exc:
            return error_response(request, 400, messages_of(exc))

    return login_required(wrapped)


def require_power(request: HttpRequest, power: str) -> None:
    if not access.has_power(request.user, power):
        raise PermissionDenied


MAX_ID = 2**63 - 1  # a larger id in a URL is simply not found (SQLite refuses to compare it)


def valid_id(pk: int | None) -> bool:
    return pk is not None and 0 < pk <= MAX_ID


def not_found() -> Http404:
    """Out of scope and unknown look the same."""
    return Http404(_("没有找到该页面"))
