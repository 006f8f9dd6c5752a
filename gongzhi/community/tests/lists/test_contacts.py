"""定点联系: the area's committee pairs a unit with the area (once while open); the unit or the
committee records visits; another area's staff and unrelated units may not; ending keeps it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gongzhi.community import contacts, selectors
from gongzhi.community.models import ContactPair, ContactVisit
from gongzhi.community.tests.lists.conftest import CommunityWorld
from gongzhi.core.errors import ConflictError, PermissionDeniedError

pytestmark = pytest.mark.django_db


def test_pairs_and_visits(world: CommunityWorld) -> None:
    w = world
    unit = w.unit("hospital")
    with pytest.raises(ValidationError):  # a pair names a residential area
        contacts.pair_create(actor=w.users["committee"], unit=unit, node=w.tree.e1)
    with pytest.raises(PermissionDeniedError):
        contacts.pair_create(actor=w.users["committee_r3"], unit=unit, node=w.tree.r1)
    pair = contacts.pair_create(actor=w.users["committee"], unit=unit, node=w.tree.r1, note="义诊")
    with pytest.raises(ConflictError):
        contacts.pair_create(actor=w.users["secretary"], unit=unit, node=w.tree.r1)

    visit = contacts.visit_record(
        actor=w.users["hospital"], pair=pair, on=date(2026, 3, 2), summary="上门义诊", people=4
    )
    assert visit.people == 4 and visit.recorded_by == w.users["hospital"]
    with pytest.raises(ValidationError):  # tomorrow
        contacts.visit_record(actor=w.users["committee"], pair=pair, on=date(2026, 3, 3), summary="x")
    with pytest.raises(PermissionDeniedError):
        contacts.visit_record(actor=w.users["logistics"], pair=pair, on=date(2026, 3, 2), summary="x")
    assert list(selectors.contact_pairs(w.users["hospital"])) == [pair]  # its own pair
    assert list(selectors.contact_pairs(w.users["committee_r3"])) == []

    contacts.pair_end(actor=w.users["committee"], pair=pair)
    with pytest.raises(ConflictError):
        contacts.visit_record(actor=w.users["hospital"], pair=pair, on=date(2026, 3, 2), summary="x")
    assert ContactPair.objects.get().until == date(2026, 3, 2) and ContactVisit.objects.count() == 1
    again = contacts.pair_create(actor=w.users["committee"], unit=unit, node=w.tree.r1)
    assert again.pk != pair.pk  # paired anew, the ended pair kept with its history
