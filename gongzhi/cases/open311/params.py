"""Parsing of GeoReport v2 parameters. Every problem becomes a message for errors[]; nothing
here touches the database except the location and service look-ups."""

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.http import QueryDict
from django.utils import timezone

from gongzhi.cases.open311 import selectors
from gongzhi.cases.open311.messages import text
from gongzhi.cases.open311.payloads import CONTACT_CHOICES
from gongzhi.cases.services import MAX_TEXT
from gongzhi.core import clock
from gongzhi.geo import locate
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category

MAX_SPAN = timedelta(days=90)
MAX_IDS = 1000
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
W3_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
# Lengths of the case's columns that these parameters fill.
MAX_ADDRESS, MAX_NAME, MAX_URL, MAX_ID = 200, 50, 1000, 64


class ParamError(Exception):
    def __init__(self, status: int, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = messages


# --- GET requests ------------------------------------------------------------------------------


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


def parse_datetime(raw: str) -> datetime | None:
    """ISO 8601 / W3C-DTF: 2026-01-31, 2026-01-31T08:00, ...Z, ...+08:00, also 2026 and 2026-01.
    A '+' lost to form decoding (a space before the offset) is put back. Naive is Shanghai."""
    value = raw.strip()
    value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value)
    partial = W3_PARTIAL.match(value)
    try:
        if partial:
            parsed = datetime(int(partial.group(1)), int(partial.group(2) or 1), 1)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def request_filters(query: QueryDict, lang: str) -> selectors.RequestFilters:
    numbers = _csv(query.get("service_request_id"))
    if numbers:  # the spec: a list of ids overrides every other argument
        if len(numbers) > MAX_IDS:
            raise ParamError(400, [text("too_many_ids", lang, n=MAX_IDS)])
        return selectors.RequestFilters(numbers=numbers)
    errors: list[str] = []
    dates: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = query.get(name, "").strip()
        dates[name] = parse_datetime(raw) if raw else None
        if raw and dates[name] is None:
            errors.append(text("date_invalid", lang, field=name))
    wanted_open: bool | None = None
    statuses = {s.lower() for s in _csv(query.get("status"))}
    bad = statuses - {"open", "closed"}
    if bad:
        errors.append(text("status_invalid", lang, value=",".join(sorted(bad))))
    elif len(statuses) == 1:
        wanted_open = statuses == {"open"}
    if errors:
        raise ParamError(400, errors)
    start, end = dates["start_date"], dates["end_date"]
    if start is None and end is None:
        end = clock.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if start > end:
        raise ParamError(400, [text("date_order", lang)])
    if end - start > MAX_SPAN:
        raise ParamError(400, [text("date_span", lang, days=MAX_SPAN.days)])
    return selectors.RequestFilters(
        codes=_csv(query.get("service_code")), open=wanted_open, start=start, end=end
    )


# --- POST requests -----------------------------------------------------------------------------


@dataclass
class Submission:
    category: Category
    node: Node
    text: str
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    contact_name: str = ""
    phone: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def attribute_values(post: QueryDict) -> dict[str, Any]:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2 (multivaluelist)."""
    values: dict[str, Any] = {}
    for key in post:
        m = ATTRIBUTE_RE.match(key)
        if m:
            values[m.group(1)] = post.getlist(key) if m.group(2) else post.get(key, "")
    return values


def submission(post: QueryDict, lang: str) -> Submission:
    errors: list[str] = []
    get = lambda name: (post.get(name) or "").strip()  # noqa: E731

    code = get("service_code")
    category = selectors.service_category(code)
    if not code:
        errors.append(text("service_code_missing", lang))
    elif category is None:
        errors.append(text("service_code_unknown", lang, code=code))

    description = get("description") or (category.name if category else "")
    if len(description) > MAX_TEXT:
        errors.append(text("too_long", lang, field="description", n=MAX_TEXT))

    media_url = get("media_url")
    if media_url and (len(media_url) > MAX_URL or urlsplit(media_url).scheme not in ("http", "https")):
        errors.append(text("media_url", lang))
    contact_name = " ".join(p for p in (get("first_name"), get("last_name")) if p)
    for name, value, limit in (
        ("first_name/last_name", contact_name, MAX_NAME),
        ("address_string", get("address_string"), MAX_ADDRESS),
        ("device_id", get("device_id"), MAX_ID),
        ("account_id", get("account_id"), MAX_ID),
    ):
        if len(value) > limit:
            errors.append(text("too_long", lang, field=name, n=limit))

    attrs = attribute_values(post)
    pref = attrs.get("contact_preference")
    if pref not in (None, "", *CONTACT_CHOICES):
        errors.append(text("attribute_value", lang, code="contact_preference", value=pref))

    node, lat, lon, location_errors = _locate(post, attrs, lang)
    errors += location_errors
    if errors:
        raise ParamError(400, errors)
    assert category is not None and node is not None
    open311: dict[str, Any] = {"media_url": media_url} if media_url else {}
    open311.update({k: get(k) for k in ("device_id", "account_id") if get(k)})
    known = {k: v for k, v in attrs.items() if k in ("building", "contact_preference") and v}
    if known:
        open311["attributes"] = known
    return Submission(
        category=category,
        node=node,
        text=description,
        lat=lat,
        lon=lon,
        address=get("address_string"),
        contact_name=contact_name,
        phone=get("phone"),
        data={"open311": open311} if open311 else {},
    )


def _outside(lang: str) -> str:
    """The refusal of a point outside the street, saying where the street is."""
    street = locate.street_extent()
    name = street.name or text("street", lang)
    if street.bbox is None or street.centre is None:
        return text("outside", lang, street=name)
    west, south, east, north = street.bbox
    return text(
        "outside_box",
        lang,
        street=name,
        lat=street.centre[0],
        lon=street.centre[1],
        south=south,
        north=north,
        west=west,
        east=east,
    )


def _float(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _locate(
    post: QueryDict, attrs: dict[str, Any], lang: str
) -> tuple[Node | None, float | None, float | None, list[str]]:
    """address_id (a node code), else lat/long, else address_string; `attribute[building]`
    then narrows a coarse place down to a building inside it."""
    get = lambda name: (post.get(name) or "").strip()  # noqa: E731
    address_id, address = get("address_id"), get("address_string")
    raw_lat, raw_lon = get("lat"), get("long")
    lat = lon = None
    if raw_lat or raw_lon:
        lat, lon = _float(raw_lat), _float(raw_lon)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None, None, None, [text("latlong_invalid", lang)]
    if not (address_id or lat is not None or address):
        return None, None, None, [text("location_missing", lang)]
    node: Node | None = None
    error = ""
    if address_id:
        node = Node.objects.filter(code=address_id, level__lte=Level.BUILDING).first()
        error = "" if node else text("address_id_unknown", lang, id=address_id[:40])
    if node is None and lat is not None and lon is not None:
        node = locate.node_for_point(lat, lon)
        error = error or ("" if node else _outside(lang))
    if node is None and address:
        node = locate.node_for_address(address)
        error = error or ("" if node else text("address_unknown", lang, text=address[:MAX_ADDRESS]))
    if node is None:
        return None, None, None, [error]
    building = str(attrs.get("building") or "").strip()
    if building and node.level < Level.BUILDING:
        node = locate.building_under(node, building) or node
    return node, lat, lon, []
