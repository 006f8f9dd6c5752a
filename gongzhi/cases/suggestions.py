"""What a dispatcher is offered on a case: the category suggestion (分类建议) made at intake and
the likely duplicates (并单候选). Both only suggest; the dispatcher registers with a category
and merges through `services.case_act` (it suggests, a person decides).

The suggestion is read from the case's first event, where `services.case_create` stored it
when the channel gave no category; a case from before that (or whose event lacks it) gets one
computed now, marked `stored=False`.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gongzhi.cases import classify, duplicates
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.i18n import english, localized, pick
from gongzhi.geo import streets
from gongzhi.orgs import reference


@dataclass(frozen=True)
class Suggested:
    suggestions: list[classify.Suggestion]  # best first, active 小类 only
    needs_triage: bool  # the top confidence is below the threshold: a person must classify
    stored: bool  # made at intake (False: computed for this view)

    @property
    def top(self) -> classify.Suggestion | None:
        return self.suggestions[0] if self.suggestions else None


def _active(suggestions: list[classify.Suggestion]) -> list[classify.Suggestion]:
    """Only 小类 a dispatcher can pick now, named as the roster names them (in English when the
    reader reads English)."""
    found = reference.categories_by_code(s.code for s in suggestions)
    names = {code: pick(c.name, c.name_en) for code, c in found.items()}
    return [classify.Suggestion(s.code, names[s.code], s.confidence) for s in suggestions if s.code in names]


def _from_data(data: dict[str, Any]) -> tuple[list[classify.Suggestion], bool] | None:
    raw = data.get("suggested") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return None
    found = []
    for item in raw:
        try:
            found.append(classify.Suggestion(str(item["code"]), str(item["name"]), float(item["confidence"])))
        except (KeyError, TypeError, ValueError):
            continue
    return found, bool(data.get("triage", classify.needs_triage(found)))


def for_case(case: Case) -> Suggested | None:
    """The suggestion for an uncategorised case (None once it has a category)."""
    if case.category_id is not None:
        return None
    data = CaseEvent.objects.filter(case=case, seq=1).values_list("data", flat=True).first()
    stored = _from_data(data or {})
    if stored is not None:
        found, triage = stored
        return Suggested(_active(found), triage, stored=True)
    result = classify.classify(case.text, street=streets.street_code(case.node_path))
    return Suggested(_active(result.suggestions), result.needs_triage, stored=False)


def for_text(text: str) -> Suggested:
    """The suggestion for a description being written (report page, `POST /cases/suggest`):
    the top 3 active 小类 and whether a person would have to triage it."""
    result = classify.classify(text)
    return Suggested(_active(result.suggestions), result.needs_triage, stored=False)


def stored_for(cases: Iterable[Case]) -> dict[int, Suggested]:
    """The intake suggestions of the uncategorised cases among `cases`, by id (one query; for
    marking 需人工分诊 in a list; in English the names come from the reference snapshot)."""
    ids = [c.pk for c in cases if c.category_id is None]
    if not ids:
        return {}
    found = {}
    for case_id, data in CaseEvent.objects.filter(case_id__in=ids, seq=1).values_list("case_id", "data"):
        stored = _from_data(data or {})
        if stored is not None:
            found[case_id] = stored
    names: dict[str, str] = {}
    if english():  # the stored names are Chinese; an English reader gets the English ones
        codes = {s.code for suggestions, _triage in found.values() for s in suggestions}
        names = {code: localized(c) for code, c in reference.categories_by_code(codes).items()}
    return {
        case_id: Suggested(
            [classify.Suggestion(s.code, names.get(s.code, s.name), s.confidence) for s in suggestions],
            triage,
            stored=True,
        )
        for case_id, (suggestions, triage) in found.items()
    }


def duplicates_for(*, user: Actor, case: Case, limit: int = 5) -> list[duplicates.Candidate]:
    """Open cases the user may see that may report the same problem: near the same place, of the
    same category when it has one, with similar text, reported within the window before or
    after this one (the dispatcher may merge either way)."""
    window = timedelta(days=duplicates.WINDOW_DAYS)
    at = min(clock.now(), case.created_at + window)
    days = math.ceil((at - (case.created_at - window)) / timedelta(days=1))
    return duplicates.candidates(
        node=case.node,
        text=case.text,
        category=case.category,
        at=at,
        days=days,
        limit=limit,
        user=user,
        lat=case.lat,
        lon=case.lon,
        exclude=case.pk,
    )
