"""Rate limits on Open311's public reads (ADR 0011): anonymous clients share a budget per
address, clients with an api_key a larger one per key. A read costs more the more it can
return, so a script cannot pull months of cases in seconds: one unit per started week of the
date window (the default window is 90 days: 13 units), or per started 50 ids of a
service_request_id list. Over budget: 429 in errors[] with Retry-After."""

import math
from datetime import timedelta

from django.http import HttpRequest, HttpResponse

from gongzhi.cases.open311 import keys, render, selectors
from gongzhi.cases.open311.messages import text
from gongzhi.core import limits

ANONYMOUS, KEYED = "open311-list-anon", "open311-list-key"
WEEK = timedelta(days=7)
IDS_PER_UNIT = 50


def cost(filters: selectors.RequestFilters | None) -> int:
    """What one read spends: 1 for a single request, more for wide windows and long id lists."""
    if filters is None:
        return 1
    if filters.numbers:
        return max(1, math.ceil(len(filters.numbers) / IDS_PER_UNIT))
    if filters.start is None or filters.end is None:
        return 1
    return max(1, math.ceil((filters.end - filters.start) / WEEK))


def refuse(
    request: HttpRequest, fmt: str, lang: str, filters: selectors.RequestFilters | None = None
) -> HttpResponse | None:
    """Count this read; the 429 to answer when its budget is spent, else None."""
    key = keys.key_check(request.GET.get("api_key", ""))
    name, subject = (KEYED, str(key.pk)) if key is not None else (ANONYMOUS, limits.client_ip(request))
    verdict = limits.take(name, subject, cost(filters))
    if verdict.allowed:
        return None
    response = render.errors(fmt, 429, [text("rate_limited", lang, seconds=verdict.retry_after)])
    response["Retry-After"] = str(verdict.retry_after)
    return response
