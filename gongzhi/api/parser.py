"""The request body parser: JSON, and an object at the top (a list, a number or null is a
client error, not an empty form)."""

import json
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser


class ObjectJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            # ninja answers any parser error with 400 "Cannot parse request body"
            raise ValueError("the request body must be a JSON object")
        return cast(dict[str, Any], data)
