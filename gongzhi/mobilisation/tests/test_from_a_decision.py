"""A 联合居务会 decision starts a mobilisation: the binding slip's joint areas are the zone, its
units stand on the rota beside the volunteers; a slip not yet binding is refused."""

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core import clock
from gongzhi.meetings.models import Meeting, PartyRole, Slip, SlipParty, SlipState, Topic
from gongzhi.mobilisation import incidents, rostering
from gongzhi.mobilisation.choices import IncidentKind, PersonSource
from gongzhi.mobilisation.tests.conftest import T0
from gongzhi.orgs.models import Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import UnitFactory, make_staff


def joint_slip(w, state=SlipState.BINDING):
    """Written directly: the meetings package's own tests walk a slip to binding."""
    meeting = Meeting.objects.create(
        kind="joint",
        node=w.tree.k1,
        node_path=w.tree.k1.path,
        title="东安、西岸联合居务会",
        starts_at=T0,
        created_at=T0,
    )
    meeting.joint_nodes.set([w.tree.r1, w.tree.r2])
    topic = Topic.objects.create(
        node=w.tree.k1,
        node_path=w.tree.k1.path,
        meeting=meeting,
        title="医院周边疫情联防",
        business="key_matter",
        source="free",
        created_at=T0,
    )
    slip = Slip.objects.create(
        meeting=meeting,
        topic=topic,
        node=w.tree.k1,
        node_path=w.tree.k1.path,
        action="五个居委会与物业共同值守六个出入口",
        due=T0.date(),
        state=state,
        created_at=T0,
    )
    hospital = UnitFactory(node=w.tree.r2, kind=UnitKind.CO_BUILDING, name="西岸医院")
    SlipParty.objects.create(slip=slip, unit=w.property_unit, role=PartyRole.LEAD)
    SlipParty.objects.create(slip=slip, unit=hospital, role=PartyRole.ASSIST)
    make_staff("doctor", PostRole.PARTNER, w.tree.r2)
    Post.objects.filter(code="POST-doctor").update(unit=hospital)
    return slip, hospital


def test_a_binding_slip_starts_it_with_its_zone_and_units(world):
    slip, hospital = joint_slip(world)
    with clock.freeze(T0):
        incident = incidents.incident_declare(
            actor=world.users["block"], kind=IncidentKind.EPIDEMIC, title="医院周边疫情联防", slip=slip
        )
    assert incident.slip == slip
    assert set(incident.zone.values_list("code", flat=True)) == {"S-R1", "S-R2"}
    assert set(incident.units.all()) == {world.property_unit, hospital}
    pool = rostering.pool(incident)
    doctor = Post.objects.get(code="POST-doctor").person_id
    assert pool[doctor].source == PersonSource.UNIT and pool[doctor].unit_id == hospital.pk
    assert {c.source for c in pool.values()} >= {
        PersonSource.VOLUNTEER,
        PersonSource.PROPERTY,
        PersonSource.UNIT,
    }


def test_a_slip_not_yet_binding_is_refused(world):
    slip, _hospital = joint_slip(world, state=SlipState.SIGNING)
    with clock.freeze(T0), pytest.raises(ValidationError) as exc:
        incidents.incident_declare(
            actor=world.users["block"], kind=IncidentKind.EPIDEMIC, title="联防", slip=slip
        )
    assert "尚未生效" in str(exc.value)
