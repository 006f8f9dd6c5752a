"""The community API over real HTTP: the whole 双报到 loop, points by hand with evidence, and
bad input answered 422 with Chinese field messages and nothing written; scope by 404. The
clock is frozen at T0 (mid-June 2026) for the server thread too (core.clock is one global)."""

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import httpx
import pytest
from PIL import Image

from gongzhi.api import services as api_services
from gongzhi.community.models import Commitment, PointClaim, PointEntry, RegistrationEvent
from gongzhi.community.tests.ledger.conftest import T0, CommunityWorld, build_world
from gongzhi.core import clock
from gongzhi.orgs.models import DualRegistration
from gongzhi.orgs.roles import MemberType


@pytest.fixture
def w(transactional_db: None) -> CommunityWorld:
    return build_world()


@pytest.fixture
def api(live_server: Any, w: CommunityWorld) -> Iterator[Any]:
    keys = {k: api_services.token_create(user=u, name=f"{k}-test")[1] for k, u in w.users.items()}
    with clock.freeze(T0), httpx.Client(base_url=f"{live_server.url}/api/v1/community", timeout=30) as client:

        def call(method: str, path: str, as_: str, **kwargs: Any) -> httpx.Response:
            r = client.request(method, path, headers={"Authorization": f"Bearer {keys[as_]}"}, **kwargs)
            assert r.status_code < 500, r.text[:2000]
            return r

        yield call


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (30, 20), "white").save(out, "PNG")
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (
        DualRegistration.objects.count(),
        RegistrationEvent.objects.count(),
        Commitment.objects.count(),
        PointClaim.objects.count(),
        PointEntry.objects.count(),
    )


def messages(r: httpx.Response) -> dict[str, str]:
    return {str(d["loc"][-1]): d["msg"] for d in r.json()["detail"]}


def test_a_unit_registers_is_confirmed_and_its_service_is_recorded(api, w):
    body = {
        "node": "S-R1",
        "unit": w.unit.code,
        "commitments": [{"kind": "venue", "title": "会议室每月开放", "per_year": 12, "unit": "times"}],
    }
    r = api("POST", "/registrations", "unit_rep", json=body)
    assert r.status_code == 201 and r.json()["state"] == "applied"
    reg_id, commitment_id = r.json()["id"], r.json()["commitments"][0]["id"]
    assert [x["id"] for x in api("GET", "/registrations/queue", "secretary").json()] == [reg_id]
    assert api("GET", "/registrations/queue", "committee").json() == []  # staff enter, they do not decide
    assert (
        api("POST", f"/registrations/{reg_id}/decide", "secretary_r3", json={"confirm": True}).status_code
        == 404
    )
    r = api("POST", f"/registrations/{reg_id}/decide", "secretary", json={"confirm": True})
    assert r.json()["state"] == "confirmed"
    r = api(
        "POST",
        f"/commitments/{commitment_id}/service",
        "committee",
        json={"done_on": str(r.json()["registered_on"]), "quantity": 1},
    )
    assert r.status_code == 201
    r = api("POST", f"/registrations/{reg_id}/end", "unit_rep", json={"reason": "单位迁出"})
    assert r.json()["state"] == "ended" and r.json()["ended_on"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"node": "S-R1", "unit": "U-OUT"}, "unit", "不在本街道"),
        ({"node": "S-R1"}, "unit", "一个单位或一名党员"),
        ({"node": "S-K1", "unit": "U-IN"}, "node", "居民区"),
        ({"node": "NOPE", "unit": "U-IN"}, "node", "没有这个居民区"),
        (
            {
                "node": "S-R1",
                "unit": "U-IN",
                "commitments": [{"kind": "x", "title": "t", "per_year": 1, "unit": "times"}],
            },
            "commitments",
            "承诺类型",
        ),
    ],
)
def test_a_bad_registration_is_422_in_chinese_and_writes_nothing(api, w, body, field, words):
    body = dict(body)
    body["unit"] = {"U-OUT": w.outside_unit.code, "U-IN": w.unit.code}.get(
        body.get("unit", ""), body.get("unit")
    )
    before = counts()
    r = api("POST", "/registrations", "street_admin", json=body)
    assert r.status_code == 422
    assert words in messages(r)[field]
    assert counts() == before


def claim(api, who, member, rule, file: bytes | None = None, **data: Any) -> httpx.Response:
    form = {"member": str(member.pk), "rule": rule, "occurred_on": "2026-06-01", "note": "楼道清扫"}
    form.update({k: str(v) for k, v in data.items()})
    files = {"evidence": ("佐证.png", file, "image/png")} if file is not None else None
    return api("POST", "/claims", who, data=form, files=files)


@pytest.mark.parametrize(
    ("member_type", "rule", "with_file", "field", "words"),
    [
        (MemberType.IN_SERVICE, "A11", False, "evidence", "佐证"),  # award without required evidence
        (MemberType.IN_DIFFICULTY, "D01", True, "rule", "帮扶式"),  # a deduction for a member in difficulty
        (MemberType.RETIRED, "A12", False, "rule", "不适用"),  # a rule for in-service members only
        (MemberType.IN_SERVICE, "ZZZ", False, "rule", "没有这个积分项目"),
    ],
)
def test_bad_points_are_422_in_chinese_and_write_nothing(api, w, member_type, rule, with_file, field, words):
    before = counts()
    r = claim(api, "secretary", w.members[member_type], rule, png() if with_file else None)
    assert r.status_code == 422, r.text
    assert words in messages(r)[field]
    assert counts() == before


def test_points_over_the_yearly_cap_are_refused_over_http(api, w):
    member = w.members[MemberType.IN_SERVICE]
    for _ in range(3):
        assert claim(api, "secretary", member, "A10").status_code == 201
    before = counts()
    r = claim(api, "secretary", member, "A10")
    assert r.status_code == 422 and "年度上限" in messages(r)["rule"]
    assert counts() == before


def test_a_claim_is_approved_a_deduction_appealed_and_overturned(api, w):
    member = w.members[MemberType.IN_SERVICE]
    r = claim(api, "committee", member, "A11", png())
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "pending" and r.json()["entry"] is None
    r = api("POST", f"/claims/{r.json()['id']}/decide", "secretary", json={"approve": True})
    assert r.json()["state"] == "approved" and r.json()["entry"]
    deduction = claim(api, "secretary", member, "D01", png()).json()["entry"]
    # the member sees their own statement and appeals the deduction
    me = api("GET", "/me/statement?year=2026&month=6", MemberType.IN_SERVICE).json()
    assert me["closing"] == 3 and [e["points"] for e in me["entries"]] == [5, -2]
    appeal = api(
        "POST", f"/entries/{deduction}/appeal", MemberType.IN_SERVICE, json={"statement": "当天不在家"}
    )
    assert appeal.status_code == 201
    r = api(
        "POST",
        f"/appeals/{appeal.json()['id']}/decide",
        "secretary",
        json={"overturn": True, "reason": "证据不足"},
    )
    assert r.json()["state"] == "overturned"
    me = api("GET", "/me/statement?year=2026&month=6", MemberType.IN_SERVICE).json()
    assert me["closing"] == 5


def test_scope_a_member_sees_their_own_ledger_and_a_branch_secretary_their_branch(api, w):
    member = w.members[MemberType.IN_SERVICE]
    assert claim(api, "secretary", member, "A10").status_code == 201
    path = f"/members/{member.pk}/statement?year=2026&month=6"
    assert api("GET", path, "secretary").status_code == 200
    assert api("GET", path, "committee").status_code == 200
    assert api("GET", path, MemberType.IN_SERVICE).status_code == 200
    for outsider in ("secretary_r3", "committee_r3", MemberType.RETIRED, "grid"):
        assert api("GET", path, outsider).status_code == 404, outsider
    entry = PointEntry.objects.get().pk
    assert api("POST", f"/entries/{entry}/reverse", "secretary_r3", json={"reason": "x"}).status_code == 404
    assert api("POST", f"/entries/{entry}/reverse", "committee", json={"reason": "x"}).status_code == 403
    # the rankings: the street admin sees them, the 亮丑 side names branches only
    r = api("GET", "/rankings?node=S&year=2026", "street_admin").json()
    assert r["branches"][0]["name"] == "东安一村党支部" and r["likes"][0]["points"] == 3
    assert api("GET", "/rankings?node=S&year=2026", "committee").status_code == 403
    r = api("GET", "/assessment?node=S-R1&year=2026", "secretary").json()
    assert {row["member"]: row["grade"] for row in r}[member.pk] == "基本合格"
