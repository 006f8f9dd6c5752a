"""GeoReport v2 bodies in JSON and XML. The XML shapes follow the spec's examples: a plural
root, one element per item, nested lists named by their singular (attributes/attribute,
values/value), booleans as true/false and nulls as empty elements."""

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SINGULAR = {"attributes": "attribute", "values": "value", "errors": "error"}


def respond(fmt: str, payload: Any, *, root: str, item: str, status: int = 200) -> HttpResponse:
    """`payload` is a list of items (rendered <root><item>…</item></root>) or one dict
    (rendered <root>…</root>, as the service definition is)."""
    if fmt == "xml":
        body = to_xml(payload, root=root, item=item)
    else:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    items = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, items, root="errors", item="error", status=status)


def to_xml(payload: Any, *, root: str, item: str) -> bytes:
    top = ET.Element(root)
    if isinstance(payload, dict):
        _fill(top, payload)
    else:
        for entry in payload:
            _fill(ET.SubElement(top, item), entry)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                sub = ET.SubElement(child, SINGULAR.get(key, "item"))
                if isinstance(entry, dict):
                    _fill(sub, entry)
                else:
                    sub.text = _scalar(entry)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _scalar(value)


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    # Characters XML 1.0 cannot carry (control characters a client may have posted) are dropped,
    # or the whole document would be unreadable.
    return XML_ILLEGAL.sub("", str(value))
