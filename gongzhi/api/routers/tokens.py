"""/api/v1/tokens: a user's own API tokens. The key is shown once, at creation."""

from datetime import datetime

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import AuthenticationError

from gongzhi.api import selectors, services
from gongzhi.api.auth import session_auth
from gongzhi.api.models import ApiToken
from gongzhi.api.shortcuts import MAX_ID, caller, found
from gongzhi.core import logins

router = Router(tags=["tokens"])


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=60, description="令牌名称，如“巡查App”")
    # Without a browser session, the user's own credentials (limited by core.logins).
    username: str | None = Field(None, max_length=150)
    password: str | None = Field(None, max_length=200)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="完整密钥，只显示这一次")


def _token_out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def _refused(refused: logins.Refusal) -> HttpResponse:
    """429 in the API's shape ({"detail": ...}) with Retry-After."""
    if refused.per == "user":
        detail = _("登录失败次数过多，账号已暂时锁定，请稍后再试")
    else:
        detail = _("这个网络地址登录失败次数过多，请稍后再试")
    response = JsonResponse({"detail": detail}, status=429, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(refused.retry_after)
    return response


def _user_for_create(request: HttpRequest, payload: TokenIn) -> User | HttpResponse:
    """The user the token is for; an HttpResponse when the login limiter refused the attempt."""
    if payload.username:
        user = authenticate(request=request, username=payload.username, password=payload.password or "")
        if isinstance(user, User):
            return user
        refused = logins.take_refusal(request)  # taken, so the page middleware leaves it alone
        if refused is not None:
            return _refused(refused)
        raise AuthenticationError(401, _("用户名或密码错误"))
    user = session_auth(request)
    if not isinstance(user, User):
        raise AuthenticationError(401, _("请先登录，或提供用户名和密码"))
    return user


@router.post("", auth=None, response={201: TokenCreatedOut}, summary="创建令牌")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]] | HttpResponse:
    user = _user_for_create(request, payload)
    if isinstance(user, HttpResponse):
        return user
    token, key = services.token_create(user=user, name=payload.name)
    return Status(201, {**_token_out(token), "key": key})


@router.get("", response=list[TokenOut], summary="我的令牌")
def token_list(request: HttpRequest) -> list[dict[str, object]]:
    return [_token_out(t) for t in selectors.token_list(user=caller(request))]


@router.delete("/{token_id}", response={204: None}, summary="吊销令牌")
def token_revoke(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)) -> Status[None]:
    token = found(selectors.token_get(user=caller(request), pk=token_id))
    services.token_revoke(token=token)
    return Status(204, None)
