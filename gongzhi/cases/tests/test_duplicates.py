"""并单候选: near, recent, open, same category, similar text, and only what the user may see."""

from datetime import timedelta

import pytest

from gongzhi.cases import duplicates
from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source, State
from gongzhi.core import clock
from gongzhi.geo.levels import Level
from gongzhi.orgs.models import Category
from gongzhi.testing.factories import node

TEXT = "3号楼楼道里堆满了纸箱和旧家具，走路都要侧身"


def report(world, where, text, *, category=None, **extra) -> Case:
    intake = Intake(
        node=where, text=text, source=Source.RESIDENT, category=category or world.category, **extra
    )
    return case_create(actor=None, intake=intake)


@pytest.fixture
def places(world):
    t = world.tree
    b2 = node("S-R1-B2", "东安一村2号楼", Level.BUILDING, t.g2)
    e2 = node("S-R1-E2", "东安二村", Level.ESTATE, t.r1)
    b9 = node("S-R1-B9", "东安二村9号楼", Level.BUILDING, e2)
    return {"b1": t.b1, "h1": t.h1, "b2": b2, "b9": b9}


def codes(found) -> list[int]:
    return [c.case.pk for c in found]


def test_same_building_and_similar_text_rank_first(world, places):
    other_building = report(world, places["b2"], "楼道里堆满了纸箱和旧家具，走路都要侧身")
    same_building = report(world, places["h1"], "楼道里堆满了纸箱和旧家具，走路都要侧身")
    unrelated_text = report(world, places["b1"], "楼梯平台放了两个花盆")
    found = duplicates.candidates(node=places["b1"], text=TEXT, category=world.category)
    assert codes(found)[:2] == [same_building.pk, other_building.pk]
    assert found[0].same_building and not found[1].same_building
    assert found[0].score > found[1].score and 0 < found[0].similarity <= 1
    assert unrelated_text.pk not in codes(found)  # too little in common


def test_other_estate_old_closed_and_other_category_are_left_out(world, places):
    now = clock.now() + timedelta(minutes=1)
    report(world, places["b9"], TEXT)  # another estate
    with clock.freeze(now - timedelta(days=8)):
        report(world, places["b1"], TEXT)  # too old
    closed = report(world, places["b1"], TEXT)
    Case.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    report(world, places["b1"], TEXT, category=Category.objects.get(code="HJ01"))
    assert duplicates.candidates(node=places["b1"], text=TEXT, category=world.category, at=now) == []
    # without a category the other 小类 shows up
    assert len(duplicates.candidates(node=places["b1"], text=TEXT, at=now)) == 1


def test_coordinates_reach_across_estates_within_the_radius(world, places):
    near = report(world, places["b9"], TEXT, lat=31.2000, lon=121.4500)
    report(world, places["b9"], TEXT, lat=31.2100, lon=121.4500)  # about 1.1 km away
    found = duplicates.candidates(
        node=places["b1"], text=TEXT, category=world.category, lat=31.2003, lon=121.4502
    )
    assert codes(found) == [near.pk]
    assert found[0].distance_m is not None and found[0].distance_m < 100


def test_only_cases_the_user_may_see(world, places):
    case = report(world, places["b1"], TEXT)
    assert codes(duplicates.candidates(node=places["b1"], text=TEXT, user=world.dispatcher)) == [case.pk]
    assert duplicates.candidates(node=places["b1"], text=TEXT, user=world.outsider) == []


def test_the_new_case_itself_is_excluded_and_limit_applies(world, places):
    for i in range(4):
        report(world, places["b1"], f"{TEXT}（第{i}次）")
    new = report(world, places["b1"], TEXT)
    found = duplicates.candidates(node=places["b1"], text=TEXT, exclude=new.pk, limit=3)
    assert len(found) == 3 and new.pk not in codes(found)


def test_similarity_is_symmetric_and_bounded():
    assert duplicates.similarity("电梯坏了", "电梯坏了") == 1.0
    assert duplicates.similarity("电梯坏了", "") == 0.0
    a, b = "楼道堆满纸箱", "纸箱堆满楼道"
    assert duplicates.similarity(a, b) == duplicates.similarity(b, a)
