"""Reads of API tokens: a user sees only their own."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from gongzhi.api.models import ApiToken


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_get(*, user: User, pk: int) -> ApiToken | None:
    """The user's own token with this id; None for another's (answered 404, like an unknown one)."""
    return token_list(user=user).filter(pk=pk).first()


def token_get_any(*, pk: int) -> ApiToken | None:
    """For the operator's command line only."""
    return ApiToken.objects.select_related("user").filter(pk=pk).first()


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()
