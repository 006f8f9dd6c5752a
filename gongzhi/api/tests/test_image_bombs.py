"""A small image declaring 20000×20000 pixels, over real HTTP: the anonymous report page and
the API's photo upload both answer 422 with a clear Chinese message and write nothing."""

import httpx

from gongzhi.cases.models import Attachment, Case
from gongzhi.testing.hostile import png_declaring

BOMB = png_declaring(20000, 20000)
MESSAGE = "bomb.png 像素过多（上限 40 百万像素），请缩小后再上传"


def test_report_page_refuses_an_image_bomb(live_server, world):
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        c.get("/report/")
        data = {
            "csrfmiddlewaretoken": c.cookies["csrftoken"],
            "text": "2号楼门口垃圾没人清",
            "estate": world.tree.e1.code,
            "building": world.tree.b1.code,
        }
        r = c.post("/report/", data=data, files=[("files", ("bomb.png", BOMB, "image/png"))])
    assert r.status_code == 422
    assert MESSAGE in r.text
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_api_upload_refuses_an_image_bomb(api, world):
    case = api(
        "POST", "/cases", as_="grid", json={"node": "S-R1-B1", "text": "楼道堆放纸箱", "category": "LD01"}
    ).json()
    r = api(
        "POST",
        f"/cases/{case['id']}/actions/upload",
        as_="street",
        data={"action": "register", "version": "1", "note": "附照片"},
        files=[("files", ("bomb.png", BOMB, "image/png"))],
    )
    assert r.status_code == 422
    assert {"type": "value_error", "loc": ["body", "payload", "files"], "msg": MESSAGE} in r.json()["detail"]
    assert not Attachment.objects.exists()
    assert api("GET", f"/cases/{case['id']}", as_="street").json()["version"] == 1
