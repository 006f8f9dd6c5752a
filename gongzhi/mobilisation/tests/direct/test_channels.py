"""Every channel the duty officer has, delivered by the real dispatcher: the inbox, and a text
to their own phone through a real gateway (http.server on 127.0.0.1), the phone decrypted only
in the gateway's request; the place's robot gets the same words."""

import pytest

from gongzhi.core import pii
from gongzhi.core.models import OutboxMessage
from gongzhi.notify.dispatch import dispatch_pending
from gongzhi.notify.models import Channel, InboxItem
from gongzhi.notify.tests.conftest import robot  # noqa: F401 (fixture)


@pytest.fixture
def gateway(robot, settings):  # noqa: F811
    robot.reply = {"code": 0, "message": "OK"}
    settings.SMS_GATEWAY_URL = robot.url.split("?")[0]
    settings.NOTIFY_SITE_URL = "https://gongzhi.example.gov.cn"
    return robot


@pytest.mark.django_db
def test_the_officer_hears_in_the_inbox_by_text_and_the_robot_in_the_group(world, gateway):
    Channel.objects.create(name="街道指挥中心群", kind=Channel.Kind.WEBHOOK, url=gateway.url, format="wecom")
    report = world.report()
    assert dispatch_pending().sent == 3  # the inbox row, the text, the robot
    item = InboxItem.objects.get(user=world.users["officer"])
    assert "火灾" in item.title and item.link == f"/direct/{report.pk}/"
    texts = [b for b in gateway.received if "to" in b]
    officer = world.person("officer")
    assert [t["to"] for t in texts] == [pii.decrypt(officer.phone_enc)]
    assert texts[0]["text"].endswith(f"https://gongzhi.example.gov.cn/direct/{report.pk}/")
    robots = [b for b in gateway.received if b.get("msgtype") == "text"]
    assert len(robots) == 1 and "东安一村1号楼" in robots[0]["text"]["content"]
    for message in OutboxMessage.objects.all():
        assert pii.decrypt(officer.phone_enc) not in f"{message.subject}{message.body}{message.payload}"
