"""自动派遣: a resident's report the trained model is sure of goes to its routed post by itself,
in the intake's transaction; anything less sure waits for a dispatcher (ADR 0018)."""

import pytest

from gongzhi.cases import classify, routing
from gongzhi.cases.models import Case
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source, State
from gongzhi.core.models import OutboxMessage

CLUTTER = "3号楼楼道里堆满了纸箱和旧家具，走路都要侧身"


@pytest.fixture
def no_model(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.CASE_AUTO_DISPATCH_CONFIDENCE = 0.5
    classify._cache.clear()
    yield
    classify._cache.clear()


@pytest.fixture
def model(no_model):
    rows = classify.demo_corpus(1, 8)
    pipeline, _split = classify.train([t for _, t in rows], [c for c, _ in rows], seed=1)
    classify.save(pipeline, {"n": len(rows)})


def report(world, text=CLUTTER, **kw) -> Case:
    intake = Intake(node=world.tree.b1, text=text, source=kw.pop("source", Source.RESIDENT), **kw)
    return case_create(actor=None, intake=intake)


def test_a_sure_report_is_registered_and_dispatched_to_its_routed_post(world, model):
    case = Case.objects.get(pk=report(world).pk)
    assert case.state == State.DISPATCHED and case.category == world.category
    assert case.post == routing.route(category=world.category, node=world.tree.b1).post == world.post
    assert case.handle_due is not None
    steps = list(case.events.order_by("seq").values_list("action", "actor", "data"))
    assert [(a, actor) for a, actor, _d in steps] == [
        ("create", None),
        ("register", None),
        ("dispatch", None),
    ]
    assert steps[2][2]["auto"] is True and steps[2][2]["confidence"] >= 0.5
    told = OutboxMessage.objects.filter(
        recipient=world.handler, payload__case_id=case.pk, kind="case.dispatched"
    )
    assert told.exists(), "the post holder is told through the outbox"


def test_below_the_threshold_it_waits_for_the_dispatcher(world, model, settings):
    settings.CASE_AUTO_DISPATCH_CONFIDENCE = 1.01  # above any probability
    case = report(world)
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.post is None and case.category is None


def test_off_by_setting(world, model, settings):
    settings.CASE_AUTO_DISPATCH_CONFIDENCE = None
    assert report(world).state == State.RECEIVED


def test_keyword_rules_never_dispatch(world, no_model):
    case = report(world)
    assert case.state == State.RECEIVED
    assert case.events.get(seq=1).data["classifier"] == "rules"


@pytest.mark.parametrize(
    "extra",
    [
        {"source": Source.PATROL},  # staff reports keep their own triage
        {"data": {"channel": "suggestion"}},  # the suggestion box is read by a person
    ],
)
def test_only_residents_problem_reports(world, model, extra):
    assert report(world, **extra).state == State.RECEIVED


def test_chat_is_not_dispatched(world, model):
    assert report(world, "你好，今天天气真不错，祝大家周末愉快").state == State.RECEIVED


def test_a_gap_in_the_roster_waits(world, model):
    world.post.categories.clear()  # nobody answers for 楼道堆物 and no property post is on the path
    world.post.delete()
    case = report(world)
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.post is None
