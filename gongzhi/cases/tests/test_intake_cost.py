"""What one intake costs in queries, and the rung check that spares one of them."""

import pytest
from django.test import Client

from gongzhi.api import services as api_services
from gongzhi.cases import choices
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case
from gongzhi.cases.states import Rung
from gongzhi.core import refdata
from gongzhi.geo.models import Node
from gongzhi.orgs import access
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff

# token, node, category with its policy, routing (posts on the ancestry, and their duties:
# two cheap reads serve a whole batch), BEGIN, case, event, dispatchers, outbox, COMMIT, the
# caller's posts (scope for allowed_actions), the district roots (which segment of a path names
# the street: geo.streets, for the street's working calendar): nothing read twice — with a cold
# snapshot.
INTAKE_QUERIES_COLD = 14
# token, the reference stamp, BEGIN, case, event, outbox, COMMIT: place, category, route,
# dispatchers and scope come from the process's reference snapshot (core.refdata).
INTAKE_QUERIES_WARM = 7


@pytest.mark.django_db
def test_api_intake_reads_nothing_twice(tree, django_assert_max_num_queries, django_assert_num_queries):
    user = make_staff("cadre", PostRole.STREET_CADRE, tree.street)
    make_staff("disp", PostRole.COMMITTEE_STAFF, tree.r1)
    key = api_services.token_create(user=user, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {"node": "S-R1-B1", "text": "1号楼楼道堆放纸箱", "category": "LD01"}
    client.post("/api/v1/cases", body, content_type="application/json")  # the token's first use
    refdata.clear()
    with django_assert_max_num_queries(INTAKE_QUERIES_COLD):
        client.post("/api/v1/cases", body, content_type="application/json")
    with django_assert_num_queries(INTAKE_QUERIES_WARM):
        response = client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code == 201
    created = Case.objects.get(pk=response.json()["id"])
    assert response.json()["allowed_actions"] == case_services.allowed_for(user, created)
    assert created.events.count() == 1


@pytest.mark.django_db
def test_rung_check_matches_the_rung_node(tree):
    """can_on_rung(node, rung) answers what can(rung_node) answers, for every post place,
    case place and rung."""
    nodes = list(Node.objects.order_by("path"))
    users = [
        make_staff(f"u{i}", PostRole.COMMITTEE_STAFF if n.level >= 3 else PostRole.STREET_CADRE, n)
        for i, n in enumerate(nodes)
    ]
    checked, allowed = 0, 0
    for place in nodes:
        for rung in Rung.values:
            case = Case(node=place, rung=rung)
            expected_node = choices.rung_node(case)
            for user in users:
                answer = access.can_on_rung(user, access.DISPATCH, place, rung)
                assert answer == access.can(user, access.DISPATCH, expected_node), (
                    user.username,
                    place.code,
                    rung,
                )
                checked += 1
                allowed += answer
    assert checked == len(nodes) ** 2 * len(Rung.values)
    assert 0 < allowed < checked  # both answers occur
