"""Sending one message through one channel. Each sender returns normally or raises
DeliveryError with a reason an admin can read (never the webhook URL: it carries the key;
never a phone number)."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from gongzhi.cases import notifications as case_notifications
from gongzhi.cases import tracking
from gongzhi.cases.models import Case
from gongzhi.core import clock, pii
from gongzhi.core.models import OutboxMessage
from gongzhi.core.scrub import numbers_masked
from gongzhi.notify.models import Channel, InboxItem

MAX_REPLY = 64 * 1024


class DeliveryError(Exception):
    pass


def text_of(message: OutboxMessage) -> str:
    """Subject, body and an absolute link when the site's address is known."""
    parts = [message.subject, message.body]
    link = str(message.payload.get("link", ""))
    if link:
        parts.append(settings.NOTIFY_SITE_URL.rstrip("/") + link if link.startswith("/") else link)
    return "\n".join(p for p in parts if p)


def to_inbox(message: OutboxMessage) -> InboxItem:
    assert message.recipient is not None
    return InboxItem.objects.create(
        user=message.recipient,
        title=message.subject,
        body=message.body,
        link=str(message.payload.get("link", ""))[:300],
        message=message,
        created_at=clock.now(),
    )


def to_email(message: OutboxMessage) -> None:
    assert message.recipient is not None
    try:
        send_mail(message.subject, text_of(message), None, [message.recipient.email], fail_silently=False)
    except Exception as exc:  # SMTP errors come in many classes; all mean "try again later"
        raise DeliveryError(f"邮件发送失败：{type(exc).__name__}: {exc}") from exc


def robot_body(channel: Channel, message: OutboxMessage) -> bytes:
    """WeCom and DingTalk group robots take the same text message shape; DingTalk's keyword
    security drops any message that lacks the keyword, so it is added when missing."""
    content = text_of(message)
    if channel.keyword and channel.keyword not in content:
        content = f"【{channel.keyword}】{content}"
    return json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()


def signed_url(url: str, secret: str, now_ms: int) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "timestamp\\nsecret", base64, as query parameters."""
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"


def _post_json(
    url: str, body: bytes, headers: dict[str, str], timeout: float, who: str, *, quiet: bool = False
) -> bytes:
    """POST a JSON body to a robot or a gateway and return the start of its reply; an HTTP
    error or no connection is a DeliveryError naming `who` (the outbox retries it). `quiet`
    names only the error's type and drops the chained exception (they may quote the request)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read(MAX_REPLY))
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{who}返回 HTTP {exc.code}") from (None if quiet else exc)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        shown = type(reason).__name__ if quiet else reason
        raise DeliveryError(f"无法连接{who}：{shown}") from (None if quiet else exc)


def idempotency_key(channel: Channel, message: OutboxMessage) -> str:
    """The same on every attempt of one message to one channel (dispatch's crash window): sent
    as the Idempotency-Key header, so a receiver that honours it keeps one copy."""
    return f"gongzhi-{message.pk}-{channel.key}"


def to_webhook(channel: Channel, message: OutboxMessage) -> None:
    url = channel.url
    if not url.startswith(("https://", "http://")):
        raise DeliveryError("Webhook 地址须以 http:// 或 https:// 开头")
    if channel.format == Channel.Format.DINGTALK and channel.secret:
        url = signed_url(url, channel.secret, int(time.time() * 1000))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": idempotency_key(channel, message),
    }
    raw = _post_json(url, robot_body(channel, message), headers, settings.NOTIFY_WEBHOOK_TIMEOUT, "机器人")
    # Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; a non-zero errcode
    # (bad key, keyword missing, rate limit) is a failure.
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        return
    if isinstance(reply, dict) and reply.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(f"机器人拒收：errcode={reply.get('errcode')} {reply.get('errmsg', '')}".strip())


# --- SMS to a case's reporter ---------------------------------------------------------------------

SMS = "sms"  # the channel's kind and key: configured by settings, not a Channel row


def is_sms(message: OutboxMessage) -> bool:
    return message.kind.startswith("sms.")


def sms_channel() -> Channel:
    """The SMS gateway as a channel for the dispatcher (never saved: settings configure it)."""
    return Channel(name="短信", kind=SMS)


def _absolute(link: str) -> str:
    return settings.NOTIFY_SITE_URL.rstrip("/") + link


def sms_link(message: OutboxMessage, case: Case) -> str:
    """The link the text ends with, signed now (a callback link expires days after signing)."""
    if message.payload.get("sms_link") == "callback":
        return _absolute(case_notifications.callback_link(case))
    return _absolute(reverse("web:track_link", args=[tracking.link_token(case)]))


def sms_body(message: OutboxMessage, phone: str, link: str) -> dict[str, Any]:
    """What the gateway receives (docs/notifications.md): the number, the signature, the
    template id with its parameters for gateways that send templates, and the whole text for
    those that send text."""
    signature = settings.SMS_SIGNATURE
    text = f"{message.body}{link}"
    return {
        "id": f"gongzhi-{message.pk}",
        "to": phone,
        "sender": settings.SMS_SENDER,
        "signature": signature,
        "template": settings.SMS_TEMPLATES.get(message.kind, ""),
        "params": {
            "number": str(message.payload.get("case_number", message.payload.get("order_number", ""))),
            "link": link,
        },
        "text": f"【{signature}】{text}" if signature else text,
    }


def to_sms(message: OutboxMessage) -> bool:
    """POST the text to the gateway. The phone is read from the case and decrypted here, at
    send time, and goes nowhere but the request body: not into the outbox, errors or logs.
    False when there is nothing to send (the case or its phone is gone)."""
    url = settings.SMS_GATEWAY_URL
    if not url.startswith(("https://", "http://")):
        raise DeliveryError("短信网关未配置（SMS_GATEWAY_URL）")
    if "care_contact_id" in message.payload:  # a care alert's emergency contact, no link
        found = _care_contact_phone(message)
        if found is None:
            return False
        phone, link = found, ""
    elif "order_id" in message.payload:  # a service order's resident, with the order's link
        order_found = _order_phone_and_link(message)
        if order_found is None:
            return False
        phone, link = order_found
    elif "person_id" in message.payload:  # a staff member on a 直报's chain: their own phone
        found = _person_phone(message)
        if found is None:
            return False
        link = str(message.payload.get("link", ""))
        phone, link = found, _absolute(link) if link.startswith("/") else link
    else:
        case = Case.objects.filter(pk=message.payload.get("case_id")).first()
        if case is None or not case.contact_phone_enc:
            return False
        phone, link = _decrypted(case.contact_phone_enc), sms_link(message, case)
    body = json.dumps(sms_body(message, phone, link), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": f"gongzhi-{message.pk}"}
    if settings.SMS_GATEWAY_TOKEN:
        headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
    # the reason's text and the chained exception may quote the request (a phone): name its type only
    raw = _post_json(url, body, headers, settings.SMS_GATEWAY_TIMEOUT, "短信网关", quiet=True)
    _check_sms_reply(raw)
    return True


def _decrypted(phone_enc: str) -> str:
    try:
        return pii.decrypt(phone_enc)
    except InvalidToken:
        raise DeliveryError("联系电话无法解密（FIELD_ENCRYPTION_KEYS 缺少旧密钥？）") from None


def _care_contact_phone(message: OutboxMessage) -> str | None:
    """The emergency contact's phone, decrypted at send time (None: the contact is gone)."""
    from gongzhi.care.models import EmergencyContact

    contact = EmergencyContact.objects.filter(pk=message.payload.get("care_contact_id")).first()
    return _decrypted(contact.phone_enc) if contact is not None and contact.phone_enc else None


def _order_phone_and_link(message: OutboxMessage) -> tuple[str, str] | None:
    """The phone the resident left on the order, decrypted at send time, and the order's own
    link (orders.links) signed now; None when the order or its phone is gone."""
    from gongzhi.orders import links
    from gongzhi.orders.models import Order

    order = Order.objects.filter(pk=message.payload.get("order_id")).first()
    if order is None or not order.contact_phone_enc:
        return None
    return _decrypted(order.contact_phone_enc), _absolute(links.path(order))


def _person_phone(message: OutboxMessage) -> str | None:
    """A staff member's phone (the 直报 chain tells the duty roster on every channel),
    decrypted at send time (None: the person or their phone is gone)."""
    from gongzhi.orgs.models import Person

    person = Person.objects.filter(pk=message.payload.get("person_id")).first()
    return _decrypted(person.phone_enc) if person is not None and person.phone_enc else None


def _check_sms_reply(raw: bytes) -> None:
    """A 2xx reply is accepted unless its JSON says otherwise ({"ok": false} or a non-zero
    "code" / "errcode"); the gateway's message is shown with any number in it masked."""
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        return
    if not isinstance(reply, dict):
        return
    code = reply.get("errcode", reply.get("code", 0))
    if reply.get("ok") is False or code not in (0, "0", "OK", "ok", None):
        why = numbers_masked(str(reply.get("errmsg") or reply.get("message") or ""))[:100]
        raise DeliveryError(f"短信网关拒收：{code} {why}".strip())


def send(channel: Channel, message: OutboxMessage) -> bool:
    """Deliver through `channel`; False when there is nothing to do (a user without email)."""
    if channel.kind == SMS:
        return to_sms(message)
    if channel.kind == Channel.Kind.INBOX:
        to_inbox(message)
        return True
    if channel.kind == Channel.Kind.EMAIL:
        if not (message.recipient and message.recipient.email):
            return False
        to_email(message)
        return True
    to_webhook(channel, message)
    return True
