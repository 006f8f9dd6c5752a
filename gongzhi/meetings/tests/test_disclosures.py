# ruff: noqa: F811 (world, the imported fixture, is each test's argument)
"""双公示: the plan before the work, the result after it, corrections with a reason; who may
publish; bad input refused with Chinese field messages and nothing written."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture)
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.geo.models import Node
from gongzhi.meetings import disclosures
from gongzhi.meetings.kinds import Business, MeetingKind
from gongzhi.meetings.models import (
    Disclosure,
    DisclosureEvent,
    DisclosureState,
    Meeting,
    Payer,
    Slip,
    SlipState,
    Topic,
    TopicSource,
)
from gongzhi.orgs.models import Post
from gongzhi.web.tests.case_world import report

pytestmark = pytest.mark.django_db

T1 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
T3 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def plan(world, **kw):
    args = {
        "actor": world.dispatcher,
        "node": world.tree.r1,
        "title": "东安一村3号楼屋面防水维修",
        "payer": Payer.REPAIR_FUND,
        "households": 24,
        "amount": "12800.50",
        "text": "更换3号楼屋面防水层，物业组织施工，预计两周完工。",
    }
    args.update(kw)
    with clock.freeze(T1):
        return disclosures.disclosure_create(**args)


def complete(world, d, amount="13150", text="已完工，经业委会验收。增加天沟修补。", actor=None):
    with clock.freeze(T2):
        return disclosures.disclosure_complete(
            actor=actor or world.dispatcher, disclosure=d, amount=amount, text=text
        )


def nothing_written() -> bool:
    return not Disclosure.objects.exists() and not DisclosureEvent.objects.exists()


def test_plan_result_and_correction_keep_every_published_fact(world):
    d = plan(world)
    unit = Post.objects.get(code="POST-r1staff").unit.name
    assert (d.state, d.plan_amount, d.plan_at, d.plan_by) == (
        "planned",
        Decimal("12800.50"),
        T1,
        world.dispatcher,
    )
    assert d.plan_unit == unit and d.result_amount is None and d.difference is None
    d = complete(world, d)
    assert (d.state, d.result_amount, d.result_at, d.result_unit) == ("done", Decimal("13150.00"), T2, unit)
    assert d.difference == Decimal("349.50")
    with clock.freeze(T3):
        d = disclosures.disclosure_amend(
            actor=world.block,  # the block above the area may correct it too
            disclosure=d,
            stage="result",
            amount="13105.00",
            text="已完工，经业委会验收。增加天沟修补。",
            reason="发票金额录入有误",
        )
    d.refresh_from_db()
    assert (d.result_amount, d.amendments, d.difference) == (Decimal("13105.00"), 1, Decimal("304.50"))
    events = list(d.events.order_by("at", "pk"))
    assert [e.action for e in events] == ["publish_plan", "publish_result", "amend"]
    assert events[0].data["amount"] == "12800.50" and events[0].actor == world.dispatcher
    assert events[1].data["amount"] == "13150.00"  # what was published first stays on record
    assert (
        events[2].data["before"]["amount"] == "13150.00" and events[2].data["after"]["amount"] == "13105.00"
    )
    assert events[2].reason == "发票金额录入有误" and events[2].at == T3


def test_plan_can_follow_a_decision_and_a_case(world):
    case = report(world_cw(world))
    slip = binding_slip(world)
    d = plan(world, case=case, slip=slip, node=world.tree.e1)
    assert (d.case, d.slip, d.node) == (case, slip, world.tree.e1)
    assert d.events.get().data["slip"] == slip.pk


def world_cw(world):
    """report() wants the web tests' world; the fields it reads are the same."""

    class Shim:
        tree = world.tree
        category = world.category

    return Shim


def binding_slip(world, node=None, state=SlipState.BINDING) -> Slip:
    node = node or world.tree.r1
    meeting = Meeting.objects.create(
        kind=MeetingKind.JUWUHUI, node=node, node_path=node.path, title="居务会", starts_at=T1, created_at=T1
    )
    topic = Topic.objects.create(
        node=node,
        node_path=node.path,
        meeting=meeting,
        title="屋面渗漏",
        business=Business.KEY_MATTER,
        source=TopicSource.CASES,
        created_at=T1,
    )
    return Slip.objects.create(
        meeting=meeting,
        topic=topic,
        node=node,
        node_path=node.path,
        action="使用维修资金修复屋面",
        due=date(2026, 12, 31),
        state=state,
        created_at=T1,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "-1"}, "plan_amount", "金额不能为负数"),
        ({"amount": "100000000.01"}, "plan_amount", "金额不能超过1亿元"),
        ({"amount": "1e12"}, "plan_amount", "金额不能超过1亿元"),
        ({"amount": "abc"}, "plan_amount", "金额应为数字"),
        ({"amount": "NaN"}, "plan_amount", "金额应为数字"),
        ({"amount": "sNaN"}, "plan_amount", "金额应为数字"),
        ({"amount": "Infinity"}, "plan_amount", "金额应为数字"),
        ({"amount": "12.345"}, "plan_amount", "金额最多保留两位小数"),
        ({"amount": ""}, "plan_amount", "请填写金额"),
        ({"amount": None}, "plan_amount", "请填写金额"),
        ({"households": 0}, "households", "涉及户数应为1至100000之间的整数"),
        ({"households": "十户"}, "households", "涉及户数"),
        ({"households": 100001}, "households", "涉及户数"),
        ({"title": "  "}, "title", "请填写项目名称"),
        ({"title": "屋" * 121}, "title", "不能超过120字"),
        ({"payer": "me"}, "payer", "请选择费用承担方"),
        ({"text": ""}, "plan_text", "请填写施工方案"),
        ({"text": "a\x00b"}, "plan_text", "含有无效字符"),
        ({"text": "字" * 2001}, "plan_text", "不能超过2000字"),
    ],
)
def test_bad_plan_is_refused_with_a_field_message_and_nothing_written(world, change, field, message):
    with pytest.raises(ValidationError) as exc:
        plan(world, **change)
    assert any(message in m for m in exc.value.message_dict[field]), exc.value.message_dict
    assert nothing_written()


def test_amounts_are_exact_money(world):
    assert plan(world, amount="12,800.5").plan_amount == Decimal("12800.50")
    assert plan(world, amount=Decimal("0")).plan_amount == Decimal("0.00")  # a free repair is published too
    assert plan(world, amount=0.1).plan_amount == Decimal("0.10")  # a float goes through its text
    assert plan(world, amount="100000000").plan_amount == disclosures.MAX_AMOUNT


def test_only_places_of_an_area_and_only_its_conveners(world):
    household = Node.objects.get(code="S-R1-H101")
    for node in (None, household, world.tree.street):
        with pytest.raises(ValidationError) as exc:
            plan(world, node=node)
        assert "请选择居民区、小区或楼栋" in exc.value.message_dict["node"][0]
    for outsider in (world.outsider, world.handler, None):  # another area, a property post, nobody
        with pytest.raises(PermissionDeniedError):
            plan(world, actor=outsider)
    assert nothing_written()
    assert plan(world, actor=world.street).plan_unit  # the street above may publish


def test_links_must_belong_to_the_place(world):
    other = report(world_cw(world), node=world.tree.r3)
    with pytest.raises(ValidationError) as exc:
        plan(world, case=other)
    assert "关联的工单须在同一居民区" in exc.value.message_dict["case"][0]
    for slip, message in (
        (binding_slip(world, node=world.tree.r3), "关联的任务流转单须针对本辖区"),
        (binding_slip(world, state=SlipState.DRAFT), "只能关联已生效的任务流转单"),
    ):
        with pytest.raises(ValidationError) as exc:
            plan(world, slip=slip)
        assert message in exc.value.message_dict["slip"][0]
    assert nothing_written()


def test_result_only_once_after_the_plan_with_its_amount(world):
    d = plan(world)
    for amount, text, field, message in (
        ("", "已完工", "result_amount", "请填写金额"),
        ("-5", "已完工", "result_amount", "金额不能为负数"),
        ("100", "", "result_text", "请填写完成情况"),
    ):
        with pytest.raises(ValidationError) as exc:
            complete(world, d, amount=amount, text=text)
        assert message in exc.value.message_dict[field][0]
    with pytest.raises(PermissionDeniedError):
        complete(world, d, actor=world.outsider)
    d.refresh_from_db()
    assert d.state == DisclosureState.PLANNED and d.result_amount is None and d.events.count() == 1
    d = complete(world, d)
    with pytest.raises(ConflictError):
        complete(world, d, amount="1")
    stale = Disclosure.objects.get(pk=d.pk)
    stale.state = DisclosureState.PLANNED  # a page opened before the result was published
    with pytest.raises(ConflictError):
        complete(world, stale, amount="1")
    d.refresh_from_db()
    assert d.result_amount == Decimal("13150.00") and d.events.count() == 2


def test_a_correction_needs_a_reason_and_a_change(world):
    d = plan(world)
    cases = [
        ({"stage": "both"}, "stage", "请选择更正事前公示还是事后公示"),
        ({"reason": ""}, "reason", "请说明更正理由"),
        ({"amount": "x"}, "amount", "金额应为数字"),
        ({"amount": "12800.50", "text": d.plan_text}, "amount", "更正后的内容与已公示的相同"),
    ]
    for change, field, message in cases:
        args = {"stage": "plan", "amount": "12000", "text": d.plan_text, "reason": "预算调整", **change}
        with pytest.raises(ValidationError) as exc:
            disclosures.disclosure_amend(actor=world.dispatcher, disclosure=d, **args)
        assert message in exc.value.message_dict[field][0]
    with pytest.raises(ConflictError):  # nothing to correct yet
        disclosures.disclosure_amend(
            actor=world.dispatcher, disclosure=d, stage="result", amount="1", text="x", reason="y"
        )
    with pytest.raises(PermissionDeniedError):
        disclosures.disclosure_amend(
            actor=world.outsider, disclosure=d, stage="plan", amount="1", text="x", reason="y"
        )
    d.refresh_from_db()
    assert d.plan_amount == Decimal("12800.50") and d.amendments == 0 and d.events.count() == 1


def test_the_database_refuses_a_negative_amount_or_a_result_without_one(world):
    d = plan(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=d.pk).update(plan_amount=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=d.pk).update(state=DisclosureState.DONE)


@given(st.one_of(st.text(max_size=40), st.floats(allow_nan=True), st.integers(), st.decimals()))
def test_any_amount_typed_is_money_or_a_message_never_a_crash(value):
    errors: dict[str, list[str]] = {}
    amount = disclosures.parse_amount(value, "amount", errors)
    if amount is None:
        assert errors["amount"]
    else:
        assert not errors and Decimal(0) <= amount <= disclosures.MAX_AMOUNT
        assert amount == amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent == -2
