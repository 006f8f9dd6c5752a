"""Who is calling: a bearer token (scripts, apps) or the browser's session (with CSRF)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from gongzhi.api import services

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`. A bearer header that does not match an active token is
    refused at once (401) instead of falling back to the session, so a revoked key never works."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = services.token_authenticate(token.strip())
        if user is None:
            raise AuthenticationError(401, _("令牌无效或已吊销"))
        return user


class SessionAuth(APIKeyCookie):
    """Django's session for the browser. CSRF is checked for writes only when the session is
    what authenticates, so token clients never need a CSRF cookie."""

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User):  # nobody signed in (AnonymousUser)
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF 校验失败，请刷新页面后重试"))
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
DEFAULT_AUTH = [token_auth, session_auth]
