"""The seam between 直报 and emergency mobilisation (docs/mobilisation.md "直报 → 应急动员").

"One tap turns the report into a mobilisation": the incident service (issue 16 item 4) registers
one function here when its app is ready; `direct.report_convert_mobilisation` calls it inside
its own transaction with the locked report and the actor, and keeps the incident's id on the
report (`DirectReport.incident_id`). The function declares the incident over the report's
place (its kind, text and street are on the report) and returns what was opened. Whatever it
raises (a ValidationError, a PermissionDeniedError) rolls the conversion back with it.

Until an incident service registers, `available()` is False: the pages hide the button and
the service answers 409 (转为工单 still works).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongzhi.core.actors import Actor


@dataclass(frozen=True)
class Opened:
    """What the mobilisation side opened for a 直报."""

    incident_id: int
    link: str = ""  # the incident's page, shown on the report


Mobiliser = Callable[..., Opened]  # (*, actor, report) -> Opened

_mobiliser: list[Mobiliser] = []


def register(function: Mobiliser) -> None:
    """Set the function that opens an incident from a 直报 (the last registration wins)."""
    _mobiliser[:] = [function]


def unregister() -> None:
    _mobiliser.clear()


def available() -> bool:
    return bool(_mobiliser)


def mobilise(*, actor: Actor, report: Any) -> Opened:
    if not _mobiliser:
        raise LookupError("no mobiliser registered")
    return _mobiliser[0](actor=actor, report=report)
