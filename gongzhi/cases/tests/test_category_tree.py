"""The seeded 事项分类 tree (GB/T 30428 events and parts residents report, plus community
matters): at least 60 小类, each with a handling policy and a scope line; stable codes; seeding
again adds what is missing and leaves the admins' edits alone."""

import re

import pytest

from gongzhi.cases import policies
from gongzhi.cases.models import CategoryPolicy
from gongzhi.orgs.categories import SCOPE, SEED, seed_categories
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import UnitKind

pytestmark = pytest.mark.django_db

CODES = [code for _, _, children in SEED for code, _ in children]
# The codes before the GB/T 30428 extension: they are in saved cases, reports and duties.
ORIGINAL = [
    "HJ01",
    "HJ02",
    "HJ03",
    "HJ04",
    "HJ05",
    "LD01",
    "LD02",
    "LD03",
    "LD04",
    "WJ01",
    "WJ02",
    "WJ03",
    "FW01",
    "FW02",
    "FW03",
    "FW04",
    "JY01",
    "JY02",
    "JY03",
    "JY04",
    "JY05",
    "SS01",
    "SS02",
    "SS03",
    "SS04",
    "AQ01",
    "AQ02",
    "AQ03",
    "WY01",
    "WY02",
    "WY03",
    "MS01",
    "MS02",
    "MS03",
]


def test_at_least_sixty_subcategories_with_a_policy_each():
    subcategories = Category.objects.filter(parent__isnull=False)
    assert subcategories.count() == len(CODES) >= 60
    with_policy = CategoryPolicy.objects.filter(category__in=subcategories)
    assert with_policy.count() == len(CODES)
    kinds = set(UnitKind.values)
    for policy in with_policy:
        assert policy.lead_unit_kind in kinds, policy.category.code
        assert policy.limit_amount > 0 and policy.limit_unit in {"hours", "days"}


def test_codes_are_unique_stable_and_under_their_parent():
    assert len(set(CODES)) == len(CODES)
    assert set(ORIGINAL) <= set(CODES)
    for parent, _name, children in SEED:
        for code, _child in children:
            assert re.fullmatch(rf"{parent}\d\d", code)
    assert set(SCOPE) == set(CODES) == set(policies.SEED)
    assert all(SCOPE[c].strip() for c in CODES)


def test_seeding_again_adds_missing_ones_and_keeps_edits():
    Category.objects.filter(code="HJ07").update(name="油烟扰民（本街道叫法）", active=False)
    CategoryPolicy.objects.filter(category__code="SS07").update(limit_amount=1)
    CategoryPolicy.objects.filter(category__code="SG04").delete()
    Category.objects.filter(code="SG04").delete()
    seed_categories(Category)
    policies.seed_policies(Category, CategoryPolicy)
    hj07 = Category.objects.get(code="HJ07")
    assert hj07.name == "油烟扰民（本街道叫法）" and not hj07.active
    assert CategoryPolicy.objects.get(category__code="SS07").limit_amount == 1
    sg04 = Category.objects.get(code="SG04")
    assert sg04.parent.code == "SG" and sg04.policy.lead_unit_kind == UnitKind.URBAN_MANAGEMENT
