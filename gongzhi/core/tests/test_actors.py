"""core.actors.recorded: the user a row keeps as who acted; nobody signed in is refused (403),
never a foreign-key error (500)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core.actors import recorded
from gongzhi.core.errors import PermissionDeniedError
from gongzhi.testing.factories import UserFactory


@pytest.mark.django_db
def test_a_signed_in_user_is_recorded_as_themselves():
    user = UserFactory(username="wang")
    assert recorded(user) is user


def test_an_anonymous_visitor_is_refused():
    with pytest.raises(PermissionDeniedError):
        recorded(AnonymousUser())
