from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, Tree, UnitFactory, UserFactory, make_staff


@pytest.fixture(autouse=True)
def _open311_read_budgets(settings: Any) -> None:
    """The Open311 tests read the same lists many times from one address; their read budgets
    are tested in test_open311_limits.py, which sets its own."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "open311-list-anon": (100_000, 600),
        "open311-list-key": (100_000, 600),
    }


@dataclass
class CaseWorld:
    tree: Tree
    dispatcher: Any  # committee staff of R1 (dispatches at the area rung)
    handler: Any  # property staff posted to estate E1, answering for corridor clutter
    block: Any  # block cadre of K1
    street: Any  # street cadre
    outsider: Any  # committee staff of R3
    post: Post
    category: Category


@pytest.fixture
def world(tree) -> CaseWorld:
    category = Category.objects.get(code="LD01")  # 楼道堆物: 1 working day, property leads
    handler_user = UserFactory(username="handler")
    handler = PersonFactory(name="物业小王")
    handler.user = handler_user
    handler.save()
    unit = UnitFactory(node=tree.e1, kind=UnitKind.PROPERTY, name="东安物业")
    post = Post.objects.create(
        code="POST-E1-PROP",
        unit=unit,
        node=tree.e1,
        title="物业经理",
        person=handler,
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([category])
    return CaseWorld(
        tree=tree,
        dispatcher=make_staff("r1staff", PostRole.COMMITTEE_STAFF, tree.r1),
        handler=handler_user,
        block=make_staff("k1cadre", PostRole.BLOCK_CADRE, tree.k1),
        street=make_staff("streetcadre", PostRole.STREET_CADRE, tree.street),
        outsider=make_staff("r3staff", PostRole.COMMITTEE_STAFF, tree.r3),
        post=post,
        category=category,
    )
