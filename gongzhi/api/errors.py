"""One error shape for the whole API, in the caller's language.

Validation errors, ours and ninja's, answer 422 {"detail": [{"type", "loc", "msg"}]}; other
errors answer {"detail": "message"}. Messages are gettext msgids in Chinese (the default
language); `Accept-Language: en` gets the English catalog. Inputs are never echoed back:
they may be personal data or megabytes long.
"""

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from gongzhi.core.errors import ConflictError, PermissionDeniedError

logger = logging.getLogger("gongzhi.api")

# Every request body is declared as a parameter named `payload`, so service field errors
# get the same loc as ninja's: ["body", "payload", field].
BODY_LOC = ("body", "payload")


def pydantic_message(error: dict[str, Any]) -> str:
    """A Chinese (gettext) message for one pydantic error, by its type."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("此项必填")
    if kind == "string_too_long":
        return _("最多%(n)s个字符") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("至少%(n)s个字符") % {"n": ctx.get("min_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("不能小于%(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("不能大于%(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind.startswith("int_"):
        return _("应为整数")
    if kind.startswith("bool_"):
        return _("应为 true 或 false")
    if kind.startswith(("date", "datetime")):
        return _("日期格式应为 YYYY-MM-DD")
    if kind in {"literal_error", "enum"}:
        return _("取值无效，可选：%(expected)s") % {"expected": ctx.get("expected", "")}
    if kind in {"string_type", "string_unicode"}:
        return _("应为文本")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("应为 JSON 对象")
    if kind == "json_invalid":
        return _("不是有效的 JSON")
    return _("输入无效")


def validation_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": e.get("type", "value_error"), "loc": list(e.get("loc", ())), "msg": pydantic_message(e)}
        for e in errors
    ]


def _field_path(field: str) -> list[str | int]:
    """A batch item's field ("3.text") as a loc path [3, "text"], like pydantic's."""
    return [int(part) if part.isdigit() else part for part in field.split(".")]


def django_validation_detail(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        return [{"type": "value_error", "loc": list(BODY_LOC), "msg": str(m)} for m in exc.messages]
    detail: list[dict[str, Any]] = []
    for field, errors in exc.message_dict.items():
        loc = list(BODY_LOC) if field == NON_FIELD_ERRORS else [*BODY_LOC, *_field_path(field)]
        detail.extend({"type": "value_error", "loc": loc, "msg": str(m)} for m in errors)
    return detail


# --- the documented shapes -----------------------------------------------------------------------


class FieldErrorOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    detail: str
    allowed_actions: list[str] | None = None  # a 409 on a case action: what its state allows


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


ERROR_RESPONSES: dict[int, tuple[str, type[Schema]]] = {
    400: ("请求无效：无法解析的请求体、含 NUL 的参数等", ErrorOut),
    401: ("未登录、令牌无效，或用户名密码不对", ErrorOut),
    403: ("无权进行此操作（或 CSRF 校验失败）", ErrorOut),
    404: ("未找到，或不在调用者的管辖范围内", ErrorOut),
    409: ("状态不允许此操作，或数据已被他人修改", ErrorOut),
    422: ("输入无效：逐项列出字段和原因", ValidationErrorOut),
    429: ("登录失败次数过多，暂时锁定", ErrorOut),
}
WRITES = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """What any operation may answer besides its success: every one may get a malformed request,
    a missing token (or, open, a wrong password), an unknown or out-of-scope object and a field
    error; a secured one a refusal; a write a conflict; the one open operation (a token for a
    password) a lockout."""
    statuses = [400, 401, 404, 422]
    statuses.append(403 if operation.get("security") else 429)
    if method in WRITES:
        statuses.append(409)
    return sorted(statuses)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers to every operation of an OpenAPI document (ninja documents only the
    declared successes), with their shapes as components."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                if status in responses or str(status) in responses:
                    continue
                description, shape = ERROR_RESPONSES[status]
                ref = {"$ref": f"#/components/schemas/{shape.__name__}"}
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": ref}},
                }
    return schema


# --- the handlers -----------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, validation_detail(exc.errors))

    @api.exception_handler(DjangoValidationError)
    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, django_validation_detail(exc))

    @api.exception_handler(PermissionDeniedError)
    def denied(request: HttpRequest, exc: PermissionDeniedError) -> HttpResponse:
        return respond(request, 403, str(exc) or _("无权进行此操作"))

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        body: dict[str, Any] = {"detail": str(exc) or _("数据已被他人修改，请刷新后重试")}
        if exc.allowed:
            body["allowed_actions"] = exc.allowed
        return api.create_response(request, body, status=409)

    @api.exception_handler(IntegrityError)
    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A race between two writers past the services' checks (e.g. the same new code).
        return respond(request, 409, _("数据冲突，请刷新后重试"))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _("未找到"))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Includes RequestDataTooBig: a body above DATA_UPLOAD_MAX_MEMORY_SIZE.
        return respond(request, 400, _("请求无效"))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not the caller's fault: logged with its traceback, answered in the API's shape
        # (ninja's default re-raises to Django's HTML page, or sends the traceback with DEBUG on).
        logger.error("Unhandled exception on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, _("服务器内部错误，请稍后重试"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            message = _("请先登录或提供有效令牌")
        elif exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("请求内容应为 JSON 对象")
        return respond(request, exc.status_code, message)
