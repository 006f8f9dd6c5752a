"""core.actors: `recorded`, the user a row keeps as who acted (nobody signed in is refused, 403,
never a foreign-key error, 500); `recorded_or_system` where the system may act; `is_superuser`."""

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core import accesslog
from gongzhi.core.actors import is_superuser, recorded, recorded_or_system
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.core.models import PiiAccessLog
from gongzhi.testing.factories import UserFactory


@pytest.mark.django_db
def test_a_signed_in_user_is_recorded_as_themselves():
    user = UserFactory(username="wang")
    assert recorded(user) is user


def test_an_anonymous_visitor_is_refused():
    with pytest.raises(PermissionDeniedError):
        recorded(AnonymousUser())


@pytest.mark.django_db
def test_where_the_system_may_act_nobody_signed_in_is_recorded_as_none():
    user = UserFactory(username="li")
    assert recorded_or_system(user) is user
    assert recorded_or_system(None) is None
    assert recorded_or_system(AnonymousUser()) is None


@pytest.mark.django_db
def test_only_a_signed_in_superuser_is_one():
    assert is_superuser(UserFactory(username="root", is_superuser=True))
    assert not is_superuser(UserFactory(username="zhao"))
    assert not is_superuser(AnonymousUser())
    assert not is_superuser(None)


@pytest.mark.django_db
def test_the_access_log_refuses_a_row_for_nobody_signed_in():
    """accesslog.record keeps who looked: an anonymous actor gets 403 and no row is written."""
    with pytest.raises(PermissionDeniedError):
        accesslog.record(
            actor=AnonymousUser(),
            subject_model="orgs.Person",
            subject_id=1,
            subject_label="测试",
            field="phone",
            purpose="核实",
        )
    assert not PiiAccessLog.objects.exists()
