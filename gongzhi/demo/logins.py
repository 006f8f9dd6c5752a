"""Demo logins: one user for a post-holder of each role, all with one known password.

Street 1 (枫林街道) has the bare names (committee, grid...); street k of a generated district
(`gongzhi demo --streets N`, demo.district) has the same role logins prefixed `s{k}_`
(s2_committee on TY-R01-ZR); the district's two are district_admin and district_cadre.

The password is printed by `gongzhi demo_logins`; the generator refuses to run with DEBUG
off, so these accounts exist only on development and demo machines.
"""

import random
import string
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q

from gongzhi.community.models import Volunteer
from gongzhi.core.actors import Actor
from gongzhi.demo.district import DISTRICT_CODE, FIRST, STREETS, DemoStreet
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import PartyMember, Person, Post

DEMO_PASSWORD = "gongzhi-demo-2026"
SUPERUSER = "admin"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    post_code: str  # the post whose holder logs in ("" for the superuser)


DISTRICT_ADMIN_POST = f"{DISTRICT_CODE}-POST-ADMIN"
DISTRICT_CADRE_POST = f"{DISTRICT_CODE}-POST-DB"
DISTRICT_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("district_admin", DISTRICT_ADMIN_POST),
    DemoLogin("district_cadre", DISTRICT_CADRE_POST),
)
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(SUPERUSER, ""),
    *DISTRICT_LOGINS,
    DemoLogin("street_admin", "FL-POST-ADMIN"),
    DemoLogin("street_cadre", "FL-POST-JD02"),
    DemoLogin("auditor", "FL-POST-AUDIT"),
    DemoLogin("block_cadre", "FL-POST-K1-1"),
    DemoLogin("secretary", "FL-R01-SJ"),
    DemoLogin("committee", "FL-R01-ZR"),
    DemoLogin("grid", "FL-R01-E1-G1-WG"),
    DemoLogin("chengguan", "FL-POST-CG"),
    DemoLogin("police", "FL-R01-MJ"),
    DemoLogin("liaison", "FL-R01-LL"),
    DemoLogin("property", "FL-R01-WY"),
    DemoLogin("partner", "FL-R01-X1"),
    # A registered Party member of FL-R01, linked by demo.community (no post: a resident who
    # sees their own points ledger and 双报到).
    DemoLogin("member", ""),
    # A resident volunteer of FL-R01 on the ongoing mobilisation's rota, linked by
    # demo.mobilisation (no post: their shifts, check-in and out, hours and tasks).
    DemoLogin("volunteer", ""),
)


def street_logins(street: DemoStreet) -> tuple[DemoLogin, ...]:
    """The role logins on street `street`'s posts: street 1's as above, street k's the same
    roles prefixed s{k}_ on the same posts of its own codes. The member and volunteer logins
    are street 1's (its community and mobilisation demo)."""
    own = tuple(login for login in DEMO_LOGINS if login.post_code.startswith(FIRST.code_of("")))
    if street.number == 1:
        return own
    return tuple(
        DemoLogin(
            street.login_prefix + login.username,
            street.code_of(login.post_code.removeprefix(FIRST.code_of(""))),
        )
        for login in own
    )


def logins_of(street: DemoStreet) -> tuple[DemoLogin, ...]:
    """The logins made with `street`: street 1's come with the superuser and the residents'
    (demo.community and demo.mobilisation link those two)."""
    if street.number == 1:
        return tuple(login for login in DEMO_LOGINS if login not in DISTRICT_LOGINS)
    return street_logins(street)


# Every demo username there may be (the district's streets' too): what demo.reset removes.
USERNAMES = tuple(login.username for login in DEMO_LOGINS) + tuple(
    login.username for street in STREETS[1:] for login in street_logins(street)
)

POWER_LABELS = {
    access.VIEW_TREE: "辖区",
    access.VIEW_ROSTER: "名册",
    access.VIEW_PEOPLE: "居民（脱敏）",
    access.REVEAL_PII: "查看号码（留痕）",
    access.MANAGE_TREE: "管理辖区",
    access.MANAGE_ROSTER: "管理名册",
    access.IMPORT: "导入",
    access.EXPORT: "导出",
    access.AUDIT: "审计",
}


def create_demo_users(rng: random.Random, logins: tuple[DemoLogin, ...]) -> list[str]:
    """Create the demo users of `logins` that do not exist yet and link each to its
    post-holder (the superuser and the two residents' logins come with street 1's).

    All share one password hash with a seed-derived salt: hashing once keeps the generator
    fast with a slow password hasher, and the same seed gives the same rows.
    """
    user_model = get_user_model()
    salt = "".join(rng.choices(string.ascii_letters + string.digits, k=22))
    password = make_password(DEMO_PASSWORD, salt=salt)
    existing = set(user_model.objects.filter(username__in=USERNAMES).values_list("username", flat=True))
    created: list[str] = []
    for login in logins:
        if login.username in existing:
            continue  # never overwrite someone's account
        is_super = login.username == SUPERUSER
        user = user_model.objects.create(
            username=login.username, password=password, is_staff=is_super, is_superuser=is_super
        )
        if login.post_code:
            holder = Post.objects.filter(code=login.post_code).values_list("person_id", flat=True).first()
            if holder is not None:
                Person.objects.filter(pk=holder, user__isnull=True).update(user=user)
        created.append(login.username)
    return created


@dataclass(frozen=True)
class LoginRow:
    role: str
    username: str
    password: str
    post: str
    sees: str


def login_rows() -> list[LoginRow]:
    """One row per demo user present in the database: role, post and what they can see."""
    user_model = get_user_model()
    users = {u.username: u for u in user_model.objects.filter(username__in=USERNAMES)}
    rows: list[LoginRow] = []
    for login in DEMO_LOGINS:
        user = users.get(login.username)
        if user is None:
            continue
        if user.is_superuser:
            rows.append(LoginRow("超级管理员", user.username, DEMO_PASSWORD, "后台 /admin/", "全部数据"))
            continue
        if not login.post_code:
            member = PartyMember.objects.filter(person__user=user).select_related("org").first()
            if member is not None:
                rows.append(
                    LoginRow(
                        role=f"党员（{member.get_member_type_display()}）",
                        username=user.username,
                        password=DEMO_PASSWORD,
                        post=f"双报到 @ {_registered_at(member)}",
                        sees="本人的积分账单、扣分申诉与双报到",
                    )
                )
                continue
            volunteer = Volunteer.objects.filter(person__user=user, ended_at__isnull=True).select_related(
                "area"
            )
            for v in volunteer[:1]:
                rows.append(
                    LoginRow(
                        role=f"志愿者（{v.get_kind_display()}）",
                        username=user.username,
                        password=DEMO_PASSWORD,
                        post=f"志愿者 @ {v.area.name}",
                        sees="本人的值守班次与签到签退、志愿时长、可接的志愿任务",
                    )
                )
            continue
        post = (
            Post.objects.filter(Q(person__user=user) | Q(deputy__user=user), code=login.post_code)
            .select_related("node")
            .first()
        )
        if post is None:
            continue
        rows.append(
            LoginRow(
                role=str(post.get_role_display()),
                username=user.username,
                password=DEMO_PASSWORD,
                post=f"{post.title} @ {post.node.name}",
                sees=_what_they_see(user),
            )
        )
    return rows


def _registered_at(member: PartyMember) -> str:
    registration = member.registrations.filter(state="confirmed").select_related("node").first()
    return registration.node.name if registration else member.org.name


def _what_they_see(user: Actor) -> str:
    scope = access.scope(user)
    powers = [label for power, label in POWER_LABELS.items() if access.has_power(user, power)]
    paths = sorted({g.path for g in scope.grants})
    places = "、".join(Node.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))
    people = Person.objects.filter(access.people_q(user)).count()
    categories = scope.department_categories()
    text = f"{places}：{'、'.join(powers)}；可见人员 {people:,} 人"
    if categories:
        text += f"；负责事项 {len(categories)} 类"
    return text


@dataclass(frozen=True)
class StreetLogins:
    street: DemoStreet
    usernames: tuple[str, ...]  # the street's role logins present, in DEMO_LOGINS' order


def other_streets_logins() -> list[StreetLogins]:
    """The role logins of the district's streets after the first, one entry per street that
    has any (the same roles as street 1's, prefixed s{k}_)."""
    wanted = {street: street_logins(street) for street in STREETS[1:]}
    names = {login.username for logins in wanted.values() for login in logins}
    present = set(get_user_model().objects.filter(username__in=names).values_list("username", flat=True))
    out: list[StreetLogins] = []
    for street, logins in wanted.items():
        have = tuple(login.username for login in logins if login.username in present)
        if have:
            out.append(StreetLogins(street, have))
    return out
