"""Regular visits (定期探访): the schedule, overdue per post, a holiday round for an area, a
visit with a photo checked like a case photo; access (a grid worker sees only their subjects,
a department none); the API over real HTTP (acknowledge, outcome, visits, rounds)."""

from datetime import timedelta
from io import BytesIO
from typing import Any

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.api import services as api_services
from gongzhi.care import selectors, services
from gongzhi.care.choices import AlertState, Door, RoundKind, VisitKind
from gongzhi.care.ingest import Incoming, ingest
from gongzhi.care.models import Alert, Visit
from gongzhi.care.tests.conftest import T0, build_world
from gongzhi.core import clock
from gongzhi.core.models import PiiAccessLog


def photo(fmt: str = "JPEG") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, fmt)
    return SimpleUploadedFile("探访.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
def test_overdue_visits_per_post_and_my_list(world):
    later = T0 + timedelta(days=8)  # the weekly visit is a day overdue
    with clock.freeze(later):
        assert [s.pk for s in selectors.visits_due(user=world.users["grid"], mine=True)] == [world.subject.pk]
        assert list(selectors.visits_due(user=world.users["grid_other"], mine=True)) == []
        per_post = selectors.overdue_per_post(user=world.users["committee"])
        assert {p.code: n for p, n in per_post} == {"POST-grid": 1, "POST-volunteer": 1}
        visit = services.visit_record(
            actor=world.users["grid"],
            subject=world.subject,
            kind=VisitKind.VISIT,
            note="身体好",
            photo=photo(),
        )
        assert visit.photo.name.endswith(".jpeg")
        assert list(selectors.visits_due(user=world.users["grid"], mine=True)) == []
    world.subject.refresh_from_db()
    assert world.subject.visit_due_at == later + timedelta(days=7)


@pytest.mark.django_db
def test_a_photo_that_is_not_an_image_writes_nothing(world):
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc, clock.freeze(T0):
        services.visit_record(
            actor=world.users["grid"], subject=world.subject, kind=VisitKind.VISIT, photo=bad
        )
    assert "photo" in exc.value.message_dict and not Visit.objects.exists()


@pytest.mark.django_db
def test_holiday_round_adds_a_visit_due_for_the_area(world):
    with clock.freeze(T0 + timedelta(hours=1)):
        r = services.round_create(
            actor=world.users["committee"],
            node=world.tree.r1,
            kind=RoundKind.SPRING_FESTIVAL,
            name="",
            due_at=T0 + timedelta(days=2),
        )
        assert r.subjects == 1 and r.name == "春节"
    world.subject.refresh_from_db()
    assert world.subject.visit_due_at == T0 + timedelta(days=2)
    with clock.freeze(T0 + timedelta(days=1)):
        visit = services.visit_record(
            actor=world.users["volunteer"], subject=world.subject, kind=VisitKind.VISIT
        )
    assert visit.round == r and selectors.round_progress(r) == (1, 1)
    for bad in ({"due_at": T0}, {"kind": "xmas"}):
        with pytest.raises(ValidationError), clock.freeze(T0 + timedelta(hours=1)):
            services.round_create(
                actor=world.users["committee"],
                node=world.tree.r1,
                **{"kind": RoundKind.DOUBLE_NINTH, "name": "", "due_at": T0 + timedelta(days=1), **bad},
            )


@pytest.mark.django_db
def test_access_grid_worker_only_theirs_department_none(world):
    assert selectors.subjects(user=world.users["grid"]).count() == 1
    assert selectors.subjects(user=world.users["grid_other"]).count() == 0
    assert selectors.subjects(user=world.users["dept"]).count() == 0
    assert list(selectors.alerts(user=world.users["dept"])) == []


@pytest.fixture
def http(live_server: Any, transactional_db: None):
    w = build_world()
    keys = {
        k: api_services.token_create(user=w.users[k], name=f"{k}-t")[1] for k in ("grid", "dept", "committee")
    }
    with httpx.Client(base_url=f"{live_server.url}/api/v1/care", timeout=30) as client:
        yield w, client, keys


def test_api_ack_outcome_visits_and_rounds(http):
    w, client, keys = http
    ingest([Incoming(device="DEV-sos", event_id="api-sos", at=clock.now())], door=Door.HTTP)
    alert = Alert.objects.get()

    def auth(k: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[k]}"}

    assert client.get("/alerts", headers=auth("dept")).json() == []
    assert client.post(f"/alerts/{alert.pk}/ack", headers=auth("dept")).status_code == 404
    listed = client.get("/alerts", headers=auth("grid")).json()
    assert [a["id"] for a in listed] == [alert.pk]
    acked = client.post(f"/alerts/{alert.pk}/ack", headers=auth("grid"))
    assert acked.status_code == 200 and acked.json()["state"] == AlertState.ACKNOWLEDGED
    assert client.post(f"/alerts/{alert.pk}/ack", headers=auth("grid")).status_code == 409
    bad = client.post(f"/alerts/{alert.pk}/outcome", json={"outcome": "needs_help"}, headers=auth("grid"))
    assert bad.status_code == 422 and "category" in bad.text
    done = client.post(
        f"/alerts/{alert.pk}/outcome",
        json={"outcome": "safe", "note": "平安", "false_alarm": True},
        headers=auth("grid"),
    )
    assert done.status_code == 200 and done.json()["state"] == AlertState.CLOSED
    visits = client.get(f"/subjects/{w.subject.pk}/visits", headers=auth("grid")).json()
    assert visits[0]["note"] == "平安"
    assert PiiAccessLog.objects.filter(subject_model="care.caresubject", field="visits").exists()
    # the committee sees that visits happened, not what was found
    assert client.get(f"/subjects/{w.subject.pk}/visits", headers=auth("committee")).json()[0]["note"] is None
    made = client.post(
        f"/subjects/{w.subject.pk}/visits", json={"kind": "call", "note": "电话问候"}, headers=auth("grid")
    )
    assert made.status_code == 201
    future = client.post(
        f"/subjects/{w.subject.pk}/visits",
        json={"kind": "visit", "at": (clock.now() + timedelta(hours=2)).isoformat()},
        headers=auth("grid"),
    )
    assert future.status_code == 422 and "at" in future.text
    due = (clock.now() + timedelta(days=3)).isoformat()
    r = client.post(
        "/rounds",
        json={"node": w.tree.r1.code, "kind": "double_ninth", "due_at": due},
        headers=auth("committee"),
    )
    assert r.status_code == 201 and r.json()["subjects"] == 1
    assert client.post(
        "/rounds", json={"node": w.tree.r1.code, "kind": "double_ninth", "due_at": due}, headers=auth("dept")
    ).status_code in (403, 422)
