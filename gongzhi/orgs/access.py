"""Who may see and do what, decided in one place from the user's active posts.

Each active post grants a set of powers over the subtree of its node. A department post
also carries the case categories it answers for (used by cases for category scope). A user
with no post sees only their own person record. Superusers see everything.

Every selector, service, page, API handler, export and admin view asks this module; none
builds its own notion of scope.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import F, Q

from gongzhi.core import clock, refdata
from gongzhi.core.actors import Actor, is_superuser
from gongzhi.core.lookups import InArray
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.selectors import subtree_q
from gongzhi.orgs.roles import PostRole

if TYPE_CHECKING:  # types only: the functions below import the models when they run
    from gongzhi.orgs.models import Person, Post

VIEW_TREE = "view_tree"  # see nodes, their names and figures
VIEW_ROSTER = "view_roster"  # see posts and call the people who hold them
VIEW_PEOPLE = "view_people"  # see residents (masked)
REVEAL_PII = "reveal_pii"  # reveal a resident's phone or ID number, with a purpose
MANAGE_TREE = "manage_tree"  # create, rename, move nodes
MANAGE_ROSTER = "manage_roster"  # edit units, people, posts
IMPORT = "import"  # upload Excel files
EXPORT = "export"  # download lists
AUDIT = "audit"  # browse and export the personal-data access log
VIEW_CASES = "view_cases"  # see the cases placed in the subtree
DISPATCH = "dispatch"  # accept, register, dispatch, verify cases of their rung (受理、派遣、核查)
SUPERVISE = "supervise"  # pull any case up, supervise overdue ones (督办)
VIEW_MEETINGS = "view_meetings"  # see meetings, agendas, minutes and task slips in the subtree
CONVENE = "convene"  # call meetings, propose topics, record attendance, write minutes, draft slips
VET = "vet"  # the Party organisation of a node: vet its topics, evaluate its slips' results
VIEW_CARE = "view_care"  # see the care subjects of the subtree: who is watched, last seen, alerts
MANAGE_CARE = "manage_care"  # enrol care subjects, record consent, bind devices, edit care rules
VIEW_COMMUNITY = "view_community"  # see the lists, projects, 双报到 and the points ledger of the subtree
MANAGE_COMMUNITY = "manage_community"  # list needs/resources, run projects, enter registrations and points
APPROVE_COMMUNITY = (
    "approve_community"  # the Party organisation: confirm 双报到, approve points, decide appeals
)
# see the service orders of the subtree and assign those escalated to the holder's rung: the
# committee (and Party secretary) of an area all its orders, the street those escalated to it
VIEW_ORDERS = "view_orders"
MOBILISE = "mobilise"  # declare and lead an incident: rota, swaps, no-shows, closing (docs/mobilisation.md)
VIEW_MOBILISATION = "view_mobilisation"  # see incidents touching the subtree, record coverage there
DIRECT_REPORT = "direct_report"  # send a 直报 (serious incident) straight to the street's duty officer
VIEW_DIRECT = "view_direct"  # see the 直报 placed in the subtree (text, photos, follow-ups)

_LOCAL_STAFF = {VIEW_TREE, VIEW_ROSTER, VIEW_PEOPLE, REVEAL_PII, EXPORT, VIEW_CASES, VIEW_MEETINGS}
_DISPATCHER = _LOCAL_STAFF | {DISPATCH}
_CONVENER = _DISPATCHER | {CONVENE}
# Care (docs/care.md): the committee and the cadres above it see the subjects of their subtree
# and manage them; a grid worker, a building head or a volunteer sees only the subjects whose
# posts they hold (care_subjects_q), a department none.
_CARE = {VIEW_CARE, MANAGE_CARE}
# Community (docs/community.md): the committee, the Party secretary and the cadres above them
# run the three lists of their subtree and enter registrations and points; a grid worker sees
# them; a unit's staff (partner, property) see the open projects and their own unit's claims
# (community.selectors); the Party secretary of the area (and the Party side above: block group,
# 党工委) confirms 双报到 and approves points; the street admin keeps the street's rules.
_COMMUNITY = {VIEW_COMMUNITY, MANAGE_COMMUNITY}
# Orders (docs/services.md) are private to the resident, the module's team and the committee:
# only the committee's roles and the street's (for escalated orders) hold VIEW_ORDERS; a
# block cadre, a grid worker, a department or a unit sees an order only as a team member.
_ORDERS = {VIEW_ORDERS}
# Mobilisation (docs/mobilisation.md): street and block cadres declare and lead incidents; the
# committee, its Party secretary and the grid workers see those touching their subtree and
# record the households reached, supplies delivered and doors checked there.
_MOBILISE = {MOBILISE, VIEW_MOBILISATION}
# 直报 (docs/mobilisation.md "直报"): the grid worker and the committee (staff and the Party
# secretary) report serious incidents straight to the street and see those of their subtree;
# the cadres above see them; a department, a property company, a partner or the auditor
# neither reports nor sees them. Acknowledging, closing and converting belong to the street's
# duty roster (data in mobilisation, not a role).
_DIRECT = {DIRECT_REPORT, VIEW_DIRECT}

# A district (docs/tenancy.md): its staff see every street under the district node — cases,
# meetings, figures, the roster, care, community, mobilisation, 直报 — and export; they neither
# dispatch a street's cases nor reveal a resident's numbers (the street's staff do). The
# district admin keeps the district's tree and roster; the district cadre supervises (督办).
_DISTRICT = {
    VIEW_TREE,
    VIEW_ROSTER,
    VIEW_PEOPLE,
    EXPORT,
    VIEW_CASES,
    VIEW_MEETINGS,
    VIEW_CARE,
    VIEW_COMMUNITY,
    VIEW_MOBILISATION,
    VIEW_DIRECT,
}

ROLE_POWERS: dict[str, frozenset[str]] = {
    PostRole.DISTRICT_ADMIN: frozenset(_DISTRICT | {MANAGE_TREE, MANAGE_ROSTER, IMPORT}),
    PostRole.DISTRICT_CADRE: frozenset(_DISTRICT | {SUPERVISE}),
    PostRole.STREET_ADMIN: frozenset(
        _CONVENER
        | _CARE
        | _COMMUNITY
        | _MOBILISE
        | _ORDERS
        | {MANAGE_TREE, MANAGE_ROSTER, IMPORT, SUPERVISE, VIEW_DIRECT}
    ),
    # Street cadres sit on the 党工委, block cadres on the block's Party working group: each
    # vets the topics of meetings held at their own node (VET is asked of the exact node).
    PostRole.STREET_CADRE: frozenset(
        _CONVENER
        | _COMMUNITY
        | _MOBILISE
        | _ORDERS
        | {SUPERVISE, VET, VIEW_CARE, APPROVE_COMMUNITY, VIEW_DIRECT}
    ),
    # The auditor sees the care subjects (and, logged, their sensitive details) to audit them.
    PostRole.AUDITOR: frozenset({VIEW_TREE, VIEW_ROSTER, AUDIT, VIEW_CARE}),
    PostRole.BLOCK_CADRE: frozenset(
        _CONVENER | _COMMUNITY | _MOBILISE | {VET, VIEW_CARE, APPROVE_COMMUNITY, VIEW_DIRECT}
    ),
    PostRole.PARTY_SECRETARY: frozenset(
        _CONVENER
        | _CARE
        | _COMMUNITY
        | _ORDERS
        | _DIRECT
        | {MANAGE_ROSTER, IMPORT, VET, APPROVE_COMMUNITY, VIEW_MOBILISATION}
    ),
    PostRole.COMMITTEE_STAFF: frozenset(
        _CONVENER | _CARE | _COMMUNITY | _ORDERS | _DIRECT | {MANAGE_ROSTER, IMPORT, VIEW_MOBILISATION}
    ),
    PostRole.GRID_WORKER: frozenset(
        {
            VIEW_TREE,
            VIEW_ROSTER,
            VIEW_PEOPLE,
            REVEAL_PII,
            VIEW_CASES,
            VIEW_MEETINGS,
            VIEW_COMMUNITY,
            VIEW_MOBILISATION,
        }
        | _DIRECT
    ),
    # Departments act on their categories across their node (usually the street); they see
    # the tree, the roster and the meetings, never the residents' register.
    PostRole.DEPARTMENT: frozenset({VIEW_TREE, VIEW_ROSTER, VIEW_MEETINGS}),
    PostRole.PROPERTY_STAFF: frozenset({VIEW_TREE, VIEW_ROSTER, VIEW_CASES, VIEW_MEETINGS}),
    PostRole.PARTNER: frozenset({VIEW_TREE, VIEW_ROSTER, VIEW_MEETINGS}),
}


@dataclass(frozen=True)
class Grant:
    path: str
    powers: frozenset[str]
    role: str
    category_ids: frozenset[int] = frozenset()
    level: int = 0  # the post's node level: rung checks need no ancestor query


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    person_id: int | None
    superuser: bool
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    post_ids: frozenset[int] = frozenset()  # the active posts held or deputised
    person_name: str = ""  # shown in every page's header

    def paths(self, power: str) -> list[str]:
        return [g.path for g in self.grants if power in g.powers]

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def department_categories(self) -> frozenset[int]:
        return frozenset().union(*(g.category_ids for g in self.grants if g.role == PostRole.DEPARTMENT))


def active_posts_q(today: date | None = None) -> Q:
    today = today or clock.today()
    return Q(active_from__lte=today) & (Q(active_until__isnull=True) | Q(active_until__gte=today))


_MEMO = "_gongzhi_scope"  # the attribute that keeps a user's scope for the rest of the request


def scope(user: Actor | None) -> Scope:
    """The user's scope, computed once per request and kept on the user object."""
    cached = getattr(user, _MEMO, None)
    if cached is not None:
        return cached
    result = _compute_scope(user)
    if user is not None and user.is_authenticated:
        setattr(user, _MEMO, result)
    return result


def _compute_scope(user: Actor | None) -> Scope:
    if not isinstance(user, User) or not user.is_active:  # nobody, or not signed in
        return Scope(user_id=None, person_id=None, superuser=False)
    # The same until the roster or the user's flags change: kept in the reference snapshot.
    snapshot = refdata.snapshot()
    return snapshot.get("scope", (user.pk, is_superuser(user)), lambda _key: _load_scope(user, snapshot.day))


def _load_scope(user: User, today: date) -> Scope:
    from gongzhi.orgs.models import Person, Post

    # Staff are found through their posts in one query; only someone holding no post (a
    # resident) needs the second query for their person record.
    posts = list(
        Post.objects.filter(active_posts_q(today))
        .filter(Q(person__user=user) | Q(deputy__user=user))
        .select_related("node", "person", "deputy")
        .defer("node__geometry")  # a scope needs paths and levels, not boundaries
    )
    me = next(
        (p.person if p.person is not None and p.person.user_id == user.pk else p.deputy for p in posts),
        None,
    )
    person_id, person_name = (me.pk, me.name) if me is not None else (None, "")
    if me is None:
        person_id, person_name = Person.objects.filter(user=user).values_list("id", "name").first() or (
            None,
            "",
        )
    grants: list[Grant] = []
    if person_id is not None:
        categories = _department_categories(posts)
        for post in posts:
            grants.append(
                Grant(
                    path=post.node.path,
                    powers=ROLE_POWERS.get(post.role, frozenset()),
                    role=post.role,
                    category_ids=categories.get(post.pk, frozenset()),
                    level=post.node.level,
                )
            )
    return Scope(
        user_id=user.pk,
        person_id=person_id,
        superuser=is_superuser(user),
        grants=tuple(grants),
        post_ids=frozenset(p.pk for p in posts) if person_id is not None else frozenset(),
        person_name=person_name,
    )


def _department_categories(posts: list["Post"]) -> dict[int, frozenset[int]]:
    """The categories each department post answers for (only departments' scope depends on
    them), in one query and only when the user holds such a post."""
    from gongzhi.orgs.models import Post

    ids = [p.pk for p in posts if p.role == PostRole.DEPARTMENT]
    if not ids:
        return {}
    pairs = Post.categories.through.objects.filter(post_id__in=ids).values_list("post_id", "category_id")
    found: dict[int, set[int]] = {}
    for post_id, category_id in pairs:
        found.setdefault(post_id, set()).add(category_id)
    return {k: frozenset(v) for k, v in found.items()}


def forget(user: Actor) -> None:
    """Drop the cached scope (after the user's posts change)."""
    if hasattr(user, _MEMO):
        delattr(user, _MEMO)


# --- questions about nodes --------------------------------------------------------------------


def can(user: Actor, power: str, node: Node) -> bool:
    return can_under(user, power, node.path)


def can_under(user: Actor, power: str, path: str) -> bool:
    """The power over every node whose path starts with `path` (the node and its subtree)."""
    s = scope(user)
    if s.superuser:
        return True
    return any(path.startswith(granted) for granted in s.paths(power))


def can_on_rung(user: Actor, power: str, node: Node, rung: int) -> bool:
    """The power held at an ancestor of `node` whose level is at most `rung`: the same answer as
    `can` at the deepest such ancestor (levels grow along a path), without reading it."""
    s = scope(user)
    if s.superuser:
        return True
    return any(power in g.powers and g.level <= rung and node.path.startswith(g.path) for g in s.grants)


def can_at(user: Actor, power: str, node: Node) -> bool:
    """The power held at exactly this node (a Party organisation answers for its own level)."""
    s = scope(user)
    return s.superuser or node.path in s.paths(power)


def nodes_q(user: Actor, power: str = VIEW_TREE, prefix: str = "") -> Q:
    """Q limiting rows (whose node FK is `prefix`, or nodes themselves) to the user's scope."""
    s = scope(user)
    if s.superuser:
        return Q()
    return subtree_q(outermost(s.paths(power)), prefix)


def root_nodes(user: Actor, power: str = VIEW_TREE) -> list[Node]:
    """The top nodes the user sees: where their tree browser starts."""
    s = scope(user)
    if s.superuser:
        return list(Node.objects.filter(parent__isnull=True))
    paths = outermost(s.paths(power))
    return list(Node.objects.filter(path__in=paths).order_by("path"))


def has_power(user: Actor, power: str) -> bool:
    """Whether the user holds the power anywhere (to show a menu item, say)."""
    s = scope(user)
    return s.superuser or any(power in g.powers for g in s.grants)


def outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie under another path in the list (fewer ORs, same rows)."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


# --- the case scope ---------------------------------------------------------------------------------
#
# Cases carry their node's path (`node_path`, denormalised and indexed) and the post they are
# assigned to. Every read of cases (lists, counts, the map, exports, the KPI drill-down, the
# admin, the cases linked to meetings) filters with `cases_q`; nothing writes the filter again.


def paths_q(paths: Iterable[str], field: str = "node_path") -> Q:
    """Rows whose denormalised node path lies under any of `paths` (an indexed prefix LIKE)."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def places_q(user: Actor, power: str, field: str = "node_path") -> Q:
    """Rows (with a denormalised node path) under the nodes where the user holds `power`."""
    s = scope(user)
    if s.superuser:
        return Q()
    return paths_q(outermost(s.paths(power)), field)


def cases_q(user: Actor, *, under: Iterable[str] = ()) -> Q:
    """The cases the user may see: in their VIEW_CASES subtrees; a department's categories
    across its node; cases assigned to a post they hold or deputise; cases they reported.

    `under` (paths) also keeps to those subtrees. When the user sees each of them whole, the
    place filter alone is the answer: the scope's OR (which joins the post and defeats the
    state/created_at index) would change nothing."""
    wanted = [p for p in under if p]
    place = paths_q(wanted) if wanted else Q()
    s = scope(user)
    if s.superuser or (wanted and all(can_under(user, VIEW_CASES, p) for p in wanted)):
        return place
    q = paths_q(outermost(s.paths(VIEW_CASES)))
    for grant in s.grants:
        if grant.role == PostRole.DEPARTMENT and grant.category_ids:
            q |= Q(node_path__startswith=grant.path, category_id__in=grant.category_ids)
    if s.person_id is not None:
        # the posts and the 协办 cases as arrays, not a join and an IN (subquery): so each arm
        # of the OR is an index condition (core.lookups; a seq scan of every case otherwise)
        q |= Q(InArray(F("post_id"), _held_post_ids(s.person_id)))
        q |= Q(InArray(F("pk"), _assisting_case_ids(s.person_id)))
        q |= Q(reporter_id=s.person_id)
    if s.user_id is not None:
        q |= Q(reporter_user_id=s.user_id)
    return place & q


def _held_post_ids(person_id: int) -> Any:
    """The ids of every post the person holds or deputises (active or not: a case stays with
    the post it was assigned to), as a subquery."""
    from gongzhi.orgs.models import Post

    return Post.objects.filter(Q(person_id=person_id) | Q(deputy_id=person_id)).order_by().values("id")


def _assisting_case_ids(person_id: int) -> Any:
    """The ids of the cases on which a post the person holds or deputises assists (协办), as a
    subquery (a join would repeat a case once per assisting post). The case↔post table is
    reached from Post, so orgs needs no import of cases."""
    from gongzhi.orgs.models import Post

    through = getattr(Post, "assisting_cases").through  # noqa: B009 (declared by cases)
    held = Q(post__person_id=person_id) | Q(post__deputy_id=person_id)
    return through.objects.filter(held).order_by().values("case_id")


def dispatch_cases_q(user: Actor) -> Q:
    """Cases whose current rung the user dispatches: under a DISPATCH post's node, at a rung no
    higher than that node's level (the area's committee does not dispatch a case escalated to
    the block; the block cadre may still dispatch the area's cases). Mirrors `can_on_rung`.
    Always inside `cases_q`: every role that dispatches also sees the cases of its node
    (orgs/tests/test_access_rules.py holds ROLE_POWERS to it)."""
    s = scope(user)
    if s.superuser:
        return Q()
    levels = {g.path: g.level for g in s.grants if DISPATCH in g.powers}
    q = Q(pk__in=[])
    for path in outermost(list(levels)):
        q |= Q(node_path__startswith=path, rung__gte=levels[path])
    return q


def sees_cases(user: Actor) -> bool:
    """Whether any case could be in the user's scope by place or by category (an auditor's
    or a partner's post gives none: they see only the cases they reported or hold)."""
    s = scope(user)
    return s.superuser or has_power(user, VIEW_CASES) or bool(s.department_categories())


# --- questions about people ---------------------------------------------------------------------


def people_q(user: Actor) -> Q:
    """Persons the user may see: residents in VIEW_PEOPLE scope, post-holders in VIEW_ROSTER
    scope, and themselves."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = Q(pk__in=[])
    people_paths = outermost(s.paths(VIEW_PEOPLE))
    if people_paths:
        q |= subtree_q(people_paths, "home")
    roster_paths = outermost(s.paths(VIEW_ROSTER))
    if roster_paths:
        from gongzhi.orgs.models import Post

        holders = Post.objects.filter(active_posts_q()).filter(subtree_q(roster_paths, "node"))
        q |= Q(pk__in=holders.values("person_id")) | Q(pk__in=holders.values("deputy_id"))
    if s.person_id is not None:
        q |= Q(pk=s.person_id)
    return q


def can_see_person(user: Actor, person: "Person") -> bool:
    from gongzhi.orgs.models import Person

    return Person.objects.filter(people_q(user), pk=person.pk).exists()


def can_reveal(user: Actor, person: "Person", field: str = "phone") -> bool:
    """Reveal a resident's numbers: REVEAL_PII over their home. A post-holder's phone (never
    their ID number): anyone who sees the post in the roster may reveal it, since calling them
    is the roster's point. Everyone may see their own."""
    from gongzhi.orgs.models import Post

    s = scope(user)
    if s.superuser or (s.person_id is not None and s.person_id == person.pk):
        return True
    if person.home is not None and can(user, REVEAL_PII, person.home):
        return True
    roster_paths = outermost(s.paths(VIEW_ROSTER))
    if field != "phone" or not roster_paths:
        return False
    return (
        Post.objects.filter(active_posts_q())
        .filter(Q(person=person) | Q(deputy=person))
        .filter(subtree_q(roster_paths, "node"))
        .exists()
    )


def posts_q(user: Actor) -> Q:
    return nodes_q(user, VIEW_ROSTER, "node")


# --- care subjects (docs/care.md) ---------------------------------------------------------------------
#
# Care subjects carry their home's path (`node_path`) and their responsible posts
# (`assignments__post`). Every read of them filters with `care_subjects_q`.


def care_subjects_q(user: Actor) -> Q:
    """The care subjects the user may see: under their VIEW_CARE subtrees (the committee of the
    area, the cadres above it, the auditor), and those served by a post the user holds or
    deputises (a grid worker, a building head, a volunteer). Departments see none."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = paths_q(outermost(s.paths(VIEW_CARE)))
    if s.person_id is not None:
        held = Q(assignments__post__person_id=s.person_id) | Q(assignments__post__deputy_id=s.person_id)
        q |= held
    return q


def serves_care_subject(user: Actor, subject: Any) -> bool:
    """Whether the user holds or deputises one of the subject's responsible posts: who may see
    the subject's sensitive details (emergency contacts, away reasons), with the auditor."""
    s = scope(user)
    if s.superuser:
        return True
    if s.person_id is None:
        return False
    return subject.assignments.filter(
        Q(post__person_id=s.person_id) | Q(post__deputy_id=s.person_id)
    ).exists()


def can_see_care_details(user: Actor, subject: Any) -> bool:
    """Sensitive details of a care subject: the posts that serve them and the auditor over
    their home (every view is logged by the caller)."""
    return serves_care_subject(user, subject) or can_under(user, AUDIT, subject.node_path)


# --- community (共建) ---------------------------------------------------------------------------


def held_unit_ids(user: Actor) -> frozenset[int]:
    """The units in which the user holds or deputises an active post: whose resources, claims,
    pledges and contact visits they act for."""
    from gongzhi.orgs.models import Post

    post_ids = scope(user).post_ids
    if not post_ids:
        return frozenset()
    return frozenset(Post.objects.filter(pk__in=post_ids).values_list("unit_id", flat=True))


def community_q(user: Actor, *, unit_field: str | None = None, field: str = "node_path") -> Q:
    """Community rows the user may see: under their VIEW_COMMUNITY subtrees, and, when the rows
    name a unit (`unit_field`), those of the units the user works in."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = paths_q(outermost(s.paths(VIEW_COMMUNITY)), field)
    if unit_field is not None:
        units = held_unit_ids(user)
        if units:
            q |= Q(**{f"{unit_field}__in": units})
    return q


def ledger_q(user: Actor, *, member_field: str = "member", field: str = "node_path") -> Q:
    """Ledger rows (entries, claims, appeals) the user may see: under their VIEW_COMMUNITY
    subtrees (the branch secretary their area's branches, committee staff their area, the
    cadres above), and a member's own."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = paths_q(outermost(s.paths(VIEW_COMMUNITY)), field)
    if s.person_id is not None:
        q |= Q(**{f"{member_field}__person_id": s.person_id})
    return q


def registrations_q(user: Actor) -> Q:
    """双报到 the user may see: at areas under their VIEW_COMMUNITY subtrees, their own as a
    member, and those of the units where they hold an active post (the unit's applicant)."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = nodes_q(user, VIEW_COMMUNITY, "node") if s.paths(VIEW_COMMUNITY) else Q(pk__in=[])
    if s.person_id is not None:
        from gongzhi.orgs.models import Post

        q |= Q(member__person_id=s.person_id)
        units = Post.objects.filter(active_posts_q(), person_id=s.person_id).values("unit_id")
        q |= Q(unit_id__in=units)
    return q


# --- mobilisation (应急动员) ------------------------------------------------------------------------
#
# An incident covers a zone: a set of nodes that may cross residential areas. Every read of
# incidents filters with `incidents_q`.


def prefixes(path: str) -> list[str]:
    """The paths of a node and its ancestors ("/S/", "/S/K1/", ...)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def zone_touches(user: Actor, power: str, zone_paths: Iterable[str]) -> bool:
    """Whether a zone lies partly in the user's `power` subtrees: a zone node under a granted
    node, or a granted node under a zone node (a block-wide incident touches each area)."""
    s = scope(user)
    if s.superuser:
        return True
    granted = s.paths(power)
    return any(z.startswith(g) or g.startswith(z) for z in zone_paths for g in granted)


def incidents_q(user: Actor) -> Q:
    """The incidents the user may see: those whose zone touches their VIEW_MOBILISATION
    subtrees, those they lead, and those on whose rota they stand."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = Q(pk__in=[])
    for path in outermost(s.paths(VIEW_MOBILISATION)):
        q |= Q(zone__path__startswith=path) | Q(zone__path__in=prefixes(path))
    if s.user_id is not None:
        q |= Q(lead_id=s.user_id)
    if s.person_id is not None:
        q |= Q(posts__shifts__assignments__person_id=s.person_id)
    return q


# --- service orders (docs/services.md) ------------------------------------------------------------
#
# Orders carry their place's path (`node_path`), their module's team rows
# (`module__members__post|unit|person`), the resident and the escalation level. Every read of
# orders filters with `orders_q` (the join through the team rows may repeat an order: readers
# take `.distinct()`).

ORDERS_COMMITTEE = 2  # orders.choices.Escalation.COMMITTEE (orgs may not import orders)
ORDERS_STREET = 3  # orders.choices.Escalation.STREET


def orders_q(user: Actor) -> Q:
    """The service orders the user may see: those they posted; those of the modules on whose
    team they are (a post they hold or deputise, a unit they work in, themselves); under a
    VIEW_ORDERS post at an area or below, every order there (the committee); under one above
    the area (the street), the orders escalated to the street. Nobody else: not a block cadre,
    a grid worker, a department or another area's committee."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = Q(pk__in=[])
    if s.user_id is None:
        return q
    q |= Q(resident_user_id=s.user_id)
    for grant in s.grants:
        if VIEW_ORDERS not in grant.powers:
            continue
        if grant.level >= Level.AREA:
            q |= Q(node_path__startswith=grant.path)
        else:
            q |= Q(node_path__startswith=grant.path, escalation__gte=ORDERS_STREET)
    if s.person_id is not None:
        q |= Q(resident_id=s.person_id) | Q(module__members__person_id=s.person_id)
        q |= Q(server_id=s.person_id)
    if s.post_ids:
        q |= Q(module__members__post_id__in=s.post_ids)
    units = held_unit_ids(user)
    if units:
        q |= Q(module__members__unit_id__in=units)
    return q


def may_assign_order(user: Actor, node_path: str, escalation: int) -> str:
    """Which office the user acts for when assigning or converting an order that waited too
    long: "committee" (VIEW_ORDERS at the order's area or below, once escalated to the
    committee), "street" (VIEW_ORDERS above the area, once escalated to the street), or ""."""
    s = scope(user)
    if s.superuser:
        return "street"
    for grant in s.grants:
        if VIEW_ORDERS not in grant.powers or not node_path.startswith(grant.path):
            continue
        if grant.level >= Level.AREA and escalation >= ORDERS_COMMITTEE:
            return "committee"
        if grant.level < Level.AREA and escalation >= ORDERS_STREET:
            return "street"
    return ""


def direct_reports_q(user: Actor, *, street_ids: Iterable[int] = ()) -> Q:
    """The 直报 the user may see: under their VIEW_DIRECT subtrees, those they reported, and
    every 直报 of the streets whose duty roster names them (`street_ids`, which mobilisation
    reads from its roster tables: orgs does not import them)."""
    s = scope(user)
    if s.superuser:
        return Q()
    q = paths_q(outermost(s.paths(VIEW_DIRECT)))
    if s.user_id is not None:
        q |= Q(reporter_user_id=s.user_id)
    ids = list(street_ids)
    if ids:
        q |= Q(street_id__in=ids)
    return q


# --- the city view ------------------------------------------------------------------------------
#
# The city dashboard (/city/, gongzhi.city) ranks every district and street from the day totals
# the districts replicate to the city database: counts only, across every tree. The tree has no
# city level, and a post is a place in one district's tree, so the city's staff are not posts: a
# Django permission, granted to a user or to a group in the admin (gongzhi city_viewer does it
# from the command line). A district's or a street's staff do not hold it by their posts.
CITY_VIEW = "city.view_city"


def can_view_city(user: Actor | None) -> bool:
    """A signed-in superuser, or an active user granted `city.view_city` (directly or through
    a group)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if is_superuser(user):
        return True
    # The menu asks on every page: kept in the reference snapshot, whose stamp moves with any
    # change of a user's permissions or groups (core.refdata.WATCHED).
    return bool(refdata.snapshot().get("city_viewer", user.pk, lambda _key: user.has_perm(CITY_VIEW)))
