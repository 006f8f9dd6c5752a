"""Property tests: codes are accepted exactly when valid, and any sequence of moves keeps every
materialised path equal to the one recomputed from the parent links."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gongzhi.geo import selectors, services
from gongzhi.geo.levels import ALLOWED_PARENTS, Level
from gongzhi.geo.models import Node
from gongzhi.testing.properties import examples


@given(st.text(max_size=45))
@settings(max_examples=examples(200))
def test_code_validation_accepts_exactly_the_documented_alphabet(code):
    ok = bool(services.CODE_RE.match(code))
    if ok:
        services.validate_code(code)
    else:
        with pytest.raises(ValidationError):
            services.validate_code(code)
    assert not ok or ("/" not in code and 1 <= len(code) <= 40)


def expected_paths() -> dict[str, str]:
    """Each node's path recomputed by walking parent links in Python."""
    parent_of = dict(Node.objects.values_list("code", "parent__code"))

    def walk(code: str) -> str:
        parent = parent_of[code]
        return (walk(parent) if parent else "/") + code + "/"

    return {code: walk(code) for code in parent_of}


class TreeMoveProperties(TestCase):
    def setUp(self):
        self.street = services.node_create(actor=None, code="S", name="街道", level=Level.STREET, parent=None)
        blocks = [
            services.node_create(
                actor=None, code=f"K{i}", name=f"块区{i}", level=Level.BLOCK, parent=self.street
            )
            for i in range(3)
        ]
        areas = [
            services.node_create(
                actor=None, code=f"R{i}", name=f"居民区{i}", level=Level.AREA, parent=blocks[i % 3]
            )
            for i in range(5)
        ]
        for i in range(8):
            estate = services.node_create(
                actor=None, code=f"E{i}", name=f"小区{i}", level=Level.ESTATE, parent=areas[i % 5]
            )
            services.node_create(actor=None, code=f"G{i}", name=f"网格{i}", level=Level.GRID, parent=estate)

    @given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=12))
    @settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_moves_keep_paths_consistent(self, moves):
        nodes = list(Node.objects.order_by("code"))
        for a, b in moves:
            node, target = nodes[a % len(nodes)], nodes[b % len(nodes)]
            node.refresh_from_db()
            target.refresh_from_db()
            legal = target.level in ALLOWED_PARENTS[node.level] and not target.path.startswith(node.path)
            try:
                services.node_move(actor=None, node=node, new_parent=target)
                assert legal
            except ValidationError:
                assert not legal
        expected = expected_paths()
        assert dict(Node.objects.values_list("code", "path")) == expected
        # the prefix query agrees with walking the parent links
        for node in Node.objects.filter(level__lte=Level.AREA):
            under = set(selectors.descendants(node).values_list("code", flat=True))
            assert under == {code for code, path in expected.items() if f"/{node.code}/" in path}
