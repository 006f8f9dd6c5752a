"""Personal data at rest: encrypt, hash for lookup, mask for display.

Phone and ID numbers are stored three ways: Fernet ciphertext (cryptography's MultiFernet,
so old keys still decrypt after a rotation), an HMAC-SHA256 keyed hash for exact lookup,
and a masked form for every list and page. The plaintext leaves this module only through
`decrypt`, which orgs.services.person_reveal calls after writing an access-log row.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PHONE_RE = re.compile(r"^1\d{10}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
# Seven digits in a row (spaces and hyphens aside) may be someone's number: a landline has
# seven or eight, a mobile eleven, an ID number eighteen. Such text never goes into a URL.
# Digits right after a letter are a code (a person's FL-P0000123), not a number.
_NUMBER_RUN = re.compile(r"(?<![A-Za-z\d])\d{7,}")
_SEPARATORS = re.compile(r"[\s\-]")


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode() if token else ""


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (MultiFernet.rotate)."""
    return fernet().rotate(token.encode()).decode() if token else ""


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", value or "")
    return digits[3:] if digits.startswith("+86") else digits


def normalise_id(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def lookup_hash(value: str) -> str:
    """Keyed hash for exact-match search; empty input hashes to empty (no lookup)."""
    if not value:
        return ""
    key = settings.PII_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_phone(value: str) -> str:
    """13800138000 -> 138****8000; a short number keeps only its last two digits."""
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_id(value: str) -> str:
    """310104199001011234 -> 3101**********1234 (region prefix and last four kept)."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def number_kind(text: str) -> str:
    """Which whole number the text is, as search looks it up by hash: "phone" (a mobile),
    "id_number", or "" for anything else."""
    if PHONE_RE.match(normalise_phone(text)):
        return "phone"
    if ID_RE.match(normalise_id(text)):
        return "id_number"
    return ""


def carries_number(text: str) -> bool:
    """Whether the text holds what may be a personal number (a run of seven digits or more)."""
    return bool(_NUMBER_RUN.search(_SEPARATORS.sub("", text or "")))


@dataclass(frozen=True)
class NumberSearch:
    """A search by a whole phone or ID number, as the server keeps it: the keyed hash to look
    up and the masked form to show and log. The clear number is not kept."""

    kind: str  # "phone" or "id_number"
    digest: str
    masked: str


def number_search(text: str) -> NumberSearch | None:
    """The search a text asks for when it is a whole phone or ID number, else None."""
    kind = number_kind(text)
    if kind == "phone":
        phone = normalise_phone(text)
        return NumberSearch(kind, lookup_hash(phone), mask_phone(phone))
    if kind == "id_number":
        number = normalise_id(text)
        return NumberSearch(kind, lookup_hash(number), mask_id(number))
    return None
