"""Every password check goes through one limiter (ADR 0011).

`LoginLimitBackend` sits first in AUTHENTICATION_BACKENDS, so Django's `authenticate()` asks it
before any password is tried, wherever the check comes from: the login page, /admin/login/,
POST /api/v1/tokens. It refuses (PermissionDenied stops `authenticate`) when the client's
address or the username has spent its budget of failures, and marks the request so the
door answers 429 in its own shape (web.common.auth.LoginRefusedMiddleware for pages, the tokens
router for the API). Failures are counted from Django's `user_login_failed` signal; successes
cost nothing, so a street office behind one NAT is only limited by its own typing mistakes.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from gongzhi.core import limits

USER_BUDGET = "login-user"
IP_BUDGET = "login-ip"
_REFUSAL = "_gongzhi_login_refused"


@dataclass(frozen=True)
class Refusal:
    """Why a login was refused: `per` is "user" or "ip"."""

    per: str
    retry_after: int
    limit: int
    window: int


def username_subject(username: str | None) -> str:
    """The budget's subject for a username. Usernames differing only by case belong to nobody's
    roster twice; casefolded, "Wang" and "wang" share one budget."""
    return str(username or "").strip().casefold()


def refusal(request: HttpRequest | None) -> Refusal | None:
    """The refusal recorded on this request by the backend, if any."""
    return getattr(request, _REFUSAL, None)


def take_refusal(request: HttpRequest) -> Refusal | None:
    """Read and clear the refusal (a door that answers it itself, like the API)."""
    found = refusal(request)
    if found is not None:
        delattr(request, _REFUSAL)
    return found


class LoginLimitBackend:
    """Refuses, never accepts: returns None to let the next backend check the password."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
        if request is None:  # management commands and tests without a request
            return None
        checks = (
            (IP_BUDGET, "ip", limits.client_ip(request)),
            (USER_BUDGET, "user", username_subject(username)),
        )
        for name, per, subject in checks:
            if not subject:
                continue
            verdict = limits.peek(name, subject)
            if not verdict.allowed:
                b = limits.budget(name)
                setattr(request, _REFUSAL, Refusal(per, verdict.retry_after, b.limit, b.window))
                raise PermissionDenied
        return None

    def get_user(self, user_id: int) -> Any:
        # Django's force_login (tests, the demo) names the first backend in the session; load
        # the user as the model backend does.
        return ModelBackend().get_user(user_id)


def connect() -> None:
    user_login_failed.connect(count_failure, dispatch_uid="gongzhi.core.logins.count_failure")


def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password spends one from the address's budget and one from the username's."""
    if request is None or refusal(request) is not None:  # a refused attempt tried no password
        return
    limits.hit(IP_BUDGET, limits.client_ip(request))
    username = username_subject(credentials.get("username"))
    if username:
        limits.hit(USER_BUDGET, username)
