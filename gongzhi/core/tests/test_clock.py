"""The one "now" and the street's "today"."""

from datetime import UTC, date, datetime

from gongzhi.core import clock


def test_today_is_the_streets_date_not_the_utc_date():
    # 23:30 UTC on 6 December is 07:30 on 7 December in Shanghai: a grid worker's "today".
    with clock.freeze(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)):
        assert clock.now().date() == date(2026, 12, 6)
        assert clock.today() == date(2026, 12, 7)
    with clock.freeze(datetime(2026, 12, 7, 15, 59, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 7)
    with clock.freeze(datetime(2026, 12, 7, 16, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 8)
