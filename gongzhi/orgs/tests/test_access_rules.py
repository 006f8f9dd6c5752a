"""The access rules at the module level; HTTP-level matrices live with the pages and API."""

import pytest

from gongzhi.core import pii
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.models import PiiAccessLog
from gongzhi.orgs import access, selectors, services
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import PersonFactory, UserFactory, make_staff


@pytest.fixture
def people(tree):
    resident = PersonFactory(name="张阿婆", phone="13800138000", home=tree.h1)
    return {"resident": resident}


@pytest.mark.parametrize(
    ("role", "at", "sees_r1", "sees_r3", "sees_resident"),
    [
        (PostRole.STREET_CADRE, "street", True, True, True),
        (PostRole.BLOCK_CADRE, "k1", True, False, True),
        (PostRole.BLOCK_CADRE, "k2", False, True, False),
        (PostRole.COMMITTEE_STAFF, "r1", True, False, True),
        (PostRole.GRID_WORKER, "g1", False, False, True),
        (PostRole.GRID_WORKER, "g2", False, False, False),
        (PostRole.DEPARTMENT, "street", True, True, False),
    ],
)
def test_scope_matrix(tree, people, role, at, sees_r1, sees_r3, sees_resident):
    user = make_staff(f"{role}-{at}", role, getattr(tree, at))
    visible = set(selectors.node_list(user=user).values_list("code", flat=True))
    assert ("S-R1" in visible) is sees_r1
    assert ("S-R3" in visible) is sees_r3
    assert selectors.person_list(user=user).filter(pk=people["resident"].pk).exists() is sees_resident


def test_resident_sees_only_self(tree, people):
    user = UserFactory(username="resident")
    people["resident"].user = user
    people["resident"].save()
    assert list(selectors.person_list(user=user)) == [people["resident"]]
    assert not selectors.node_list(user=user).exists()


def test_reveal_writes_log_and_returns_clear_value(tree, people):
    user = make_staff("gridder", PostRole.GRID_WORKER, tree.g1)
    phone = services.person_reveal(actor=user, person=people["resident"], field="phone", purpose="上门探视")
    assert phone == "13800138000"
    log = PiiAccessLog.objects.get()
    assert (log.actor, log.subject_id, log.field, log.purpose) == (
        user,
        people["resident"].pk,
        "phone",
        "上门探视",
    )


def test_reveal_outside_scope_is_refused_and_not_logged(tree, people):
    user = make_staff("other-gridder", PostRole.GRID_WORKER, tree.g2)
    with pytest.raises(PermissionDeniedError):
        services.person_reveal(actor=user, person=people["resident"], field="phone", purpose="好奇")
    assert not PiiAccessLog.objects.exists()


def test_phone_is_stored_encrypted_and_masked(people):
    resident = people["resident"]
    assert "13800138000" not in resident.phone_enc
    assert resident.phone_masked == "138****8000"
    assert "13800138000" not in repr(resident)


def test_search_by_phone_uses_hash_and_scope_and_is_logged(tree, people):
    insider = make_staff("in", PostRole.COMMITTEE_STAFF, tree.r1)
    outsider = make_staff("out", PostRole.COMMITTEE_STAFF, tree.r3)
    search = pii.number_search("138 0013 8000")
    assert search is not None and search.masked == "138****8000"
    found = services.person_number_search(actor=insider, search=search, purpose="电话联系")
    assert list(found) == [people["resident"]]
    assert not services.person_number_search(actor=outsider, search=search).exists()
    labels = list(PiiAccessLog.objects.order_by("id").values_list("actor__username", "subject_label"))
    assert labels == [
        ("in", "按手机号查找 138****8000，命中 1 人"),
        ("out", "按手机号查找 138****8000，命中 0 人"),
    ]
    # The name search never looks a number up (that path is the logged one above).
    assert not selectors.person_search(user=insider, text="13800138000").exists()


def test_department_category_scope(tree):
    from gongzhi.orgs.models import Category

    user = make_staff("cg", PostRole.DEPARTMENT, tree.street)
    post = user.person.posts.get()
    post.categories.set(Category.objects.filter(code__in=["JY01", "JY02"]))
    access.forget(user)
    assert set(access.scope(user).department_categories()) == set(
        Category.objects.filter(code__in=["JY01", "JY02"]).values_list("pk", flat=True)
    )


def test_whoever_dispatches_sees_the_cases_they_dispatch():
    """The dispatcher's queue (access.dispatch_cases_q) stays inside the case scope
    (access.cases_q) only because every role with DISPATCH also holds VIEW_CASES."""
    dispatching = [powers for powers in access.ROLE_POWERS.values() if access.DISPATCH in powers]
    assert dispatching and all(access.VIEW_CASES in powers for powers in dispatching)
