"""The care board and the enrolment page in Debian's chromium at 375 px: the committee opens
关爱 from the menu, sees the counts, the building with an open SOS on the map (a circle and
the list under it: a building and a number), nothing wider than the phone and no script
refused by the CSP; then enrols a suggested resident (refused without a responsible post,
then with the grid worker) and lands on her page."""

from datetime import date

import pytest

from gongzhi.care.choices import Door
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import CareSubject
from gongzhi.care.tests.conftest import build_world
from gongzhi.core import clock
from gongzhi.geo.models import Node
from gongzhi.testing.factories import PersonFactory
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, chromium, menu, phone_page
from gongzhi.web.tests.test_browser_cases import log_in

pytestmark = MARKS


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser) as page:
        yield page


def test_the_board_and_the_enrolment_on_a_phone(page, live_server):
    world = build_world()
    Node.objects.filter(pk=world.tree.b1.pk).update(
        geometry={"type": "Point", "coordinates": [121.44, 31.21]}
    )
    ingest([Incoming(device="DEV-sos", event_id="sos-1", at=clock.now())], door=Door.HTTP)
    zhao = PersonFactory(name="赵阿婆", home=world.tree.h1, birth_date=date(1938, 1, 1), lives_alone=True)
    problems: list[str] = []
    # the refused form's 422 is expected; a script refused by the CSP or failing is not
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "422" not in m.text else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    base = live_server.url
    log_in(page, base, "committee")
    menu(page, "关爱")
    page.wait_for_url(f"{base}/care/board/")
    assert page.locator("dd.sum-open").inner_text() == "1"
    assert page.locator("dd.sum-subjects").inner_text() == "1"
    building = page.locator("#caremap-list li.building")
    building.wait_for()
    assert building.inner_text().replace(" ", "") == "东安一村1号楼1条预警"
    assert page.locator("#caremap path.leaflet-interactive").count() == 1
    circle = page.locator("#caremap path.leaflet-interactive").bounding_box()
    assert circle is not None and circle["width"] < 40  # drawn at its size, not stuck mid-zoom
    assert "张阿婆" not in page.locator("#caremap").inner_text()
    row = page.locator(f"#subject-{world.subject.pk}")
    assert "张阿婆" in row.inner_text() and row.locator(".sign").count() == 4
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "care-board-375.png"), full_page=True)

    page.click("a.button:has-text('纳入关爱')")
    page.wait_for_url(f"{base}/care/enrol/")
    page.locator(f"#candidate-{zhao.pk} a:has-text('纳入')").click()
    page.wait_for_url(f"{base}/care/enrol/{zhao.pk}/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.click("button[type=submit].primary")  # no responsible post: refused, nothing written
    assert "请至少指定一个责任岗位" in page.locator("p.error").first.inner_text()
    assert not CareSubject.objects.filter(person=zhao).exists()
    page.fill("input[data-filter-for='post-grid']", "网格员")
    page.select_option("select[name=post_grid]", str(world.post("grid").pk))
    page.fill("input[name=contact_relation_0]", "儿子")
    page.fill("input[name=contact_name_0]", "赵大")
    page.fill("input[name=contact_phone_0]", "13700001111")
    page.screenshot(path=str(ARTIFACTS / "care-enrol-375.png"), full_page=True)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/care/subjects/*/")
    subject = CareSubject.objects.get(person=zhao)
    assert page.url == f"{base}/care/subjects/{subject.pk}/"
    assert "赵阿婆" in page.locator("h1").inner_text()
    assert "未同意" in page.locator(".care-subject-links").inner_text()
    assert problems == []
