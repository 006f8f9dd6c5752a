"""Small helpers shared by the routers."""

from typing import NoReturn, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError

from gongzhi.core import pii
from gongzhi.core.errors import PermissionDeniedError

T = TypeVar("T")

# Primary keys arrive in paths; beyond a signed 64-bit integer the database would overflow.
MAX_ID = 2**63 - 1


def caller(request: HttpRequest) -> User:
    """The signed-in user the auth classes found (a token's or the session's). Every route that
    asks has an auth class; one without it is refused (401) rather than served as nobody."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError(401, _("请先登录，或提供用户名和密码"))
    return user


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


def refuse_number_in_url(text: str | None) -> None:
    """A GET filter holding what may be a phone or ID number is refused (400): query strings
    end up in every access log on the way (docs/personal-data.md)."""
    if pii.carries_number(text or ""):
        raise HttpError(400, _("筛选条件不能含手机号、身份证号等号码（网址会被记录）"))
