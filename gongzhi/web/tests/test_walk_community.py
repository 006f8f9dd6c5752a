"""Walk C (issue 15) in Debian's chromium at 375 px on a small world: 东安医院's representative
applies for 双报到 with 东安居民区, the area's Party secretary confirms, the committee builds and
publishes a project, the unit claims it and signs the 共建承诺书, the secretary countersigns,
the unit reports the milestone done, the committee finishes it, three residents evaluate it
from their phones and the public board shows it with the evaluation — no person's name or
number on the public pages, though the summary the committee typed names a resident and her
phone. The database is checked after the pages at each point that matters."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gongzhi.community.models import (
    Pledge,
    PledgeState,
    Project,
    ProjectEvaluation,
    ProjectState,
)
from gongzhi.core import clock
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import DualRegistration, Person, Post
from gongzhi.orgs.roles import PartyOrgKind, PostRole, UnitKind
from gongzhi.testing.factories import PASSWORD, PersonFactory, UnitFactory, UserFactory, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, PHONE, chromium, phone_page
from gongzhi.web.walks import community

pytestmark = MARKS

RESIDENT, RESIDENT_PHONE = "赵桂英", "13912345678"


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser, PHONE) as page:
        yield page


def holder(username: str, name: str, role: str, unit, *, phone: str) -> Post:
    user = UserFactory(username=username)
    person = PersonFactory(name=name, phone=phone)
    Person.objects.filter(pk=person.pk).update(user=user)
    return Post.objects.create(
        code=f"POST-{username}",
        unit=unit,
        node=unit.node,
        title=str(PostRole(role).label),
        person=person,
        role=role,
        active_from=date(2020, 1, 1),
    )


def build_world():
    tree = make_tree()
    top = org_services.party_org_upsert(
        actor=None, code="S-DGW", name="枫林街道党工委", kind=PartyOrgKind.WORKING_COMMITTEE, node=tree.street
    )
    org_services.party_org_upsert(
        actor=None,
        code="S-R1-DW",
        name="东安居民区党总支",
        kind=PartyOrgKind.GENERAL_BRANCH,
        node=tree.r1,
        parent=top,
    )
    committee = UnitFactory(node=tree.r1, kind=UnitKind.RESIDENTS_COMMITTEE, name="东安居委会")
    hospital = UnitFactory(node=tree.r1, kind=UnitKind.CO_BUILDING, name="东安医院")
    holder("secretary", "李秀兰", PostRole.PARTY_SECRETARY, committee, phone="13800001111")
    holder("committee", "王芳", PostRole.COMMITTEE_STAFF, committee, phone="13800002222")
    holder("hospital", "张建国", PostRole.PARTNER, hospital, phone="13800003333")
    PersonFactory(name=RESIDENT, phone=RESIDENT_PHONE, home=tree.h1)
    return tree, hospital


def test_walk_a_unit_registers_claims_delivers_and_is_evaluated_in_public(page, live_server):
    tree, hospital = build_world()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    today = timezone.localdate(clock.now())
    cast = community.Cast(
        unit_rep="hospital",
        unit="东安医院",
        secretary="secretary",
        committee="committee",
        area="S-R1",
        area_name="东安居民区",
    )
    plan = community.Plan(
        title="东安一村楼道适老化扶手",
        summary=f"独居老人{RESIDENT}等居民反映上下楼困难（联系电话{RESIDENT_PHONE}），为1号楼加装楼道扶手",
        starts_on=today,
        ends_on=today + timedelta(days=60),
        milestone="扶手安装完成",
        due=today + timedelta(days=30),
    )
    walk = community.Walk(base=live_server.url, password=PASSWORD, shots=ARTIFACTS, say=lambda line: None)

    community.register(walk, page, cast, plan)
    registration = DualRegistration.objects.get(unit=hospital)
    assert (registration.node, registration.state) == (tree.r1, DualRegistration.State.APPLIED)
    assert list(registration.commitments.values_list("kind", "title", "unit")) == [
        ("hours", "志愿服务", "hours")
    ]
    community.confirm(walk, page, cast)
    registration.refresh_from_db()
    assert registration.state == DualRegistration.State.CONFIRMED

    url = community.build_project(walk, page, cast, plan)
    project = Project.objects.get(title=plan.title)
    assert url == f"{live_server.url}/community/projects/{project.pk}/"
    assert project.state == ProjectState.OPEN

    digest = community.claim_and_sign(walk, page, cast, plan)
    pledge = Pledge.objects.get(project=project)
    assert pledge.unit == hospital and pledge.versions.get().content_hash.startswith(digest)
    community.countersign(walk, page, cast, url)
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.IN_FORCE
    assert sorted(pledge.signatures.values_list("side", "signer_name")) == [
        ("community", "李秀兰"),
        ("unit", "张建国"),
    ]

    community.milestone_done(walk, page, cast, plan, url)
    community.finish(walk, page, cast, url)
    project.refresh_from_db()
    assert project.state == ProjectState.DONE
    assert project.milestones.get().evidence == plan.evidence

    community.evaluate(walk, page, plan, url)
    assert sorted(ProjectEvaluation.objects.filter(project=project).values_list("rating", flat=True)) == [
        "fair",
        "good",
        "good",
    ]

    private = ["李秀兰", "王芳", "张建国", RESIDENT]
    shown = community.public_board(walk, page, cast, plan, private)
    assert "东安医院" in shown and "3 位居民评议，满意度 100%" in shown
    for number in ("13800001111", "13800002222", "13800003333", RESIDENT_PHONE):
        assert number not in shown
    assert [name for name, _ in walk.timings] and not errors
