"""The phone menu: a few entries the role uses every day, the rest under 更多; nothing the user
may not open."""

import re

import pytest

from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff
from gongzhi.web.templatetags.web import MENU_PRIMARY


def menu(client, user) -> tuple[list[str], list[str]]:
    client.force_login(user)
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    strip, _, more = nav.partition('<details class="more')
    labels = lambda part: re.findall(r"<a href=\"[^\"]+\"[^>]*>([^<]+)</a>", part)  # noqa: E731
    return labels(strip), labels(more)


@pytest.mark.parametrize(
    ("role", "at", "first"),
    [
        (PostRole.COMMITTEE_STAFF, "r1", ["首页", "待办", "工单", "居务会"]),
        (PostRole.GRID_WORKER, "g1", ["首页", "巡查上报", "我的工单", "工单"]),
        (PostRole.STREET_CADRE, "street", ["首页", "指挥中心", "待办", "统计"]),
        (PostRole.PARTY_SECRETARY, "r1", ["首页", "居务会", "任务流转单", "待办"]),
    ],
)
def test_the_strip_shows_what_the_role_uses_and_the_rest_is_under_more(client, tree, role, at, first):
    strip, more = menu(client, make_staff(f"u-{role}", role, getattr(tree, at)))
    assert strip == first and len(strip) <= MENU_PRIMARY
    assert more and not set(more) & set(strip)


def test_the_menu_never_offers_what_the_user_may_not_open(client, tree):
    strip, more = menu(client, make_staff("grid", PostRole.GRID_WORKER, tree.g1))
    for forbidden in ("待办", "导入", "查看记录", "12345热线", "指挥中心"):
        assert forbidden not in strip + more


def test_a_short_menu_has_no_more_button(client, tree):
    strip, more = menu(client, make_staff("audit", PostRole.AUDITOR, tree.street))
    assert more == [] and "查看记录" in strip
