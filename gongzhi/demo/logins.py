"""Demo logins: one user for a post-holder of each role, all with one known password.

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
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.models import PartyMember, Person, Post

DEMO_PASSWORD = "gongzhi-demo-2026"
SUPERUSER = "admin"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    post_code: str  # the post whose holder logs in ("" for the superuser)


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(SUPERUSER, ""),
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
USERNAMES = tuple(login.username for login in DEMO_LOGINS)

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


def create_demo_users(rng: random.Random) -> list[str]:
    """Create the demo users that do not exist yet and link each to its post-holder.

    All share one password hash with a seed-derived salt: hashing once keeps the generator
    fast with a slow password hasher, and the same seed gives the same rows.
    """
    user_model = get_user_model()
    salt = "".join(rng.choices(string.ascii_letters + string.digits, k=22))
    password = make_password(DEMO_PASSWORD, salt=salt)
    existing = set(user_model.objects.filter(username__in=USERNAMES).values_list("username", flat=True))
    created: list[str] = []
    for login in DEMO_LOGINS:
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
