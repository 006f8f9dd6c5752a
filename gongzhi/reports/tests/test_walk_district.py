"""Walk D (issue 17) in Debian's chromium at 375 px on a small district: street S (moved under
district D) beside D's street T, a week's cases in both and the week's reports generated. The
district cadre's command centre ranks S and T and a row opens that street's board; the
district's report lists both streets and its Word file downloads; a case of T opens for the
cadre, is a 404 for S's admin, and T's board answers S's admin as a place that does not exist.
The same steps as `gongzhi walk_district` against the demo (gongzhi.web.walks.district)."""

from typing import Any

import pytest

from gongzhi.cases.models import Case
from gongzhi.orgs.roles import PostRole
from gongzhi.reports.tests import test_district_reports
from gongzhi.testing.factories import PASSWORD, make_staff
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, PHONE, chromium, phone_page
from gongzhi.web.walks import district as walk_d

pytestmark = [*MARKS, pytest.mark.django_db(transaction=True)]
scenario, district = test_district_reports.scenario, test_district_reports.district  # fixtures


def test_walk_a_district_cadre_and_a_street_kept_apart(live_server: Any, district: Any) -> None:
    w, d, _reports = district
    make_staff("dcadre", PostRole.DISTRICT_CADRE, d.district)
    other = Case.objects.filter(node_path__startswith=d.street.path).order_by("pk").first()
    assert other is not None
    cast = walk_d.Cast(
        cadre="dcadre",
        street_admin=w.street.username,
        district=d.district.name,
        streets=[("S", w.tree.street.name), (d.street.code, d.street.name)],
        other_case=other.pk,
    )
    said: list[str] = []
    walk = walk_d.Walk(base=live_server.url, password=PASSWORD, shots=ARTIFACTS / "walk-d", say=said.append)
    with chromium() as browser, phone_page(browser, PHONE) as page:
        walk_d.board(walk, page, cast)
        walk_d.reports(walk, page, cast)
        walk_d.other_street(walk, page, cast)
    assert any("街道排名" in line for line in said) and any("is a 404" in line for line in said), said
