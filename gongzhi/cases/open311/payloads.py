"""The GeoReport v2 objects: service, service definition, service request. Nothing personal
leaves here: no reporter or contact; the place is a building or residential area and its point
is that node's, never the reporter's; descriptions go through the public board's scrubber
(core.scrub) and are withheld until a dispatcher has accepted the report."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from gongzhi.cases.models import Case, CategoryPolicy
from gongzhi.cases.open311.messages import state_label, text
from gongzhi.cases.states import OPEN_STATES, TEXT_WITHHELD_STATES, State
from gongzhi.core.i18n import pick
from gongzhi.core.scrub import public_text
from gongzhi.geo import locate
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category

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


def name(category: Category | None, lang: str) -> str:
    """The category's name in the answer's language (core.i18n: English when it has one)."""
    if category is None:
        return ""
    return pick(category.name, category.name_en, in_english=lang == "en")


def _keywords(category: Category, lang: str) -> list[str]:
    try:  # the classifier's cold-start rules, when that module is present
        from gongzhi.cases.classify import RULES
    except ImportError:  # pragma: no cover
        RULES = {}
    # residents type Chinese whatever their client's language: the Chinese words stay
    english = [category.name_en] if lang == "en" and category.name_en else []
    words = [*english, category.name, *RULES.get(category.code, ())]
    return list(dict.fromkeys(words))[:KEYWORDS_SHOWN]


def service(category: Category, lang: str) -> dict[str, Any]:
    group = name(category.parent, lang)
    return {
        "service_code": category.code,
        "service_name": name(category, lang),
        "description": text(
            "service_description",
            lang,
            group=group,
            name=name(category, lang),
            limit=limit_text(_policy(category), lang),
        ),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(_keywords(category, lang)),
        "group": group,
    }


def definition(category: Category, lang: str) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": attributes(lang)}


def w3(value: datetime | None) -> str | None:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def public_node(node: Node) -> Node:
    """Households are a resident's home: show their building instead."""
    if node.level == Level.HOUSEHOLD and node.parent is not None:
        return node.parent
    return node


def public_point(node: Node) -> tuple[float, float] | None:
    """The node's own point (a building's, or the centre of an area's boundary), else its
    parent's: the reporter's exact point is never published."""
    point = locate.representative_point(node)
    if point is None and node.parent is not None:
        point = locate.representative_point(node.parent)
    return point


def description(case: Case, lang: str, hidden: bool) -> str:
    if hidden:
        return text("withheld", lang)
    if case.state in TEXT_WITHHELD_STATES:
        return text("pending", lang)
    return public_text(case.text, limit=0)


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
    point = public_point(node)
    if case.state == State.MERGED and case.master is not None:
        notes = text("merged_into", lang, number=case.master.number)
    else:
        notes = state_label(case.state, lang)
    category = case.category
    return {
        "service_request_id": case.number,
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": notes,
        "service_name": name(category, lang),
        "service_code": category.code if category else "",
        "description": description(case, lang, hidden),
        "agency_responsible": case.post.unit.name if case.post else "",
        "service_notice": notice(category, lang),
        "requested_datetime": w3(case.created_at),
        "updated_datetime": w3(case.updated_at),
        "expected_datetime": w3(case.handle_due),  # the handling deadline, once dispatched
        "address": node.address or node.name,
        "address_id": node.code,
        "zipcode": None,  # the tree holds no postcodes
        "lat": round(point[0], 6) if point else None,
        "long": round(point[1], 6) if point else None,
        "media_url": None if hidden else (data.get("open311") or {}).get("media_url") or None,
    }
