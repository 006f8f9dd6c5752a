"""The power check for services below orgs (the tree's, in geo).

geo may not import orgs (the layers flow one way), yet its services must refuse an actor who
lacks the power over the node they change. They ask `require` here; `orgs` installs the answer
(`access.can_under`) when the app registry is ready. Until something is installed every user
is refused: a missing check fails closed.

`actor=None` is the system: the command-line import, migrations, the demo generator and test
factories. Any other actor, including an anonymous one, needs the power.
"""

from collections.abc import Callable

from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError

MANAGE_TREE = "manage_tree"  # orgs.access.MANAGE_TREE (a test keeps the two equal)
ROOT_PATH = "/"  # "the whole tree": only a superuser holds a power over it

Check = Callable[[Actor, str, str], bool]  # (user, power, path) -> held over the subtree at path
_check: Check | None = None


def install(check: Check) -> None:
    global _check
    _check = check


def require(actor: Actor | None, power: str, *paths: str, message: str) -> None:
    """Raise PermissionDeniedError (403) unless `actor` holds `power` over every path."""
    if actor is None:
        return
    check = _check
    if check is None or not actor.is_authenticated:
        raise PermissionDeniedError(message)
    if not all(check(actor, power, path) for path in paths):
        raise PermissionDeniedError(message)
