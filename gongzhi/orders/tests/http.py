"""Real HTTP against the live server for the orders' tests: one API token per user."""

from collections.abc import Callable
from typing import Any

import httpx

from gongzhi.api import services as api_services

Call = Callable[..., httpx.Response]


def tokens(users: dict[str, Any]) -> dict[str, str]:
    return {key: api_services.token_create(user=user, name=f"{key}-orders")[1] for key, user in users.items()}


def caller(base: str, keys: dict[str, str]) -> Call:
    def call(method: str, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {keys[as_]}"
        response = httpx.request(method, f"{base}/api/v1/orders{path}", headers=headers, timeout=30, **kwargs)
        assert response.status_code < 500, response.text
        return response

    return call
