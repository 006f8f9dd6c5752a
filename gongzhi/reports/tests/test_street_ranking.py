"""A district's command centre and ranking page rank its streets (街道排名): each street's
counts are its own grain nodes' added up, the same totals the street's own figures read; a
street's pages carry no street ranking; the ranking's links open each street's own board."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core import clock
from gongzhi.orgs.roles import PostRole
from gongzhi.reports import dashboard, rankings, rollup
from gongzhi.reports.periods import Period
from gongzhi.reports.subjects import subject_for
from gongzhi.reports.tests import test_district_reports
from gongzhi.reports.tests.conftest import DAY1
from gongzhi.testing.factories import make_staff

scenario, district = test_district_reports.scenario, test_district_reports.district  # fixtures
NOW, _get = test_district_reports.NOW, test_district_reports._get
WEEK = Period(DAY1, DAY1 + timedelta(days=7))
QUERY = f"start={WEEK.start}&end={WEEK.end - timedelta(days=1)}"


def _summed(subject: Any) -> dict[str, int]:
    rows = rankings.totals_by_post(subject, WEEK)
    return {name: sum(r[name] or 0 for r in rows) for name in rankings.RANKED}


@pytest.mark.django_db
def test_each_street_counts_what_its_own_figures_count(district: Any) -> None:
    _w, d, _reports = district
    cadre = make_staff("dcadre", PostRole.DISTRICT_CADRE, d.district)
    with clock.freeze(NOW):
        rollup.catch_up()
        whole = subject_for(cadre, node="D")
        ranked = rankings.ranking(whole, WEEK, by=rankings.STREETS)
        assert [e.code for e in ranked.entries] == ["S", "T"]
        for entry in ranked.entries:
            assert entry.counts == _summed(subject_for(cadre, node=entry.code)), entry.code
        assert sum(e.counts["received"] for e in ranked.entries) == _summed(whole)["received"] == 12
        assert rankings.covers_streets(whole)
        assert not rankings.covers_streets(subject_for(cadre, node="S"))
        # the command centre shows it for the district, not for a street
        assert dashboard.dashboard(whole, WEEK).streets is not None
        assert dashboard.dashboard(subject_for(cadre, node="S"), WEEK).streets is None
    with pytest.raises(ValidationError, match="streets"):
        rankings.ranking(whole, WEEK, by="towns")


@pytest.mark.django_db
def test_the_pages_rank_the_streets_for_district_staff_only(district: Any) -> None:
    w, d, _reports = district
    cadre = make_staff("dcadre", PostRole.DISTRICT_CADRE, d.district)
    board = _get(cadre, f"/dashboard/?node=D&{QUERY}").content.decode()
    assert "街道排名" in board and 'id="dash-streets"' in board
    page = _get(cadre, f"/reports/rankings/?node=D&{QUERY}").content.decode()
    assert page.count('class="card ranking-card streets"') == 1
    assert "/reports/kpis/?node=T&amp;" in page  # each street opens onto its own figures
    data = _get(cadre, f"/dashboard/data.json?node=D&{QUERY}").json()
    with clock.freeze(NOW):
        expected = rankings.ranking(subject_for(cadre, node="D"), WEEK, by=rankings.STREETS).ranked
    assert expected and [s["code"] for s in data["streets"]] == [e.code for e in expected]
    assert f'href="/dashboard/?node={expected[0].code}&amp;' in board  # onto that street's own board
    # a street's own board and ranking page: no street ranking
    own = _get(w.street, f"/dashboard/?node=S&{QUERY}").content.decode()
    assert "街道排名" not in own
    assert "ranking-card streets" not in _get(w.street, f"/reports/rankings/?node=S&{QUERY}").content.decode()
    assert _get(w.street, f"/dashboard/data.json?node=S&{QUERY}").json()["streets"] == []
