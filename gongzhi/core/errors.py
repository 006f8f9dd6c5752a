"""Domain errors that every entry point (page, API, import, command) turns into a clear message."""

from django.core.exceptions import ValidationError


def invalid(field: str, message: str) -> ValidationError:
    """A validation error on one field, for services to raise."""
    return ValidationError({field: [message]})


class PermissionDeniedError(Exception):
    """The actor may not do this to that object (HTTP 403)."""


class ConflictError(Exception):
    """The object changed under the actor, or the action is not allowed in its state (HTTP 409).

    `allowed` names what may be done instead, so a client can offer it."""

    def __init__(self, message: str = "", *, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.allowed = allowed or []
