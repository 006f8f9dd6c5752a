"""The SMS channel against a real gateway: http.server on 127.0.0.1 (the `robot` endpoint of
conftest, answering as a gateway would). Which case events text the reporter, what the gateway
receives, retries through the outbox, and that the phone number reaches nothing but the gateway."""

import logging
from datetime import timedelta

import pytest

from gongzhi.cases import notifications, services, tracking
from gongzhi.cases.models import Case
from gongzhi.cases.states import Source
from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.notify.dispatch import BACKOFF_MINUTES, dispatch_pending
from gongzhi.notify.models import Delivery
from gongzhi.web.tests.case_world import image

PHONE = "13812345678"
Status = OutboxMessage.Status


@pytest.fixture
def gateway(robot, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    robot.reply = {"code": 0, "message": "OK"}
    settings.SMS_GATEWAY_URL = robot.url.split("?")[0]
    settings.SMS_GATEWAY_TOKEN = "gw-secret"
    settings.SMS_SIGNATURE = "枫林街道"
    settings.SMS_SENDER = "106900001"
    settings.SMS_TEMPLATES = {"sms.accepted": "SMS_001", "sms.callback": "SMS_003"}
    settings.NOTIFY_SITE_URL = "https://gongzhi.example.gov.cn"
    return robot


def reported(world, *, phone: str = PHONE, source: str = Source.RESIDENT) -> Case:
    intake = services.Intake(
        node=world.tree.b1, text="楼道堆物", source=source, category=world.category, contact_phone=phone
    )
    return services.case_create(actor=None, intake=intake)


def act(case, user, action, **kw):
    case.refresh_from_db()
    return services.case_act(
        actor=user, case=case, act=services.Act(action=action, version=case.version, **kw)
    )


def sms_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind__startswith="sms.").order_by("pk"))


def test_the_reporter_is_texted_when_received_handled_and_closed(world, gateway):
    case = reported(world)
    act(case, world.dispatcher, "register")
    act(case, world.dispatcher, "dispatch", post=world.post)
    act(case, world.handler, "accept")
    act(case, world.handler, "submit", note="已清理", files=[image("after.png")])
    act(case, world.dispatcher, "verify", files=[image("check.png")])
    kinds = [m.kind for m in sms_messages()]
    assert kinds == ["sms.accepted", "sms.handled", "sms.callback"]
    for message in sms_messages():  # the rows name the case, never the number
        assert message.recipient is None and message.payload["case_id"] == case.pk
        assert PHONE not in f"{message.subject}{message.body}{message.payload}"
        assert "138****5678" not in f"{message.subject}{message.body}{message.payload}"
    assert dispatch_pending().sent >= 3
    bodies = gateway.received
    assert [b["to"] for b in bodies] == [PHONE] * 3
    accepted, handled, closed = bodies
    assert accepted["signature"] == "枫林街道" and accepted["sender"] == "106900001"
    assert accepted["template"] == "SMS_001" and handled["template"] == ""
    assert accepted["params"]["number"] == case.number and case.number in accepted["text"]
    assert accepted["text"].startswith("【枫林街道】您反映的问题已收到")
    track_link = accepted["params"]["link"]
    assert track_link.startswith("https://gongzhi.example.gov.cn/track/t/")
    assert tracking.case_for_link(track_link.rstrip("/").rsplit("/", 1)[1]) == case
    assert handled["params"]["link"].startswith("https://gongzhi.example.gov.cn/track/t/")
    assert closed["params"]["link"].startswith("https://gongzhi.example.gov.cn/callback/")
    assert closed["text"].endswith(closed["params"]["link"]) and "请评价" in closed["text"]
    assert {b["id"] for b in bodies} == {f"gongzhi-{m.pk}" for m in sms_messages()}
    assert Delivery.objects.filter(channel_key="sms", ok=True, channel__isnull=True).count() == 3


def test_the_gateway_gets_the_token_and_an_idempotency_key(world, gateway, monkeypatch):
    seen: list[dict[str, str]] = []
    import urllib.request

    real = urllib.request.urlopen

    def spy(request, *args, **kwargs):
        seen.append(dict(request.header_items()))
        return real(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", spy)
    reported(world)
    dispatch_pending()
    message = sms_messages()[0]
    assert seen[0]["Authorization"] == "Bearer gw-secret"
    assert seen[0]["Idempotency-key"] == f"gongzhi-{message.pk}"


def test_no_text_without_a_phone_a_gateway_or_from_a_hotline(world, gateway, settings):
    reported(world, phone="")
    reported(world, source=Source.HOTLINE)  # 12345 answers its own callers
    assert sms_messages() == []
    settings.SMS_GATEWAY_URL = ""
    reported(world)
    assert sms_messages() == []


def test_robots_never_take_a_reporters_text(world, gateway):
    from gongzhi.notify.models import Channel

    Channel.objects.create(name="群", kind=Channel.Kind.WEBHOOK, url=gateway.url, format="wecom")
    reported(world)
    dispatch_pending()
    texts = [b for b in gateway.received if "msgtype" not in b]
    robots = [b for b in gateway.received if "msgtype" in b]
    assert len(texts) == 1 and all(PHONE not in str(b) for b in robots)


def test_a_failing_gateway_is_retried_then_dead_and_no_log_holds_the_number(world, gateway, caplog):
    caplog.set_level(logging.DEBUG)
    gateway.status = 500
    case = reported(world)
    message = sms_messages()[0]
    now = clock.now()
    for minutes in (0, *BACKOFF_MINUTES):
        now += timedelta(minutes=minutes)
        dispatch_pending(now)
        message.refresh_from_db()
    assert message.status == Status.DEAD and message.attempts == len(BACKOFF_MINUTES) + 1
    assert len(gateway.received) == message.attempts  # each retry reached the gateway
    errors = list(Delivery.objects.filter(message=message).values_list("error", flat=True))
    assert errors and all("HTTP 500" in e for e in errors)
    written = " ".join([*errors, message.last_error, caplog.text])
    assert PHONE not in written and "gw-secret" not in written
    gateway.status = 200
    gateway.reply = {"code": 1001, "message": f"号码 {PHONE} 在黑名单"}  # a gateway echoing the number
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.PENDING, attempts=0, next_attempt_at=now)
    dispatch_pending(now)
    message.refresh_from_db()
    assert message.status == Status.FAILED and "1001" in message.last_error
    assert PHONE not in message.last_error and case.contact_phone_masked not in message.last_error


def test_a_gateway_that_recovers_sends_once(world, gateway):
    gateway.status = 503
    reported(world)
    message = sms_messages()[0]
    now = clock.now()
    dispatch_pending(now)
    gateway.status = 200
    dispatch_pending(now + timedelta(minutes=BACKOFF_MINUTES[0]))
    message.refresh_from_db()
    assert message.status == Status.SENT and len(gateway.received) == 2
    assert Delivery.objects.filter(message=message, ok=True).count() == 1


def test_an_unreachable_gateway_fails_within_the_timeout(world, gateway, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    settings.SMS_GATEWAY_TIMEOUT = 1
    reported(world)
    dispatch_pending()
    message = sms_messages()[0]
    assert message.status == Status.FAILED and "无法连接短信网关" in message.last_error


def test_the_merged_reporter_gets_the_rating_link(world, gateway):
    merged = reported(world)
    master = reported(world, phone="13900000000")
    act(merged, world.dispatcher, "merge", master=master)
    act(master, world.dispatcher, "register")
    act(master, world.dispatcher, "dispatch", post=world.post)
    act(master, world.handler, "accept")
    act(master, world.handler, "submit", note="已清理", files=[image("after.png")])
    act(master, world.dispatcher, "verify", files=[image("check.png")])
    closing = [m for m in sms_messages() if m.kind == "sms.callback"]
    assert {m.payload["case_id"] for m in closing} == {merged.pk, master.pk}
    told = next(m for m in closing if m.payload["case_id"] == merged.pk)
    assert master.number in told.body and notifications.SMS_SUBJECTS[told.kind] in told.subject
