"""Delete the demo street and everything hanging from it.

Raw deletes (QuerySet._raw_delete, as Django's own fast delete path uses), because the ORM's
collector would load ~200k rows and trip over the tree's PROTECT self-reference. Foreign keys
are deferred to commit on SQLite and PostgreSQL, so the order below need only leave nothing
dangling at the end. Packages that add rows pointing at nodes, persons or users (cases,
meetings...) add their deletes here.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import Q

from gongzhi.core.models import PiiAccessLog
from gongzhi.demo.calibration import STREET_CODE
from gongzhi.demo.logins import DEMO_PASSWORD, SUPERUSER, USERNAMES
from gongzhi.geo.models import PATH_SEP, Node, NodeChange
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg, Person, Post, Unit

PERSON_PREFIX = f"{STREET_CODE}-"


def demo_exists() -> bool:
    return Node.objects.filter(code=STREET_CODE).exists()


@transaction.atomic
def reset_demo() -> dict[str, int]:
    """Delete the demo rows; return how many rows of each kind went."""
    under = f"{PATH_SEP}{STREET_CODE}{PATH_SEP}"
    people = Person.objects.filter(code__startswith=PERSON_PREFIX)
    users = get_user_model().objects.filter(username__in=_demo_usernames())
    deleted: dict[str, int] = {}
    user_model = get_user_model()
    NodeChange.objects.filter(actor__in=users).update(actor=None)
    steps = {
        "admin_log": LogEntry.objects.filter(user__in=users),
        "user_groups": user_model.groups.through.objects.filter(user__in=users),
        "user_permissions": user_model.user_permissions.through.objects.filter(user__in=users),
        "pii_log": PiiAccessLog.objects.filter(
            Q(subject_model="orgs.person", subject_id__in=people.values("pk")) | Q(actor__in=users)
        ),
        "registrations": DualRegistration.objects.filter(node__path__startswith=under),
        "post_categories": Post.categories.through.objects.filter(post__node__path__startswith=under),
        "posts": Post.objects.filter(Q(node__path__startswith=under) | Q(person__in=people)),
        "members": PartyMember.objects.filter(person__in=people),
        "party_orgs": PartyOrg.objects.filter(node__path__startswith=under),
        "units": Unit.objects.filter(node__path__startswith=under),
        "persons": people,
        "users": users,
        "node_changes": NodeChange.objects.filter(node__path__startswith=under),
        "nodes": Node.objects.filter(path__startswith=under),
    }
    for name, qs in steps.items():
        deleted[name] = qs._raw_delete(qs.db)
    return deleted


def _demo_usernames() -> list[str]:
    """The demo's users; `admin` only while it still has the demo password (it may be yours)."""
    names = [n for n in USERNAMES if n != SUPERUSER]
    admin = get_user_model().objects.filter(username=SUPERUSER).first()
    if admin is not None and check_password(DEMO_PASSWORD, admin.password):
        names.append(SUPERUSER)
    return names
