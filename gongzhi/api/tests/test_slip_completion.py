"""/api/v1/meetings/slips/{id}/completion over real HTTP: a slip's new case comes dispatched to
its lead (主办) with the assisting unit as 协办 and the slip completes with its last case; a
slip without cases is reported done with evidence (multipart), returned, and confirmed by the
Party organisation; 403, 404, 409 and 422 each write nothing."""

from io import BytesIO
from typing import Any

from PIL import Image

from gongzhi.api.tests.test_meetings import (  # noqa: F401 (fixtures)
    MeetingWorld,
    _frozen,
    discussed,
    mw,
    ok,
    slip_body,
)
from gongzhi.meetings.models import MeetingEvent, SlipEvidence


def jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def bound(api: Any, mw: MeetingWorld, discussed: dict[str, Any], **change: Any) -> dict[str, Any]:  # noqa: F811
    body = slip_body(mw, discussed["topic"]["id"], discussed["case"], **change)
    body["parties"] = body["parties"][:2]  # the property company leads, urban management assists
    slip = ok(api("POST", "/meetings/slips", as_="jwh", json=body), 201)
    slip = ok(api("POST", f"/meetings/slips/{slip['id']}/issue", as_="jwh", json={"seq": slip["seq"]}))
    for username in ("wy", "cg"):
        body = {"verdict": "agree", "version": slip["version"]}
        slip = ok(api("POST", f"/meetings/slips/{slip['id']}/sign", as_=username, json=body))
    assert slip["state"] == "binding"
    return slip


def test_a_slips_case_is_dispatched_to_its_units_and_closing_it_completes_the_slip(
    api: Any,
    mw: MeetingWorld,  # noqa: F811
    discussed: dict[str, Any],  # noqa: F811
) -> None:
    slip = bound(api, mw, discussed, cases=[])
    created = ok(api("GET", f"/cases/{slip['cases'][0]}", as_="jwh"))
    assert created["state"] == "dispatched" and created["post"]["code"] == "POST-wy"
    # 协办: urban management sees it and may report progress, never close it
    seen = ok(api("GET", f"/cases/{created['id']}", as_="cg"))
    assert seen["allowed_actions"] == []
    body = {"action": "progress", "version": seen["version"], "note": "已张贴限期拆除通知"}
    progressed = ok(api("POST", f"/cases/{created['id']}/actions", as_="cg", json=body))
    assert progressed["version"] == seen["version"] + 1
    denied = api(
        "POST",
        f"/cases/{created['id']}/actions",
        as_="cg",
        json={"action": "accept", "version": progressed["version"]},
    )
    assert denied.status_code == 403
    assert api("GET", f"/cases/{created['id']}", as_="ws").status_code == 404  # not on this slip
    # the lead handles it; the committee verifies: the slip is done at once
    case = ok(
        api(
            "POST",
            f"/cases/{created['id']}/actions",
            as_="wy",
            json={"action": "accept", "version": progressed["version"]},
        )
    )
    files = {"files": ("after.jpg", jpeg(), "image/jpeg")}
    case = ok(
        api(
            "POST",
            f"/cases/{created['id']}/actions/upload",
            as_="wy",
            data={"action": "submit", "version": case["version"], "note": "已拆除"},
            files=files,
        )
    )
    case = ok(
        api(
            "POST",
            f"/cases/{created['id']}/actions/upload",
            as_="jwh",
            data={"action": "verify", "version": case["version"]},
            files=files,
        )
    )
    assert case["state"] == "closed"
    done = ok(api("GET", f"/meetings/slips/{slip['id']}", as_="secretary"))
    assert done["state"] == "done" and done["done_at"] is not None


def test_a_slip_without_cases_is_reported_returned_and_confirmed(
    api: Any,
    mw: MeetingWorld,  # noqa: F811
    discussed: dict[str, Any],  # noqa: F811
) -> None:
    slip = bound(api, mw, discussed, cases=[], new_cases=[])
    sid = slip["id"]
    assert slip["cases"] == []
    assert "submit_completion" in ok(api("GET", f"/meetings/slips/{sid}", as_="wy"))["allowed_actions"]
    assert "submit_completion" not in ok(api("GET", f"/meetings/slips/{sid}", as_="cg"))["allowed_actions"]
    url = f"/meetings/slips/{sid}/completion"
    photo = {"files": ("site.jpg", jpeg(), "image/jpeg")}

    # refusals write nothing: not the lead (403), out of scope (404), no files / no note /
    # not an image (422, in Chinese), a stale seq (409)
    assert api("POST", url, as_="cg", data={"note": "完成"}, files=photo).status_code == 403
    assert api("POST", url, as_="ws", data={"note": "完成"}, files=photo).status_code == 404
    assert api("POST", url, as_="block", data={"note": "完成"}, files=photo).status_code == 403
    assert (
        api(
            "POST", "/meetings/slips/999999/completion", as_="wy", data={"note": "x"}, files=photo
        ).status_code
        == 404
    )
    missing = api("POST", url, as_="wy", data={"note": "   "}, files=photo)
    assert missing.status_code == 422 and "办理情况" in str(missing.json())
    junk = api(
        "POST", url, as_="wy", data={"note": "完成"}, files={"files": ("a.jpg", b"MZ...", "image/jpeg")}
    )
    assert junk.status_code == 422 and "不是图片" in str(junk.json())
    stale = api("POST", url, as_="wy", data={"note": "完成", "seq": 0}, files=photo)
    assert stale.status_code == 409
    assert not SlipEvidence.objects.exists()
    assert not MeetingEvent.objects.filter(slip_id=sid, action="submit_completion").exists()

    reported = ok(
        api(
            "POST",
            url,
            as_="wy",
            data={"note": "已清理完毕，建立每周巡查", "seq": slip["seq"]},
            files=[
                ("files", ("site.jpg", jpeg(), "image/jpeg")),
                ("files", ("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")),
            ],
        )
    )
    assert reported["state"] == "confirming"
    assert set(ok(api("GET", f"/meetings/slips/{sid}", as_="secretary"))["allowed_actions"]) >= {
        "confirm_completion",
        "return_completion",
    }
    report = ok(api("GET", url, as_="secretary"))
    assert report["awaiting_confirmation"] and report["note"] == "已清理完毕，建立每周巡查"
    assert report["reported_by"] == "wy"
    assert sorted(e["content_type"] for e in report["evidence"]) == ["application/pdf", "image/jpeg"]
    image = next(e for e in report["evidence"] if e["content_type"] == "image/jpeg")
    got = api("GET", image["url"].removeprefix("/api/v1"), as_="secretary")
    assert got.status_code == 200 and got.content == jpeg()
    assert api("GET", image["thumbnail_url"].removeprefix("/api/v1"), as_="secretary").status_code == 200
    assert api("GET", image["url"].removeprefix("/api/v1"), as_="ws").status_code == 404  # out of scope

    # only the Party organisation confirms or returns; a return needs its reason
    assert api("POST", f"{url}/confirm", as_="wy", json={}).status_code == 403
    assert api("POST", f"{url}/confirm", as_="jwh", json={}).status_code == 403
    no_reason = api("POST", f"{url}/return", as_="secretary", json={"note": " "})
    assert no_reason.status_code == 422 and "理由" in str(no_reason.json())
    returned = ok(api("POST", f"{url}/return", as_="secretary", json={"note": "缺少巡查记录"}))
    assert returned["state"] == "binding"
    assert api("POST", f"{url}/confirm", as_="secretary", json={}).status_code == 409  # nothing to confirm
    ok(api("POST", url, as_="wy", data={"note": "补充巡查记录"}, files=photo))
    confirmed = ok(api("POST", f"{url}/confirm", as_="secretary", json={"note": "属实"}))
    assert confirmed["state"] == "done" and confirmed["done_at"] is not None
    assert "evaluate" in confirmed["allowed_actions"]


def test_a_slip_with_cases_is_not_reported_by_hand(
    api: Any,
    mw: MeetingWorld,  # noqa: F811
    discussed: dict[str, Any],  # noqa: F811
) -> None:
    slip = bound(api, mw, discussed)
    assert (
        "submit_completion"
        not in ok(api("GET", f"/meetings/slips/{slip['id']}", as_="wy"))["allowed_actions"]
    )
    photo = {"files": ("site.jpg", jpeg(), "image/jpeg")}
    refused = api(
        "POST", f"/meetings/slips/{slip['id']}/completion", as_="wy", data={"note": "完成"}, files=photo
    )
    assert refused.status_code == 409
