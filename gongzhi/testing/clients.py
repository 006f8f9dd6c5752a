"""Test clients for the back office: one door for "this user, as staff, signed in"."""

from typing import Any

from django.test import Client


def admin_client(user: Any) -> Client:
    """A client signed in as `user`, made staff (the admin site's door; what they may do there
    still comes from their posts: gongzhi.orgs.access)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client
