# ruff: noqa: F811 (mworld and topic, the imported fixtures, are each test's arguments)
"""待确认: a slip without cases reported done by its lead unit waits for the Party organisation of
its node. That organisation's secretary has a 待确认 tile counting exactly the slips they may
confirm, opening the slip list filtered so; the daily sweep reminds them while the slip waits."""

from datetime import timedelta

import pytest

from gongzhi.cases.tests.conftest import world  # noqa: F401 (the fixture mworld builds on)
from gongzhi.cases.tests.test_workflow import photo
from gongzhi.core import clock
from gongzhi.core.models import OutboxMessage
from gongzhi.meetings import completion, selectors, slips
from gongzhi.meetings.models import SlipState
from gongzhi.meetings.tests.conftest import NOW, mworld  # noqa: F401 (the fixture)
from gongzhi.meetings.tests.test_slip_drive import bound_slip, topic  # noqa: F401 (the fixture)
from gongzhi.orgs.roles import PostRole
from gongzhi.reports import todos
from gongzhi.testing.factories import make_staff
from gongzhi.web.tests.test_todos import client_for, list_length, tiles

REPORTED = NOW + timedelta(days=3)


@pytest.fixture
def reported(mworld, topic):
    """A slip without cases, reported done by the property company (its lead unit)."""
    slip = bound_slip(mworld, topic)
    with clock.freeze(REPORTED):
        completion.slip_submit_completion(actor=mworld.users["wy"], slip=slip, note="已清理", files=[photo()])
    slip.refresh_from_db()
    assert slip.state == SlipState.CONFIRMING
    return slip


def test_the_party_secretary_has_a_confirm_tile_that_opens_the_list_it_counts(mworld, reported):
    secretary = mworld.users["secretary"]
    with clock.freeze(REPORTED + timedelta(hours=1)):
        client = client_for(secretary)
        tile = tiles(client)["confirm"]
        assert tile["n"] == "1" and tile["url"] == "/meetings/slips/?todo=confirm"
        assert list_length(client, tile["url"]) == 1
        page = client.get(tile["url"]).content.decode()
        assert "清理3号楼楼道并建立巡查机制" in page and 'name="todo" value="confirm"' in page
        assert todos.count(secretary, todos.CONFIRM, clock.now()) == 1
        # once confirmed, nothing is left to confirm
        completion.slip_confirm_completion(actor=secretary, slip=reported)
        assert tiles(client)["confirm"]["n"] == "0"
        assert list_length(client, "/meetings/slips/?todo=confirm") == 0


def test_only_the_confirming_party_organisation_counts_the_slip(mworld, reported):
    w, users = mworld.cases, mworld.users
    other_secretary = make_staff("secretary_r2", PostRole.PARTY_SECRETARY, w.tree.r2)
    with clock.freeze(REPORTED + timedelta(hours=1)):
        # the lead unit, the committee and the block see the slip but do not confirm it
        for user in (users["wy"], users["jwh"], mworld.block_secretary, other_secretary):
            assert not selectors.slip_list(user=user, to_confirm=True).exists()
            assert list_length(client_for(user), "/meetings/slips/?todo=confirm") == 0
        assert "confirm" not in tiles(client_for(users["wy"]))  # a property company confirms nothing
        assert tiles(client_for(other_secretary))["confirm"]["n"] == "0"
        # the unfiltered list still shows it to the committee
        assert (
            "清理3号楼楼道并建立巡查机制" in client_for(users["jwh"]).get("/meetings/slips/").content.decode()
        )


def test_the_export_reads_the_confirm_list(mworld, reported):
    with clock.freeze(REPORTED + timedelta(hours=1)):
        secretary = client_for(mworld.users["secretary"])
        body = b"".join(secretary.get("/meetings/slips/export.csv?todo=confirm").streaming_content)
        assert "清理3号楼楼道并建立巡查机制" in body.decode("utf-8-sig")
        jwh = client_for(mworld.users["jwh"])
        body = b"".join(jwh.get("/meetings/slips/export.csv?todo=confirm").streaming_content)
        assert "清理3号楼楼道并建立巡查机制" not in body.decode("utf-8-sig")


def test_the_sweep_reminds_the_confirming_side_once_a_day(mworld, reported):
    secretary = mworld.users["secretary"]
    asked = OutboxMessage.objects.filter(kind="slip.to_confirm", recipient=secretary)
    assert asked.count() == 1  # the report itself asked
    with clock.freeze(REPORTED + timedelta(hours=2)):
        slips.slips_follow_up()
    assert asked.count() == 1  # asked within the day: no reminder yet
    with clock.freeze(REPORTED + timedelta(days=1)):
        result = slips.slips_follow_up()
    assert result.reminded == 1 and asked.count() == 2
    assert asked.order_by("-id").first().subject.startswith("催办")
    reported.refresh_from_db()
    assert reported.state == SlipState.CONFIRMING
    assert reported.events.order_by("-id").first().action == "remind"
    with clock.freeze(REPORTED + timedelta(days=1, hours=3)):
        slips.slips_follow_up()
    assert asked.count() == 2  # once a day
    with clock.freeze(REPORTED + timedelta(days=2)):
        completion.slip_confirm_completion(actor=secretary, slip=reported)
    with clock.freeze(REPORTED + timedelta(days=4)):
        slips.slips_follow_up()
    assert asked.count() == 2  # confirmed: never reminded again
