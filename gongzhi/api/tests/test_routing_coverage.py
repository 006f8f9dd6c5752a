"""/api/v1/routing/coverage over HTTP: the page's read (cases.coverage), scoped; 403 for those
who neither keep the roster nor dispatch, 404 for a node outside the scope or unknown."""

from datetime import date

from gongzhi.orgs import services
from gongzhi.orgs.models import Category
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory


def test_coverage_names_the_post_and_the_rule_and_keeps_to_the_scope(api, world):
    services.post_upsert(
        actor=None,
        code="R1-WY",
        unit=UnitFactory(node=world.tree.r1, kind=UnitKind.PROPERTY),
        node=world.tree.r1,
        title="物业项目经理",
        person=PersonFactory(name="物业经理甲"),
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
        categories=list(Category.objects.filter(code="LD01")),
    )
    body = api("GET", "/routing/coverage", as_="street").json()
    assert [a["area"] for a in body] == ["S-R1", "S-R2", "S-R3"]
    r1 = {c["category"]: c for c in body[0]["cells"]}
    assert r1["LD01"]["rule"] == "local" and r1["LD01"]["post"]["code"] == "R1-WY"
    assert r1["LD01"]["post"]["node_name"] == "东安居民区"
    assert r1["WY01"]["rule"] == "lead_unit" and r1["WY01"]["post"]["code"] == "R1-WY"  # property leads
    assert r1["LD01"]["below"] == 0
    r2 = {c["category"]: c for c in body[1]["cells"]}
    assert r2["LD01"]["rule"] == "" and r2["LD01"]["post"] is None  # a gap
    assert body[1]["gaps"] == sum(1 for c in body[1]["cells"] if c["post"] is None) > 0
    gaps = api("GET", "/routing/coverage", as_="street", params={"node": "S-R2", "gaps_only": True}).json()
    assert len(gaps) == 1 and len(gaps[0]["cells"]) == gaps[0]["gaps"] == body[1]["gaps"]
    own = api("GET", "/routing/coverage", as_="committee").json()
    assert [a["area"] for a in own] == ["S-R1"]
    hidden = api("GET", "/routing/coverage", as_="committee", params={"node": "S-R3"})
    unknown = api("GET", "/routing/coverage", as_="committee", params={"node": "NOPE"})
    assert hidden.status_code == unknown.status_code == 404 and hidden.json() == unknown.json()
    for who in ("grid", "dept", "auditor", "resident"):
        assert api("GET", "/routing/coverage", as_=who).status_code == 403
    assert api("GET", "/routing/coverage").status_code == 401
