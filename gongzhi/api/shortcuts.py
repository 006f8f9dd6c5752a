"""Small helpers shared by the routers."""

from typing import Any, NoReturn, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from gongzhi.core.errors import PermissionDeniedError

T = TypeVar("T")

# Primary keys arrive in paths; beyond a signed 64-bit integer the database would overflow.
MAX_ID = 2**63 - 1


def caller(request: HttpRequest) -> Any:
    """The authenticated user (set by the auth classes)."""
    return request.auth  # type: ignore[attr-defined]


def not_found() -> NoReturn:
    """Unknown and out-of-scope objects get the same answer."""
    raise HttpError(404, _("未找到"))


def found(obj: T | None) -> T:
    if obj is None:
        not_found()
    return obj


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError(_("无权进行此操作"))
