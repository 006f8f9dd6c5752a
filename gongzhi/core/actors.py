"""Who calls a service: the signed-in user of a page (`request.user`) or of the API (the token's
user). Services take it as `actor` and ask orgs.access what it may do; an anonymous visitor may
reach a service only to be refused there. The sweeps act as nobody (`actor=None` where a
service's helper records an event)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

from gongzhi.core.errors import PermissionDeniedError

Actor = AbstractBaseUser | AnonymousUser


def recorded(actor: Actor) -> User:
    """The user a row keeps as who acted. Services call it after their permission check, which
    refuses anyone not signed in; an anonymous actor reaching it is refused too (403) rather
    than failing on the foreign key."""
    if isinstance(actor, User):
        return actor
    raise PermissionDeniedError(_("您无权执行此操作"))
