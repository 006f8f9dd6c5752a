"""The street's rules are data, checked as a whole before they are saved; the admin keeps them
through the same checks and never deletes one."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.community import rulebook
from gongzhi.community.models import PointRule
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.testing.clients import admin_client


def test_a_deduction_must_name_the_broken_rule_and_types_must_exist(cworld):
    rule = PointRule(
        street=cworld.tree.street,
        code="D09",
        item="x",
        direction="deduct",
        points=1,
        member_types=["nobody"],
        awarders=["party_secretary"],
    )
    with pytest.raises(ValidationError) as err:
        rulebook.rule_save(actor=cworld.users["street_admin"], rule=rule)
    assert {"broken_rule", "member_types"} <= set(err.value.message_dict)
    assert not PointRule.objects.filter(code="D09").exists()


def test_only_the_street_keeps_its_rules(cworld):
    rule = cworld.rules["volunteer"]
    rule.points = 50
    with pytest.raises(PermissionDeniedError):
        rulebook.rule_save(actor=cworld.users["secretary"], rule=rule)
    rulebook.rule_save(actor=cworld.users["street_admin"], rule=rule)
    assert PointRule.objects.get(pk=rule.pk).points == 50


def test_the_admin_saves_through_the_checks_and_never_deletes(cworld):
    client = admin_client(cworld.users["street_admin"])
    url = f"/admin/community/pointrule/{cworld.rules['pets'].pk}/change/"
    page = client.post(
        url,
        {
            "street": cworld.tree.street.pk,
            "code": "D02",
            "item": "违规饲养宠物",
            "direction": "deduct",
            "points": "3",
            "yearly_cap": "",
            "awarders": '["party_secretary"]',
            "member_types": '["retired"]',
            "fact": "",
            "fact_details": "[]",
            "broken_rule": "",
            "active": "on",
        },
    )
    assert page.status_code == 200 and "扣分项目须写明违反的规定" in page.content.decode()
    assert PointRule.objects.get(code="D02").member_types != ["retired"]
    assert client.get(f"/admin/community/pointrule/{cworld.rules['pets'].pk}/delete/").status_code == 403
