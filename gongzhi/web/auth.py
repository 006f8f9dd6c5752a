"""Log in and out with Django's views and our templates.

django-axes locks a username+IP pair after AXES_FAILURE_LIMIT failures. It does not stop
one address from trying many usernames, so the login POST also has a light per-IP budget
kept in the cache (the shared Redis cache in production; behind a proxy REMOTE_ADDR must
be the client's address, as axes also assumes).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOGIN_RATE_LIMIT = 30  # POSTs per address per window
LOGIN_RATE_WINDOW = 10 * 60  # seconds


def rate_limited(request: HttpRequest) -> bool:
    """Count this login POST against its address; True once the budget is spent."""
    limit = getattr(settings, "LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT)
    key = "web:login-rate:" + request.META.get("REMOTE_ADDR", "")
    cache.add(key, 0, LOGIN_RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOGIN_RATE_WINDOW)
        count = 1
    return count > limit


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cooloff = settings.AXES_COOLOFF_TIME
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["lockout_minutes"] = int(cooloff.total_seconds() // 60) if cooloff else 0
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if rate_limited(request):
            context = {"minutes": LOGIN_RATE_WINDOW // 60}
            return render(request, "web/rate_limited.html", context, status=429)
        return super().post(request, *args, **kwargs)


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
