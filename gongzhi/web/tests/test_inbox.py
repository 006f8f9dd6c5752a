"""The inbox page: unread count in the top bar, each message opens its record, mark read."""

from datetime import UTC, datetime

import pytest

from gongzhi.notify.models import InboxItem
from gongzhi.testing.factories import UserFactory

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def item(user, title: str, link: str = "/cases/1/", **kw) -> InboxItem:
    return InboxItem.objects.create(user=user, title=title, link=link, created_at=T0, **kw)


@pytest.fixture
def me(client, db):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_top_bar_counts_unread_messages_and_the_page_lists_only_mine(client, me):
    item(me, "新派工单：楼道堆物")
    item(me, "催办：工单 2026120600000002")
    item(me, "已读的消息", read_at=T0)
    item(UserFactory(), "别人的消息")
    page = client.get("/inbox/").content.decode()
    assert '<a class="bell" href="/inbox/"' in page and "<b>2</b>" in page
    assert "新派工单：楼道堆物" in page and "已读的消息" in page
    assert "别人的消息" not in page
    unread = client.get("/inbox/?unread=1").content.decode()
    assert "新派工单：楼道堆物" in unread and "已读的消息" not in unread


def test_opening_a_message_marks_it_read_and_goes_to_its_record(client, me):
    msg = item(me, "新派工单", link="/cases/42/")
    response = client.get(f"/inbox/{msg.pk}/")
    assert response.status_code == 302 and response["Location"] == "/cases/42/"
    msg.refresh_from_db()
    assert msg.read_at is not None


def test_another_users_message_is_not_found_and_stays_unread(client, me):
    theirs = item(UserFactory(), "别人的消息")
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_off_the_site_is_never_followed(client, me):
    msg = item(me, "奇怪的链接", link="https://evil.example/")
    response = client.get(f"/inbox/{msg.pk}/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"


def test_mark_all_read_is_a_post_and_clears_the_count(client, me):
    item(me, "一")
    item(me, "二")
    assert client.get("/inbox/read-all/").status_code == 405
    assert client.post("/inbox/read-all/").status_code == 302
    assert InboxItem.objects.filter(user=me, read_at__isnull=True).count() == 0
    assert "<b>" not in client.get("/inbox/").content.decode().split("</header>")[0]


def test_the_inbox_needs_a_login(client, db):
    assert client.get("/inbox/").status_code == 302
