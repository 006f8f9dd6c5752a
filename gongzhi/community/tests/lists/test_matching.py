"""Matching need ↔ resource on hand-built lists: field and kind, place (area, block, street;
never another street), time (availability overlapping the need's window), decided pairs."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gongzhi.community import matching, needs, resources
from gongzhi.community.models import Need, NeedState, Resource, ResourceKind, ServiceField, Urgency
from gongzhi.community.tests.lists.conftest import CommunityWorld
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def need_in(w: CommunityWorld, **over: object) -> Need:
    draft = needs.NeedDraft(
        title="独居老人助餐",
        field=ServiceField.ELDERLY,
        node=w.tree.b1,
        beneficiaries="80岁以上独居老人",
        beneficiary_count=12,
        urgency=Urgency.HIGH,
        window_from=date(2026, 3, 1),
        window_until=date(2026, 5, 31),
    )
    for key, value in over.items():
        setattr(draft, key, value)
    return needs.need_create(actor=w.users["committee"], draft=draft)


def offer(
    w: CommunityWorld, title: str, node: object, *, actor: str = "street_admin", **over: object
) -> Resource:
    draft = resources.ResourceDraft(
        title=title, kind=ResourceKind.VENUE, field=ServiceField.ELDERLY, unit=w.unit("hospital"), node=node
    )
    for key, value in over.items():
        setattr(draft, key, value)
    actors = {**w.users, "root": UserFactory(username="root", is_superuser=True)}
    return resources.resource_create(actor=actors[actor], draft=draft)


def test_proposals_by_field_place_and_time(world: CommunityWorld) -> None:
    w = world
    need = need_in(w)
    same_area = offer(w, "东安活动室", w.tree.e1, available_from=date(2026, 4, 1))
    same_block = offer(w, "西岸食堂", w.tree.r2)
    street_wide = offer(w, "街道助餐点", w.tree.street, available_until=date(2026, 3, 10))
    other_block = offer(w, "南丹会所", w.tree.r3)
    offer(w, "儿童乐园", w.tree.r1, field=ServiceField.CHILDREN)  # another field
    offer(
        w, "冬季场地", w.tree.r1, available_from=date(2026, 1, 1), available_until=date(2026, 2, 28)
    )  # too early
    offer(w, "秋季场地", w.tree.r1, available_from=date(2026, 6, 1))  # too late
    withdrawn = offer(w, "已撤回场地", w.tree.r1)
    resources.resource_withdraw(actor=w.users["street_admin"], resource=withdrawn)
    offer(w, "天山食堂", w.other_area, actor="root")  # another street

    found = matching.candidates(need)

    assert [(p.resource.title, p.rank) for p in found] == [
        (same_area.title, matching.SAME_AREA),
        (same_block.title, matching.SAME_BLOCK),
        (street_wide.title, matching.SAME_STREET),
        (other_block.title, matching.SAME_STREET),
    ]


def test_a_need_naming_a_kind_gets_only_that_kind(world: CommunityWorld) -> None:
    w = world
    need = need_in(w, wants=ResourceKind.VOLUNTEER_HOURS)
    offer(w, "活动室", w.tree.r1)
    hours = offer(
        w, "送餐志愿服务", w.tree.r1, kind=ResourceKind.VOLUNTEER_HOURS, quantity="200", measure="小时"
    )
    assert [p.resource.pk for p in matching.candidates(need)] == [hours.pk]


def test_the_pure_rule_without_the_database_places() -> None:
    levels = {"/S/S-K1/S-R1/": 3, "/S/S-K1/": 2, "/S/": 1}
    assert matching.place_rank("/S/S-K1/S-R1/S-R1-B1/", "/S/S-K1/S-R1/", levels) == matching.SAME_AREA
    assert matching.place_rank("/S/S-K1/S-R1/", "/S/S-K1/S-R2/", levels) == matching.SAME_BLOCK
    assert matching.place_rank("/S/S-K1/S-R1/", "/S/S-K2/S-R3/", levels) == matching.SAME_STREET
    assert matching.place_rank("/S/S-K1/S-R1/", "/T/T-R1/", levels) is None
    assert matching.overlaps(None, None, date(2026, 1, 1), None)
    assert matching.overlaps(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), None)
    assert not matching.overlaps(date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1), None)
    assert not matching.overlaps(date(2026, 3, 1), None, None, date(2026, 2, 28))


def test_staff_confirm_and_reject_proposals(world: CommunityWorld) -> None:
    w = world
    need = need_in(w)
    near = offer(w, "东安活动室", w.tree.r1)
    far = offer(w, "南丹会所", w.tree.r3)
    mismatch = offer(w, "儿童乐园", w.tree.r1, field=ServiceField.CHILDREN)

    match = matching.match_confirm(actor=w.users["committee"], need=need, resource=near, note="每周三使用")
    assert match.rank == matching.SAME_AREA and Need.objects.get(pk=need.pk).state == NeedState.MATCHED
    matching.match_reject(actor=w.users["committee"], need=need, resource=far, note="太远")
    assert matching.candidates(need) == []  # both decided: neither is proposed again

    with pytest.raises(ConflictError):
        matching.match_confirm(actor=w.users["committee"], need=need, resource=near)
    with pytest.raises(ValidationError) as refused:
        matching.match_confirm(actor=w.users["committee"], need=need, resource=mismatch)
    assert "resource" in refused.value.message_dict
    with pytest.raises(PermissionDeniedError):  # another area's committee
        matching.match_confirm(actor=w.users["committee_r3"], need=need, resource=mismatch)
