from datetime import timedelta

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core import clock, pii
from gongzhi.core.models import PiiAccessLog
from gongzhi.testing.factories import UserFactory


def test_mask_phone():
    assert pii.mask_phone("13800138000") == "138****8000"
    assert pii.mask_phone("") == ""


def test_mask_id():
    assert pii.mask_id("310104199001011234") == "3101**********1234"


@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_masks_never_show_the_middle(value):
    masked = pii.mask_phone(value)
    assert len(masked) == len(value)
    if len(value) >= 8:
        assert masked[3:-4] == "*" * (len(value) - 7)
    elif value:
        assert masked[:-2] == "*" * (len(value) - 2)


@given(st.text(max_size=50))
def test_encrypt_round_trip_and_ciphertext_hides_value(value):
    token = pii.encrypt(value)
    assert pii.decrypt(token) == value
    assert len(value) < 6 or value not in token  # short strings may appear in base64 by chance


def test_lookup_hash_is_keyed(settings):
    first = pii.lookup_hash("13800138000")
    settings.PII_HASH_KEY = "another"
    assert pii.lookup_hash("13800138000") != first
    assert pii.lookup_hash("") == ""


def test_prune_keeps_recent_rows(db, settings):
    settings.PII_ACCESS_LOG_RETENTION_DAYS = 30
    user = UserFactory()
    now = clock.now()
    for days in (10, 40):
        PiiAccessLog.objects.create(
            at=now - timedelta(days=days),
            actor=user,
            subject_model="orgs.person",
            subject_id=1,
            subject_label="x",
            field="phone",
            purpose="测试",
        )
    call_command("prune_access_log")
    assert list(PiiAccessLog.objects.values_list("at", flat=True)) == [now - timedelta(days=10)]


@pytest.mark.parametrize(
    ("text", "kind", "carries"),
    [
        ("13800138000", "phone", True),
        ("+86 138-0013-8000", "phone", True),
        ("310104199001011234", "id_number", True),
        ("31010419900101123x", "id_number", True),
        ("王13800138000", "", True),  # a number inside text: not a search, still not for a URL
        ("6471234", "", True),  # a landline
        ("1380013800", "", True),  # a number short of a digit
        ("FL-P0000123", "", False),  # a person's code
        ("123456", "", False),
        ("张阿婆", "", False),
        ("", "", False),
    ],
)
def test_number_kind_and_carries_number(text, kind, carries):
    assert pii.number_kind(text) == kind
    assert pii.carries_number(text) is carries


def test_number_search_keeps_the_hash_and_the_masked_form_only():
    search = pii.number_search("138 0013 8000")
    assert search == pii.NumberSearch("phone", pii.lookup_hash("13800138000"), "138****8000")
    by_id = pii.number_search("31010419900101123x")
    assert by_id is not None and by_id.masked == "3101**********123X"
    assert by_id.digest == pii.lookup_hash("31010419900101123X")
    assert pii.number_search("张阿婆") is None and pii.number_search("1380013800") is None
