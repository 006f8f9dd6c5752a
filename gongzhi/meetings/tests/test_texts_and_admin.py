"""三本 in versions, and the meetings back office scoped like the rest."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gongzhi.core.errors import PermissionDeniedError
from gongzhi.meetings import texts
from gongzhi.meetings.kinds import MeetingKind
from gongzhi.meetings.models import StreetText, TextKind
from gongzhi.meetings.services import meeting_create
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import make_staff


@pytest.fixture
def admin_user(tree):
    user = make_staff("streetadmin", PostRole.STREET_ADMIN, tree.street)
    user.is_staff = True
    user.save()
    return user


def test_texts_default_then_versions(tree, admin_user):
    assert "议事规则" in texts.current_text(tree.street, TextKind.RULES)
    texts.street_text_save(
        actor=admin_user, street=tree.street, kind=TextKind.RULES, body="规则一", reason="初稿"
    )
    second = texts.street_text_save(actor=admin_user, street=tree.street, kind=TextKind.RULES, body="规则二")
    assert second.version == 2 and texts.current_text(tree.street, TextKind.RULES) == "规则二"
    assert StreetText.objects.filter(kind=TextKind.RULES).count() == 2  # the first stays on record


def test_texts_refuse_bad_input_and_outsiders(tree, admin_user):
    with pytest.raises(ValidationError):
        texts.street_text_save(actor=admin_user, street=tree.street, kind=TextKind.SLIP, body="  ")
    with pytest.raises(ValidationError):
        texts.street_text_save(actor=admin_user, street=tree.r1, kind=TextKind.SLIP, body="x")
    staff = make_staff("r1staff2", PostRole.COMMITTEE_STAFF, tree.r1)
    with pytest.raises(PermissionDeniedError):
        texts.street_text_save(actor=staff, street=tree.street, kind=TextKind.SLIP, body="x")
    assert not StreetText.objects.exists()


def test_admin_lists_meetings_in_scope_only(mworld, admin_user):
    meeting_create(actor=mworld.users["jwh"], kind=MeetingKind.JUWUHUI, node=mworld.tree.r1, starts_at=NOW)
    outsider = mworld.cases.outsider
    outsider.is_staff = True
    outsider.save()
    street = Client()
    street.force_login(admin_user)
    page = street.get("/admin/meetings/meeting/")
    assert page.status_code == 200 and "东安居民区居务会" in page.content.decode()
    other = Client()
    other.force_login(outsider)
    page = other.get("/admin/meetings/meeting/")
    assert page.status_code == 200 and "东安居民区居务会" not in page.content.decode()
    assert other.get("/admin/meetings/streettext/").status_code == 403
    added = street.post(
        "/admin/meetings/streettext/add/",
        {"street": mworld.tree.street.pk, "kind": TextKind.MINUTES, "body": "纪要范本", "reason": "x"},
    )
    assert added.status_code == 302 and texts.current_text(mworld.tree.street, TextKind.MINUTES) == "纪要范本"
