"""It suggests, a person decides: the category suggestion kept at intake, the duplicate candidates
around a case, and merged reporters getting the master's outcome and callback."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases import callback, classify, suggestions
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import Act, Intake, case_act, case_create, merged_into, outcome_of
from gongzhi.cases.states import Source, State
from gongzhi.core import clock
from gongzhi.core.errors import ConflictError
from gongzhi.core.models import OutboxMessage
from gongzhi.testing.factories import UserFactory

CLUTTER = "3号楼楼道里堆满了纸箱和旧家具，走路都要侧身"


@pytest.fixture(autouse=True)
def rules_only(settings, tmp_path):
    """No saved model: the cold-start rules, whatever lies in the developer's var/."""
    settings.VAR_DIR = tmp_path
    classify._cache.clear()
    yield
    classify._cache.clear()


def photo() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (80, 60), (20, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def new_case(world, text=CLUTTER, *, category="given", reporter_user=None, **extra) -> Case:
    intake = Intake(
        node=extra.pop("node", world.tree.b1),
        text=text,
        source=Source.RESIDENT,
        category=world.category if category == "given" else category,
        **extra,
    )
    return case_create(actor=reporter_user, intake=intake)


def act(user, case, action, **kw) -> Case:
    case.refresh_from_db()
    return case_act(actor=user, case=case, act=Act(action=action, version=case.version, **kw))


def close(world, case) -> Case:
    for user, action, kw in [
        (world.dispatcher, "register", {}),
        (world.dispatcher, "dispatch", {"post": world.post}),
        (world.handler, "accept", {}),
        (world.handler, "submit", {"note": "已清理", "files": [photo()]}),
        (world.dispatcher, "verify", {"files": [photo()]}),
    ]:
        case = act(user, case, action, **kw)
    return case


# --- the suggestion at intake -----------------------------------------------------------------------


def test_intake_without_category_keeps_the_suggestion_and_sets_no_category(world):
    case = new_case(world, category=None)
    assert case.category is None and case.post is None
    data = case.events.get(seq=1).data
    assert data["triage"] is False and data["classifier"] == "rules"
    assert data["suggested"][0]["code"] == "LD01" and data["suggested"][0]["name"] == "楼道堆物"
    assert 1 <= len(data["suggested"]) <= 3
    confidences = [s["confidence"] for s in data["suggested"]]
    assert confidences == sorted(confidences, reverse=True) and confidences[0] >= classify.threshold()
    assert data["post"] is None


def test_intake_with_a_category_stores_no_suggestion(world):
    case = new_case(world)
    data = case.events.get(seq=1).data
    assert "suggested" not in data and "triage" not in data
    assert suggestions.for_case(case) is None


def test_vague_text_needs_triage(world):
    case = new_case(world, "你们快来看看吧，实在受不了了", category=None)
    data = case.events.get(seq=1).data
    assert data["triage"] is True and data["suggested"] == []
    suggested = suggestions.for_case(case)
    assert suggested is not None and suggested.needs_triage and suggested.stored and suggested.top is None


def test_channel_data_is_kept_beside_the_suggestion(world):
    case = new_case(world, category=None, data={"media_url": "https://example.org/a.jpg"})
    data = case.events.get(seq=1).data
    assert data["media_url"] == "https://example.org/a.jpg" and data["suggested"]


def test_intake_uses_the_saved_model(world):
    rows = classify.demo_corpus(1, 8)
    pipeline, _split = classify.train([t for _, t in rows], [c for c, _ in rows], seed=1)
    classify.save(pipeline, {"n": len(rows)})
    case = new_case(world, "电梯又坏了，老人被困在里面半小时", category=None)
    data = case.events.get(seq=1).data
    assert data["classifier"] in {"model", "blend"} and len(data["suggested"]) == 3
    assert data["suggested"][0]["code"] == "WY02" and case.category is None


def test_a_case_without_a_stored_suggestion_gets_one_computed(world):
    case = new_case(world, category=None)
    CaseEvent.objects.filter(case=case, seq=1).update(data={"post": None})  # from before this feature
    suggested = suggestions.for_case(case)
    assert suggested is not None and not suggested.stored and suggested.top.code == "LD01"


def test_suggestions_of_retired_categories_are_not_offered(world):
    from gongzhi.orgs.models import Category

    case = new_case(world, category=None)
    Category.objects.filter(code="LD01").update(active=False)
    suggested = suggestions.for_case(case)
    assert suggested is not None and "LD01" not in [s.code for s in suggested.suggestions]


def test_stored_for_reads_a_page_in_one_query(world, django_assert_num_queries):
    vague = new_case(world, "你们快来看看吧", category=None)
    clear = new_case(world, category=None)
    given = new_case(world)
    with django_assert_num_queries(1):
        found = suggestions.stored_for([vague, clear, given])
    assert set(found) == {vague.pk, clear.pk}
    assert found[vague.pk].needs_triage and not found[clear.pk].needs_triage
    assert found[clear.pk].top.code == "LD01"


# --- duplicate candidates around a case ------------------------------------------------------------


def test_duplicates_look_both_ways_in_time_and_leave_out_the_case(world):
    with clock.freeze(clock.now() - timedelta(days=3)):
        earlier = new_case(world, "楼道里堆满纸箱和旧家具")
    case = new_case(world)
    later = new_case(world, "3号楼楼道堆满了纸箱，旧家具也堆着")
    other = new_case(world, "电梯又坏了", category=None)
    found = [c.case.pk for c in suggestions.duplicates_for(user=world.dispatcher, case=case)]
    assert set(found) == {earlier.pk, later.pk} and other.pk not in found
    assert suggestions.duplicates_for(user=world.outsider, case=case) == []


# --- merged reporters get the master's outcome -----------------------------------------------------


@pytest.fixture
def merged(world):
    """A master and two reports merged into it, one by a resident with an account."""
    resident = UserFactory(username="merged-resident")
    master = new_case(world, contact_phone="13812345678")
    dup = new_case(world, "3号楼楼道纸箱堆满了", reporter_user=resident)
    phone_only = new_case(world, "楼道堆物严重", contact_phone="13912345678")
    dup = act(world.dispatcher, dup, "merge", master=master)
    phone_only = act(world.dispatcher, phone_only, "merge", master=master)
    return master, dup, phone_only, resident


def test_closing_the_master_tells_each_merged_reporter(world, merged):
    master, dup, phone_only, resident = merged
    assert [c.pk for c in merged_into(master)] == [dup.pk, phone_only.pk]
    before = OutboxMessage.objects.count()
    master = close(world, master)
    for case in (dup, phone_only):
        case.refresh_from_db()
        last = case.events.order_by("-seq").first()
        assert case.state == State.MERGED  # still merged: the result is the master's
        assert (last.action, last.actor, last.data["master"]) == ("master_closed", None, master.pk)
        assert last.data["master_number"] == master.number
        assert outcome_of(case) == master
    told = OutboxMessage.objects.filter(recipient=resident, kind="case.closed")
    assert told.count() == 1
    message = told.get()
    assert dup.number in message.subject and master.number in message.body
    assert "楼道" not in message.body  # no problem text in notifications
    token = message.payload["link"].removeprefix("/callback/").rstrip("/")
    assert callback.case_for_token(token) == dup  # their own case's rating link
    assert message.payload["master_id"] == master.pk
    assert OutboxMessage.objects.count() > before


def test_a_merged_reporter_rates_the_masters_result(world, merged):
    master, dup, _phone_only, _resident = merged
    with pytest.raises(ConflictError, match="尚未结案"):
        callback.rate_by_token(token=callback.callback_token(dup), satisfaction="satisfied")
    master = close(world, master)
    rated = callback.rate_by_token(token=callback.callback_token(dup), satisfaction="satisfied")
    assert rated.pk == dup.pk and rated.satisfaction == "satisfied" and rated.state == State.MERGED
    rate = dup.events.get(action="rate")
    assert rate.data == {"satisfaction": "satisfied", "master": master.pk}
    master.refresh_from_db()
    assert master.state == State.CLOSED and master.satisfaction == ""  # the master's own is apart


def test_an_unsatisfied_merged_reporter_reopens_the_master(world, merged):
    master, dup, phone_only, _resident = merged
    master = close(world, master)
    callback.rate_by_token(token=callback.callback_token(phone_only), satisfaction="unsatisfied", note="还在")
    master.refresh_from_db()
    assert master.state == State.IN_PROGRESS and master.rework_count == 1
    reopen = master.events.get(action="reopen")
    assert phone_only.number in reopen.note and "还在" in reopen.note
    assert reopen.data == {"rated_case": phone_only.pk}
    # while it is reworked the others wait for the next result (and are told again then)
    with pytest.raises(ConflictError, match="尚未结案"):
        callback.rate_by_token(token=callback.callback_token(dup), satisfaction="unsatisfied")
    dup.refresh_from_db()
    assert dup.satisfaction == "" and master.events.filter(action="reopen").count() == 1
    act(world.handler, master, "submit", note="再次清理", files=[photo()])
    act(world.dispatcher, master, "verify", files=[photo()])
    assert dup.events.filter(action="master_closed").count() == 2
    assert callback.rate_by_token(token=callback.callback_token(dup), satisfaction="basically").pk == dup.pk


def test_merging_into_a_closed_master_tells_at_once(world):
    resident = UserFactory(username="late-reporter")
    master = close(world, new_case(world))
    late = new_case(world, "楼道又堆满纸箱了吗", reporter_user=resident)
    late = act(world.dispatcher, late, "merge", master=master)
    assert list(late.events.values_list("action", flat=True)) == ["create", "merge", "master_closed"]
    assert OutboxMessage.objects.filter(recipient=resident, kind="case.closed").count() == 1


def test_a_chain_of_merges_reaches_the_first_reports(world):
    first = new_case(world, "楼道堆了纸箱")
    middle = new_case(world, "楼道纸箱堆满")
    final = new_case(world)
    act(world.dispatcher, first, "merge", master=middle)
    act(world.dispatcher, middle, "merge", master=final)  # the middle master merged later
    assert [c.pk for c in merged_into(final)] == [middle.pk, first.pk]
    first.refresh_from_db()
    assert outcome_of(first) == final
    close(world, final)
    assert first.events.filter(action="master_closed", data__master=final.pk).exists()


def test_unmerge_after_closing_is_still_possible_and_audited(world, merged):
    master, dup, _phone_only, _resident = merged
    close(world, master)
    callback.rate_by_token(token=callback.callback_token(dup), satisfaction="satisfied")
    dup = act(world.dispatcher, dup, "unmerge", note="并错了，是另一处")
    assert dup.state == State.RECEIVED and dup.master is None
    assert dup.satisfaction == ""  # it was the wrong master's result: rated again when its own closes
    assert list(dup.events.values_list("action", flat=True)) == [
        "create",
        "merge",
        "master_closed",
        "rate",
        "unmerge",
    ]
    assert dup.events.get(action="unmerge").data == {"master": master.pk, "satisfaction": "satisfied"}
