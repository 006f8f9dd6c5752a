"""GeoReport v2 endpoints. Each answers in the format its URL names (.json or .xml); every
bad input becomes the spec's errors[] with its HTTP status, and writes nothing."""

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from gongzhi.cases.open311 import jurisdictions, keys, params, payloads, render, selectors, throttle
from gongzhi.cases.open311.messages import text
from gongzhi.cases.services import Intake, case_create
from gongzhi.cases.states import Source
from gongzhi.core import refdata
from gongzhi.geo.models import Node

View = Callable[..., HttpResponse]

# Service field -> Open311 parameter, for messages raised by case_create.
FIELD_NAMES = {
    "text": "description",
    "contact_phone": "phone",
    "category": "service_code",
    "node": "location",
}


def _lang(request: HttpRequest) -> str:
    """English for `Accept-Language: en` (what HTTP clients send), or `?lang=en` for a client
    that cannot set headers; `?lang=zh` asks for Chinese whatever the header says."""
    asked = request.GET.get("lang", "")[:8].lower()
    if asked.startswith(("en", "zh")):
        return asked[:2]
    return "en" if getattr(request, "LANGUAGE_CODE", "").startswith("en") else "zh"


LANGUAGES = {"en": "en", "zh": "zh-hans"}  # Open311's lang -> the site's language code


def endpoint(*methods: str) -> Callable[[View], View]:
    """Check the format and the method; turn ParamError into errors[]."""

    def wrap(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            lang, fmt = _lang(request), fmt.lower()
            if fmt not in render.FORMATS:
                return render.errors("json", 404, [text("format", lang, fmt=fmt[:20])])
            if request.method not in methods:
                response = render.errors(fmt, 405, [text("method", lang, method=request.method)])
                response["Allow"] = ", ".join(methods)
                return response
            if request.method == "POST" and _body_too_large(request):
                return _too_large(fmt, lang)
            try:
                # NUL is refused at the door (config.middleware), except in a chunked body, which
                # reaches this view unparsed (the door must not read it before the cap above)
                if request.method == "POST" and _has_nul(request, kwargs):
                    raise params.ParamError(400, [text("nul", lang)])
                with translation.override(LANGUAGES[lang]):  # the services' messages too
                    return view(request, fmt, lang, **kwargs)
            except params.ParamError as exc:
                return render.errors(fmt, exc.status, exc.messages)
            except RequestDataTooBig:  # Django's own cap, should it be set below Open311's
                return _too_large(fmt, lang)
            except (BadRequest, SuspiciousOperation, MultiPartParserError):  # an unreadable body
                return render.errors(fmt, 400, [text("body", lang)])

        return csrf_exempt(inner)

    return wrap


def _too_large(fmt: str, lang: str) -> HttpResponse:
    return render.errors(fmt, 413, [text("too_large", lang, kb=settings.OPEN311_MAX_BODY_BYTES // 1024)])


def _body_too_large(request: HttpRequest) -> bool:
    """A body over OPEN311_MAX_BODY_BYTES, told before anything parses it: by its Content-Length,
    or, for a chunked body (no length; gunicorn hands it on decoded), by reading at most one byte
    more than the cap. A chunked body under the cap is then given to Django as if it had a
    length, since Django reads nothing of a body without one."""
    cap = settings.OPEN311_MAX_BODY_BYTES
    length = request.META.get("CONTENT_LENGTH")
    if length:
        try:
            return int(length) > cap
        except ValueError:
            return False  # Django reads such a body as empty
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return False
    stream = request.META.get("wsgi.input")
    body = b""
    while stream is not None and len(body) <= cap:
        chunk = stream.read(min(64 * 1024, cap + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > cap:
        return True
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._stream = BytesIO(body)
    return False


def _has_nul(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    values = [*kwargs.values(), *(v for _, vs in request.GET.lists() for v in vs)]
    if request.method == "POST":
        values += [v for _, vs in request.POST.lists() for v in vs]
    return any("\x00" in v for v in values)


@endpoint("GET")
def services(request: HttpRequest, fmt: str, lang: str) -> HttpResponse:
    jurisdictions.street_for(request.GET, lang)  # the categories are shared; the name is checked
    items = [payloads.service(c, lang) for c in selectors.service_categories()]
    return render.respond(fmt, items, root="services", item="service")


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, lang: str, code: str) -> HttpResponse:
    jurisdictions.street_for(request.GET, lang)
    category = selectors.service_category(code)
    if category is None:
        return render.errors(fmt, 404, [text("service_code_unknown", lang, code=code[:40])])
    return render.respond(fmt, payloads.definition(category, lang), root="service_definition", item="")


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str, lang: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt, lang)
    return _listing(request, fmt, lang)


def _listing(request: HttpRequest, fmt: str, lang: str) -> HttpResponse:
    """GET requests.{fmt}: the public listing, behind the shared limiter's Open311 read budget
    (cases.open311.throttle, docs/security.md) before the query."""
    street = jurisdictions.street_for(request.GET, lang)
    filters = params.request_filters(request.GET, lang)
    if refused := throttle.refuse(request, fmt, lang, filters):
        return refused
    return _requests(fmt, lang, selectors.public_requests(filters, under=_under(street)))


def _under(street: Node | None) -> str:
    return street.path if street is not None else ""


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, lang: str, number: str) -> HttpResponse:
    street = jurisdictions.street_for(request.GET, lang)
    if refused := throttle.refuse(request, fmt, lang):
        return refused
    case = selectors.request_by_number(number, under=_under(street))
    if case is None:
        return render.errors(fmt, 404, [text("request_unknown", lang, id=number[:40])])
    return _requests(fmt, lang, [case])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, lang: str, token: str) -> HttpResponse:
    """Requests are created at once, so the token a client holds is the request id itself."""
    street = jurisdictions.street_for(request.GET, lang)
    if refused := throttle.refuse(request, fmt, lang):
        return refused
    case = selectors.request_by_number(token, under=_under(street))
    if case is None:
        return render.errors(fmt, 404, [text("token_unknown", lang, token=token[:40])])
    items = [{"service_request_id": case.number, "token": token}]
    return render.respond(fmt, items, root="service_requests", item="request")


def not_found(request: HttpRequest, path: str) -> HttpResponse:
    fmt = "xml" if path.endswith(".xml") else "json"
    return render.errors(fmt, 404, [text("not_found", _lang(request), path=request.path[:100])])


def _requests(fmt: str, lang: str, cases: list[Any]) -> HttpResponse:
    data = selectors.intake_data([c.pk for c in cases])
    areas = selectors.area_nodes([c for c in cases if payloads.sensitive(c.category)])
    items = [payloads.request(c, lang, data.get(c.pk, {}), areas.get(c.pk)) for c in cases]
    return render.respond(fmt, items, root="service_requests", item="request")


def _create(request: HttpRequest, fmt: str, lang: str) -> HttpResponse:
    # The spec puts api_key in the body; some clients put it in the query string.
    if keys.key_check(request.POST.get("api_key") or request.GET.get("api_key", "")) is None:
        return render.errors(fmt, 403, [text("api_key", lang)])
    with refdata.pinned():  # the map index, the route and the dispatchers: one stamp read
        return _record(request, fmt, lang)


def _record(request: HttpRequest, fmt: str, lang: str) -> HttpResponse:
    street = jurisdictions.street_for(request.POST, lang, also=request.GET)
    sub = params.submission(request.POST, lang)
    if street is not None and not sub.node.path.startswith(street.path):  # another street's place
        raise params.ParamError(400, [text("outside", lang, street=street.name)])
    intake = Intake(
        node=sub.node,
        text=sub.text,
        source=Source.OPEN311,
        category=sub.category,
        lat=sub.lat,
        lon=sub.lon,
        address=sub.address,
        contact_name=sub.contact_name,
        contact_phone=sub.phone,
        data=sub.data,  # media_url and attribute[...] kept on the first event
    )
    try:
        case = case_create(actor=None, intake=intake)
    except ValidationError as exc:
        return render.errors(fmt, 400, _messages(exc, lang))
    item = {
        "service_request_id": case.number,
        "service_notice": payloads.notice(sub.category, lang),
        "account_id": request.POST.get("account_id") or None,
    }
    return render.respond(fmt, [item], root="service_requests", item="request")


def _messages(exc: ValidationError, lang: str) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    out: list[str] = []
    for name, messages in exc.message_dict.items():
        if name == "contact_phone":
            out.append(text("phone", lang))
        elif name == "text" and lang == "en":
            out.append(text("too_long", lang, field="description", n=4000))
        else:
            out += [text("invalid", lang, field=FIELD_NAMES.get(name, name), message=m) for m in messages]
    return out
