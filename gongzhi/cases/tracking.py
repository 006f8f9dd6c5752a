"""Following a case without an account (进度查询): a case number and a short code.

A resident who reports through the public report page gets, with the case number, a code of
eight characters from an alphabet without look-alikes (no 0/O, 1/I/L). The code is shown once
(the thank-you page); the case keeps only an HMAC-SHA256 of it under SECRET_KEY (a leaked
database yields no code and no offline guessing: 31^8 ≈ 8.5 × 10^11 codes, and the tracking
page spends a budget per address and per case number on every wrong one, docs/tracking.md).

Links sent by SMS use a signed token instead (`link_token`): it names the case, expires after
CASE_TRACKING_LINK_DAYS, and needs no code. Photos on the tracking and rating pages are served
through short-lived signed tokens (`photo_token`), so no attachment id can be guessed.
"""

import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from gongzhi.cases.models import Attachment, Case, pk_from_number

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out and typed without doubt
CODE_LENGTH = 8
HASH_PURPOSE = "gongzhi.cases.tracking.code"
LINK_SALT = "gongzhi.cases.tracking.link"
PHOTO_SALT = "gongzhi.cases.tracking.photo"
PHOTO_MAX_AGE = 24 * 3600  # a page's photo links work for a day


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the resident typed, as stored: upper case, spaces and hyphens dropped (the page
    shows the code as ABCD-EFGH)."""
    return "".join(c for c in (text or "").upper() if c not in " -\t")


def valid_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def shown(code: str) -> str:
    """ABCDEFGH → ABCD-EFGH: two groups are easier to copy from a screen."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}" if len(code) == CODE_LENGTH else code


def code_hash(code: str, secret: str | None = None) -> str:
    return salted_hmac(HASH_PURPOSE, normalise_code(code), secret=secret, algorithm="sha256").hexdigest()


def _accepted(code: str) -> list[str]:
    """The digests a stored code may carry: under SECRET_KEY, then under its fallbacks (a
    rotated key must not cut a resident off from their case)."""
    return [code_hash(code)] + [
        code_hash(code, secret=old) for old in getattr(settings, "SECRET_KEY_FALLBACKS", [])
    ]


def find(number: str, code: str) -> Case | None:
    """The case this number and code name, or None (a wrong number, code or both: the caller
    cannot tell which, nor can the resident's guesser)."""
    number, code = (number or "").strip(), normalise_code(code)
    accepted = _accepted(code)  # computed before the lookup: a missing case answers as slowly
    pk = pk_from_number(number)
    if pk is None or not valid_code(code) or pk > 2**62:
        return None
    case = Case.objects.filter(pk=pk).exclude(tracking_hash="").select_related("node", "category").first()
    if case is None or case.number != number:
        return None
    return case if any(hmac.compare_digest(case.tracking_hash, d) for d in accepted) else None


def _link_max_age() -> int:
    return int(getattr(settings, "CASE_TRACKING_LINK_DAYS", 180)) * 86400


def link_token(case: Case) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign(str(case.pk))


def case_for_link(token: str) -> Case | None:
    """The case a tracking link names; None when it is forged or expired."""
    try:
        pk = int(signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=_link_max_age()))
    except (signing.BadSignature, ValueError):
        return None
    return Case.objects.filter(pk=pk).select_related("node", "category").first()


def photo_token(attachment: Attachment) -> str:
    return signing.TimestampSigner(salt=PHOTO_SALT).sign(str(attachment.pk))


def attachment_for_photo(token: str) -> Attachment | None:
    try:
        pk = int(signing.TimestampSigner(salt=PHOTO_SALT).unsign(token, max_age=PHOTO_MAX_AGE))
    except (signing.BadSignature, ValueError):
        return None
    return Attachment.objects.filter(pk=pk).first()
