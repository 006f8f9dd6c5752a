"""Anti-spam for the anonymous report page, without refusing residents who share an address.

A carrier puts thousands of phones behind one address, so the page does not count per address
alone. It counts reports per **device** (a random id in a signed, long-lived cookie the page
sets) and per **reporter phone** (when one is given), and it watches each address for a
**burst** (many reports in minutes, whatever the devices). Past any of these budgets the next
report needs a **question** answered: a small sum, signed
into the form, that works offline, without third parties, on any phone (ADR 0011). A right
answer lets that report through; nothing is ever refused outright. Budgets: settings
RATE_LIMITS "report-device", "report-phone", "report-ip-burst" (docs/security.md).

Reports are counted when a case is created, not on every POST: fixing a form error is free.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from gongzhi.core import limits, pii

DEVICE_COOKIE = "gz_device"
DEVICE_SALT = "gongzhi.web.cases.report.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600  # two years: a resident's phone stays one device
CHALLENGE_SALT = "gongzhi.web.cases.report.challenge"
CHALLENGE_MAX_AGE = 15 * 60  # seconds to answer
USED_BUDGET = "report-challenge-used"  # a question answers one report only


@dataclass(frozen=True)
class Challenge:
    """A question for the form: `token` goes back in a hidden field, signed; it holds a keyed
    hash of the answer, never the answer."""

    a: int
    b: int
    token: str


def device_id(request: HttpRequest) -> str:
    """The device's id from its signed cookie; empty when it has none (or a forged one)."""
    return str(request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE))


def keep_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the device an id if it has none (on every answer of the report page)."""
    if not device_id(request):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _subjects(request: HttpRequest, phone: str) -> list[tuple[str, str]]:
    device, normalised = device_id(request), pii.normalise_phone(phone or "")
    subjects = [("report-ip-burst", limits.client_ip(request))]
    if device:
        subjects.append(("report-device", device))
    if normalised:
        subjects.append(("report-phone", normalised))
    return subjects


def needs_challenge(request: HttpRequest, phone: str) -> bool:
    """True when this report must answer a question first: a budget is spent. (A POST without
    the device cookie is not suspect by itself: it would be refused for CSRF without cookies, and
    a script that fetches fresh cookies each time is what the address's burst budget catches.)"""
    return any(not limits.peek(name, subject).allowed for name, subject in _subjects(request, phone))


def count_report(request: HttpRequest, phone: str) -> None:
    """A case was created: count it against the address, the device and the phone."""
    for name, subject in _subjects(request, phone):
        limits.hit(name, subject)


def _answer_hash(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()


def new_challenge() -> Challenge:
    a, b = 10 + secrets.randbelow(40), 1 + secrets.randbelow(9)
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _answer_hash(nonce, a + b)}, salt=CHALLENGE_SALT)
    return Challenge(a, b, token)


def answered(token: str, answer: str) -> bool:
    """The signed question was answered right, in time, and for the first time."""
    try:
        data = signing.loads(token, salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        given = int(answer.strip())
    except (signing.BadSignature, ValueError, TypeError):
        return False
    if not constant_time_compare(_answer_hash(str(data["n"]), given), str(data["h"])):
        return False
    return limits.hit(USED_BUDGET, str(data["n"])).allowed
