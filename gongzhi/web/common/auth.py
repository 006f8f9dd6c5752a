"""Log in and out with Django's views and our templates.

Password checks are limited by core.logins (one budget of failures per username across
addresses, one per client address; ADR 0011). `LoginRefusedMiddleware` answers a refused login
with a 429 page, whether the form was ours or the admin's.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.core import logins


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


class LoginView(auth_views.LoginView):
    template_name = "web/common/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        limit, window = settings.RATE_LIMITS[logins.USER_BUDGET]
        context["failure_limit"] = limit
        context["lockout_minutes"] = window // 60
        return context


class LoginRefusedMiddleware:
    """A login refused by the limiter becomes a 429 with Retry-After: for the username, the
    paused-account page; for the address, the too-many-attempts page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refused = logins.take_refusal(request)
        if refused is None:
            return response
        context = {
            "failure_limit": refused.limit,
            "minutes": _minutes(refused.retry_after),
            "window_minutes": refused.window // 60,
        }
        template = "web/common/locked_out.html" if refused.per == "user" else "web/common/rate_limited.html"
        response = render(request, template, context, status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
