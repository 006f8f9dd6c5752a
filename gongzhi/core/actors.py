"""Who calls a service: the signed-in user of a page (`request.user`) or of the API (the token's
user). Services take it as `actor` and ask orgs.access what it may do; an anonymous visitor may
reach a service only to be refused there. Work nobody asked for in person (the sweeps, the
command-line import, the demo generator, test factories) acts as the system: `actor=None`,
typed `Actor | None` where a service allows it."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, PermissionsMixin, User
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


def recorded_or_system(actor: Actor | None) -> User | None:
    """Who acted, for a row whose actor may be the system (None): a signed-in user, else None."""
    return actor if isinstance(actor, User) else None


def is_superuser(actor: Actor | None) -> bool:
    """A signed-in superuser: the one who sees and may do everything (access.scope)."""
    return isinstance(actor, PermissionsMixin) and bool(actor.is_superuser)
