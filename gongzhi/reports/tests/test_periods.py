"""The pages' period parser (periods.from_query): `start` and `end` both included, `to` read as
`end`; any text is a period or a ValidationError on `start` or `end`, never anything else."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core import clock
from gongzhi.reports import periods
from gongzhi.reports.tests.test_kpis import NOW

LAST = date(2099, 12, 31)  # the last day a page may ask for
DAYS = st.dates(min_value=periods.EARLIEST, max_value=LAST)
TEXT = st.one_of(st.text(max_size=12), DAYS.map(date.isoformat), st.dates().map(date.isoformat))


@given(first=DAYS, length=st.integers(min_value=1, max_value=periods.MAX_DAYS))
def test_a_period_reads_back_from_the_links_it_writes(first, length):
    last = min(first + timedelta(days=length - 1), LAST)
    asked = periods.from_query({"start": first.isoformat(), "end": last.isoformat()})
    assert (asked.start, asked.last_day) == (first, last)
    assert periods.from_query(periods.page_params(asked)) == asked
    assert periods.from_query({"start": first.isoformat(), "to": last.isoformat()}) == asked


@given(start=TEXT, end=TEXT, to=TEXT)
def test_any_text_is_a_period_or_a_field_error(start, end, to):
    with clock.freeze(NOW):
        try:
            p = periods.from_query({"start": start, "end": end, "to": to})
        except ValidationError as exc:
            assert set(exc.message_dict) <= {"start", "end"}
        else:
            assert periods.EARLIEST <= p.start < p.end <= periods.LATEST


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-03-05", "end": "2026-03-04"}, "end"),
        ({"start": "2026-03-05", "to": "2026-03-04"}, "end"),
        ({"start": "2026-02-29"}, "start"),
        ({"to": "tomorrow"}, "end"),
        ({"end": "9999-12-31"}, "end"),
        ({"start": "9999-12-31"}, "start"),
        ({"start": "1999-12-31"}, "start"),
    ],
)
def test_bad_periods_name_their_field(query, field):
    with clock.freeze(NOW), pytest.raises(ValidationError) as caught:
        periods.from_query(query)
    assert list(caught.value.message_dict) == [field]


def test_no_days_is_the_default():
    with clock.freeze(NOW):
        assert periods.from_query({}) == periods.this_month()
        week = periods.last_days(7)
        assert periods.from_query({"start": " ", "end": ""}, default=week) == week
        assert periods.from_query({"end": "2026-03-02"}).last_day == date(2026, 3, 2)
