"""The GeoReport v2 objects: service, service definition, service request. Nothing personal
leaves here: no reporter or contact, the place at building level at most, phone and ID
numbers that residents type into their descriptions masked."""

import re
from datetime import datetime
from typing import Any

from django.utils import timezone

from gongzhi.cases.models import Case, CategoryPolicy
from gongzhi.cases.open311.messages import state_label, text
from gongzhi.cases.states import OPEN_STATES, State
from gongzhi.core import pii
from gongzhi.geo import locate
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category

PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
KEYWORDS_SHOWN = 6
# 民生服务 (care needs, hardship) and 邻里纠纷: published without text, at residential-area level.
SENSITIVE_CODES = frozenset({"MS", "AQ02"})

# Attributes every service accepts (all optional). `building` refines a coarse location;
# `contact_preference` says whether the reporter wants the callback (回访).
CONTACT_CHOICES = ("phone", "none")


def attributes(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "variable": True,
            "code": "building",
            "datatype": "string",
            "required": False,
            "datatype_description": text("attr_building_hint", lang),
            "order": 1,
            "description": text("attr_building", lang),
            "values": [],
        },
        {
            "variable": True,
            "code": "contact_preference",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": text("attr_contact_hint", lang),
            "order": 2,
            "description": text("attr_contact", lang),
            "values": [
                {"key": "phone", "name": text("attr_contact_phone", lang)},
                {"key": "none", "name": text("attr_contact_none", lang)},
            ],
        },
    ]


def limit_text(policy: CategoryPolicy | None, lang: str) -> str:
    if policy is None:
        return ""
    key = "hour" if policy.limit_unit == "hours" else "day"
    return text(key if policy.limit_amount == 1 else f"{key}s", lang, n=policy.limit_amount)


def _policy(category: Category | None) -> CategoryPolicy | None:
    return getattr(category, "policy", None) if category is not None else None


def notice(category: Category | None, lang: str) -> str:
    limit = limit_text(_policy(category), lang)
    return text("notice", lang, limit=limit) if limit else text("notice_none", lang)


def _keywords(category: Category) -> list[str]:
    try:  # the classifier's cold-start rules, when that module is present
        from gongzhi.cases.classify import RULES
    except ImportError:  # pragma: no cover
        RULES = {}
    words = [category.name, *RULES.get(category.code, ())]
    return list(dict.fromkeys(words))[:KEYWORDS_SHOWN]


def service(category: Category, lang: str) -> dict[str, Any]:
    group = category.parent.name if category.parent else ""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": text(
            "service_description",
            lang,
            group=group,
            name=category.name,
            limit=limit_text(_policy(category), lang),
        ),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(_keywords(category)),
        "group": group,
    }


def definition(category: Category, lang: str) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": attributes(lang)}


def w3(value: datetime | None) -> str | None:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def scrub(value: str) -> str:
    value = PHONE_IN_TEXT.sub(lambda m: pii.mask_phone(m.group()), value)
    return ID_IN_TEXT.sub(lambda m: pii.mask_id(m.group()), value)


def public_node(node: Node) -> Node:
    """Households are a resident's home: show their building instead."""
    if node.level == Level.HOUSEHOLD and node.parent is not None:
        return node.parent
    return node


def sensitive(category: Category | None) -> bool:
    """Matters about a person rather than a place (care needs, neighbour disputes)."""
    if category is None:
        return False
    return category.code in SENSITIVE_CODES or (
        category.parent is not None and category.parent.code in SENSITIVE_CODES
    )


def request(case: Case, lang: str, data: dict[str, Any], area: Node | None = None) -> dict[str, Any]:
    """`area` stands in for the place, and the description is withheld, when the matter is
    sensitive: "an elderly person in building 3 needs visits" must not be published."""
    hidden = sensitive(case.category)
    node = area if hidden and area is not None else public_node(case.node)
    point = (case.lat, case.lon) if case.lat is not None and case.lon is not None and not hidden else None
    point = point or locate.representative_point(node)
    if case.state == State.MERGED and case.master is not None:
        notes = text("merged_into", lang, number=case.master.number)
    else:
        notes = state_label(case.state, lang)
    category = case.category
    return {
        "service_request_id": case.number,
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": notes,
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": text("withheld", lang) if hidden else scrub(case.text),
        "agency_responsible": case.post.unit.name if case.post else "",
        "service_notice": notice(category, lang),
        "requested_datetime": w3(case.created_at),
        "updated_datetime": w3(case.updated_at),
        "expected_datetime": w3(case.handle_due or case.dispatch_due),
        "address": node.address or node.name,
        "address_id": node.code,
        "lat": round(point[0], 6) if point else None,
        "long": round(point[1], 6) if point else None,
        "media_url": None if hidden else (data.get("open311") or {}).get("media_url") or None,
    }
