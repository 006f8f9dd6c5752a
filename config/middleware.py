"""Hostile input is answered at the door, in the shape of the part of the site it was sent to.

- A NUL character is never meaningful input, and PostgreSQL refuses it in any text column: a
  request carrying one (in the path, the query string, a form or JSON body, or an uploaded
  file's name; percent-encoded %00 and JSON's \\u0000 included) is refused with a 400 before
  any view runs.
- Under /api/ every error is JSON ({"detail": ...}, as gongzhi/api/errors.py answers): an
  unknown path, a wrong method or an uncaught exception never comes back as an HTML page.

The answer's shape follows the path: the API's {"detail": message}, Open311's errors[] (JSON,
or XML when the URL asks for .xml), and the site's error page otherwise.
"""

import json
import logging
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from gongzhi.cases.open311 import render as open311_render
from gongzhi.cases.open311.messages import text as open311_text
from gongzhi.web.http import error_response

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"
NUL = "\x00"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
JSON_NUL = b"\\u0000"  # how a JSON body spells NUL inside a string

logger = logging.getLogger("gongzhi.hostile")

Handler = Callable[[HttpRequest], HttpResponse]


class HostileInputMiddleware:
    """Place after the authentication and CSP middleware: the error page needs both."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            nul = has_nul(request)
        except (SuspiciousOperation, MultiPartParserError, BadRequest):
            nul = False  # an unreadable or oversized body: the view refuses it in its own words
        if nul:
            return refuse_nul(request)
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and response.status_code >= 400 and not _is_json(response):
            answer = api_error(response.status_code)
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None  # Django's own 500 page
        logger.error("Unhandled exception on %s %s", request.method, request.path, exc_info=exception)
        return api_error(500)


def has_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or NUL in request.path:
        return True
    if any(_pairs_have_nul(request.GET.lists())):
        return True
    if request.method not in BODY_METHODS:
        return False
    if request.path.startswith(OPEN311_PREFIX) and _over_open311_cap(request):
        return False  # never parse it: the Open311 view answers 413 before anything reads it
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/"):
        # The multipart parser streams the body; request.body is unreadable after it.
        names = ((key, [upload.name or "" for upload in uploads]) for key, uploads in request.FILES.lists())
        return any(_pairs_have_nul(request.POST.lists())) or any(_pairs_have_nul(names))
    if content_type == "application/x-www-form-urlencoded":
        return any(_pairs_have_nul(request.POST.lists()))
    if not (content_type.startswith("text/") or "json" in content_type):
        return False  # a binary body (a file sent as itself) may hold any byte
    body = request.body
    if b"\x00" in body:
        return True
    return JSON_NUL in body.lower() and _json_has_nul(body)


def _over_open311_cap(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked or length > settings.OPEN311_MAX_BODY_BYTES


def _pairs_have_nul(pairs: Iterable[tuple[str, list[str]]]) -> Iterator[bool]:
    return (NUL in key or any(NUL in value for value in values) for key, values in pairs)


def _json_has_nul(body: bytes) -> bool:
    """The escape may sit behind an escaped backslash ("\\\\u0000" is no NUL): decode to be sure."""
    try:
        data = json.loads(body)
    except ValueError:
        return False  # the parser's own "not JSON" answer follows
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def refuse_nul(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("请求中含有无效字符")}, status=400)
    if request.path.startswith(OPEN311_PREFIX):
        lang = "en" if getattr(request, "LANGUAGE_CODE", "").startswith("en") else "zh"
        fmt = "xml" if request.path.rstrip("/").lower().endswith(".xml") else "json"
        return open311_render.errors(fmt, 400, [open311_text("nul", lang)])
    return error_response(request, 400, [_("请求中含有无效字符")])


def api_error(status: int) -> JsonResponse:
    messages = {
        401: _("请先登录或提供有效令牌"),
        403: _("无权进行此操作"),
        404: _("未找到"),
        405: _("不支持此请求方法"),
        500: _("服务器内部错误，请稍后重试"),
    }
    return JsonResponse({"detail": messages.get(status, _("请求无效"))}, status=status)


def _is_json(response: HttpResponse) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")
