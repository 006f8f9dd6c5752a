"""The command centre's care tile and map layer in Debian's chromium, on a phone: the counters
show the open alerts and the 30-minute answer rate, the map lays a count label over the
residential area with the alert (a layer one can switch off), and no name of a person shows
anywhere on the page; the tile opens the alerts behind it."""

from datetime import timedelta

import pytest

from gongzhi.care import services as care_services
from gongzhi.care.choices import Duty, RuleKind, SubjectKind
from gongzhi.care.models import Alert
from gongzhi.core import clock
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Post
from gongzhi.testing.factories import PersonFactory
from gongzhi.web.tests.browser import MARKS
from gongzhi.web.tests.browser import chromium as launch
from gongzhi.web.tests.test_browser_board import PHONE, log_in, open_page, street_with_cases

pytestmark = MARKS


@pytest.fixture
def browser(live_server, transactional_db):
    with launch() as browser:
        yield browser


def test_the_care_tile_and_layer_show_counts_and_no_name(browser, live_server, settings, tmp_path):
    street_with_cases(settings, tmp_path)
    zhang = PersonFactory(name="张阿婆", home=Node.objects.get(code="S-R1-H101"), lives_alone=True)
    now = clock.now()
    subject = care_services.subject_enrol(
        actor=None,
        person=zhang,
        kind=SubjectKind.ALONE_80,
        posts=[(Post.objects.get(code="POST-r1staff"), Duty.OTHER)],
    )
    opened = now - timedelta(minutes=10)
    Alert.objects.create(
        subject=subject, kind=RuleKind.SOS, node_path=subject.node_path, opened_at=opened, notified_at=opened
    )
    base = live_server.url
    errors: list[str] = []
    phone = open_page(browser, PHONE, errors)
    log_in(phone, base, "street")
    phone.goto(f"{base}/dashboard/")
    phone.wait_for_selector('#dashboard[data-ready="1"]')
    assert phone.inner_text("#dash-care-open").strip() == "1"
    assert phone.inner_text("#dash-care-ack").strip() == "—"  # still inside its 30 minutes
    label = phone.wait_for_selector(".care-count span")
    assert label.inner_text() == "预警 1 · 逾期探访 0"
    assert phone.locator(".leaflet-control-layers").inner_text().strip() == "关爱（只显示数量）"
    assert "张阿婆" not in phone.content()
    phone.click("#dash-care")
    phone.wait_for_url("**/reports/figures/care_open/cases/**")
    assert int(phone.get_attribute(".drill-count", "data-count")) == 1
    assert phone.locator("li.alert-row").count() == 1
    assert not errors, errors
