"""Walk S1 (issue 13) in Debian's chromium at 375 px: a resident's anonymous 楼道堆物 report is
dispatched by itself to the post the routing rule names, the embedded beat (the same Beat that
`gongzhi schedule` runs) delivers the notification to the holder's inbox, the holder handles it
with a photo, the committee verifies, the resident follows it with the code and rates it, and
the public board shows it scrubbed. The test delivers nothing itself: it only lets the beat's
next turn come (its clock advanced a minute, as the beat's own loop would see)."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from gongzhi.cases import classify, routing
from gongzhi.cases.models import Case
from gongzhi.cases.states import Satisfaction, State
from gongzhi.core import beat, clock
from gongzhi.core.management.commands.schedule import load_tasks, run_task
from gongzhi.notify.models import InboxItem
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import PASSWORD, PersonFactory, UnitFactory, UserFactory, make_staff, make_tree
from gongzhi.web.tests.browser import ARTIFACTS, MARKS, PHONE, chromium, phone_page
from gongzhi.web.walks import s1

pytestmark = MARKS

TEXT = "5号楼2单元楼道里堆满了纸箱和旧家具，走路都要侧身，我是302的王阿姨，电话13812345678"
NOTE = "纸箱和旧家具已清走，楼道已通畅"


@pytest.fixture
def page(live_server, transactional_db):
    with chromium() as browser, phone_page(browser, PHONE) as page:
        yield page


@pytest.fixture
def trained(settings, tmp_path):
    """A small model trained as `gongzhi demo` trains its own, and 自动派遣 on as in production."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CASE_AUTO_DISPATCH_CONFIDENCE = 0.5
    classify._cache.clear()
    rows = classify.demo_corpus(1, 8)
    pipeline, _split = classify.train([t for _, t in rows], [c for c, _ in rows], seed=1)
    classify.save(pipeline, {"n": len(rows)})
    cache.clear()  # the public board's cached figures from earlier tests
    yield
    classify._cache.clear()


def property_manager(tree) -> Post:
    """The estate's property manager, whose duty names 楼道堆物 (as the demo's estates have)."""
    person = PersonFactory(name="物业小王")
    Person.objects.filter(pk=person.pk).update(user=UserFactory(username="manager"))
    unit = UnitFactory(node=tree.e1, kind=UnitKind.PROPERTY, name="东安物业")
    post = Post.objects.create(
        code="POST-E1-PROP",
        unit=unit,
        node=tree.e1,
        title="物业经理",
        person=person,
        role=PostRole.PROPERTY_STAFF,
        active_from=date(2020, 1, 1),
    )
    post.categories.set([Category.objects.get(code="LD01")])
    return post


def test_s1_a_residents_report_closes_its_loop_by_itself(page, live_server, trained, tmp_path):
    tree = make_tree()
    post = property_manager(tree)
    make_staff("committee", PostRole.COMMITTEE_STAFF, tree.r1)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    load_tasks()
    runner = beat.Beat(
        beat.entries_from(django_settings.CELERY_BEAT_SCHEDULE, tz=ZoneInfo(django_settings.TIME_ZONE)),
        run_task,
    )
    started = clock.now()
    runner.tick(started)  # the beat starts beside the server: every task once

    def next_turn() -> None:
        assert not InboxItem.objects.exists()  # nothing delivered before the beat's turn
        assert "dispatch-outbox" in runner.tick(started + timedelta(seconds=61))

    walk = s1.Walk(
        base=live_server.url,
        password=PASSWORD,
        photos=tmp_path / "photos",
        shots=ARTIFACTS,
        deliver=next_turn,
        wait_seconds=10,
        say=lambda line: None,
    )

    found = s1.report(walk, page, text=TEXT, estate="S-R1-E1")
    case = Case.objects.get()
    assert case.number == found.number
    # routed and dispatched with no dispatcher: the routing rule's post, by the system
    assert case.state == State.DISPATCHED
    assert case.post == routing.route(category=case.category, node=case.node).post == post
    assert case.category.code == "LD01"
    assert list(case.events.order_by("seq").values_list("action", "actor")) == [
        ("create", None),
        ("register", None),
        ("dispatch", None),
    ]

    case_url = s1.told(walk, page, "manager", found.number)
    assert case_url == f"{live_server.url}/cases/{case.pk}/"
    assert InboxItem.objects.get(user__username="manager", link=f"/cases/{case.pk}/").read_at is not None
    s1.handle(walk, page, case_url, NOTE)
    s1.log_out(walk, page)

    s1.log_in(walk, page, "committee")
    s1.verify(walk, page, case_url)
    s1.log_out(walk, page)

    shown = s1.follow_and_rate(walk, page, found, NOTE)
    assert "东安物业" in shown  # the unit, never the person
    for private in ("13812345678", "王阿姨", "物业小王"):
        assert private not in shown
    case.refresh_from_db()
    assert (case.state, case.satisfaction) == (State.CLOSED, Satisfaction.SATISFIED)

    board = s1.public_board(walk, page, "楼道里堆满了纸箱和旧家具")
    assert "13812345678" not in board and "王阿姨" not in board
    assert page.locator("#board-results .before-after img").count() >= 1
    assert not errors
