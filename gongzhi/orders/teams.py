"""Who is on a module's team and who leads it, resolved from the team rows and the roster.

A post row means whoever holds or deputises that (active) post; a unit row whoever holds or
deputises an active post in that unit (a social organisation's staff); a person row that
person (a 双报到 member). Leads are the same, read from the rows marked 负责人.
"""

from django.contrib.auth.models import User
from django.db.models import Q

from gongzhi.core.actors import Actor
from gongzhi.orders.models import ServiceModule, TeamMember
from gongzhi.orgs import access
from gongzhi.orgs.models import Person, Post


def _people_of(rows: list[TeamMember]) -> set[int]:
    post_ids = [r.post_id for r in rows if r.post_id]
    unit_ids = [r.unit_id for r in rows if r.unit_id]
    people = {r.person_id for r in rows if r.person_id}
    if post_ids or unit_ids:
        posts = Post.objects.filter(access.active_posts_q()).filter(
            Q(pk__in=post_ids) | Q(unit_id__in=unit_ids)
        )
        for person_id, deputy_id in posts.values_list("person_id", "deputy_id"):
            people.add(person_id)
            if deputy_id:
                people.add(deputy_id)
    return people


def person_ids(module: ServiceModule) -> set[int]:
    """Everyone on the module's team (leads included)."""
    return _people_of(list(module.members.all()))


def lead_person_ids(module: ServiceModule) -> set[int]:
    return _people_of(list(module.members.filter(is_lead=True)))


def users_of(person_ids_: set[int]) -> list[User]:
    """The accounts of these people (only they can be told in the inbox)."""
    user_ids = Person.objects.filter(pk__in=person_ids_, user__isnull=False).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _rows_q(user: Actor) -> Q:
    """The team rows naming the user: a post they hold, a unit they work in, themselves."""
    s = access.scope(user)
    q = Q(pk__in=[])
    if s.post_ids:
        q |= Q(post_id__in=s.post_ids)
    units = access.held_unit_ids(user)
    if units:
        q |= Q(unit_id__in=units)
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return q


def module_ids(user: Actor | None, *, leads: bool = False) -> set[int]:
    """The modules on whose team the user is (or which they lead)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    rows = TeamMember.objects.filter(_rows_q(user))
    if leads:
        rows = rows.filter(is_lead=True)
    return set(rows.values_list("module_id", flat=True))


def is_member(user: Actor | None, module: ServiceModule) -> bool:
    return module.pk in module_ids(user)


def is_lead(user: Actor | None, module: ServiceModule) -> bool:
    return module.pk in module_ids(user, leads=True)


def members(module: ServiceModule) -> list[Person]:
    """The team's people, for the lead's assign picker (names only)."""
    return list(Person.objects.filter(pk__in=person_ids(module)).order_by("name", "pk"))
