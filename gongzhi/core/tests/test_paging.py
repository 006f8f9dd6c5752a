"""Capped counts and keyset pages over real rows."""

import pytest

from gongzhi.core import paging
from gongzhi.geo.models import Node


@pytest.mark.django_db
def test_capped_count_stops_at_the_cap(tree):
    nodes = Node.objects.all()
    total = nodes.count()
    assert paging.capped_count(nodes, cap=total) == (total, False)
    assert paging.capped_count(nodes, cap=total - 1) == (total - 1, True)
    assert paging.capped_count(nodes.none()) == (0, False)


@pytest.mark.django_db
def test_capped_paginator_says_there_are_more(tree):
    pages = paging.CappedPaginator(Node.objects.order_by("path"), 2)
    pages.cap = 3
    assert pages.count == 3 and pages.count_more is True and pages.num_pages == 2
    assert len(pages.page(2).object_list) == 1
