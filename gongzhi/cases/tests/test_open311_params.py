"""Open311 parameter parsing and rendering, as pure functions (no HTTP, no database)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.cases.open311 import params, render

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-31T08:00:00Z", datetime(2026, 1, 31, 8, tzinfo=UTC)),
        ("2026-01-31T08:00:00+08:00", datetime(2026, 1, 31, 8, tzinfo=SHANGHAI)),
        ("2026-01-31T08:00:00 08:00", datetime(2026, 1, 31, 8, tzinfo=SHANGHAI)),  # '+' lost in a query
        (
            "2026-01-31T08:00:00.123-05:00",
            datetime(2026, 1, 31, 8, 0, 0, 123000, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=SHANGHAI)),
        ("2026-01", datetime(2026, 1, 1, tzinfo=SHANGHAI)),
        ("2026", datetime(2026, 1, 1, tzinfo=SHANGHAI)),
    ],
)
def test_w3c_datetimes(raw: str, expected: datetime) -> None:
    assert params.parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", "2026-13-01", "2026-02-30", "31/01/2026", "2026-1", ""])
def test_bad_datetimes(raw: str) -> None:
    assert params.parse_datetime(raw) is None


@given(st.text(max_size=40))
def test_parse_datetime_never_raises(raw: str) -> None:
    result = params.parse_datetime(raw)
    assert result is None or result.tzinfo is not None


@given(st.text())
def test_xml_always_parses(value: str) -> None:
    # Whatever a client posted, the XML we render parses back (illegal characters dropped).
    body = render.to_xml(
        [{"description": value, "metadata": True, "values": [{"key": 1}]}], root="r", item="i"
    )
    root = ET.fromstring(body)
    assert root.findtext("i/metadata") == "true" and root.findtext("i/values/value/key") == "1"
    assert set(root.findtext("i/description") or "") <= set(value.replace("\r", "\n"))
