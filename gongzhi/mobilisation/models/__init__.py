"""Mobilisation models, one module per subject; Django finds them through these imports."""

from gongzhi.mobilisation.models.direct import (
    OPEN_STATES,
    ConvertedTo,
    DirectEvent,
    DirectFollowUp,
    DirectKind,
    DirectPhoto,
    DirectReport,
    DirectState,
    DutyDay,
    DutyLeader,
)
from gongzhi.mobilisation.models.incidents import (
    CoverageItem,
    DutyPost,
    Entrance,
    Incident,
    IncidentEvent,
)
from gongzhi.mobilisation.models.rota import Assignment, Rota, Shift, SwapRequest

__all__ = [
    "OPEN_STATES",
    "Assignment",
    "ConvertedTo",
    "CoverageItem",
    "DirectEvent",
    "DirectFollowUp",
    "DirectKind",
    "DirectPhoto",
    "DirectReport",
    "DirectState",
    "DutyDay",
    "DutyLeader",
    "DutyPost",
    "Entrance",
    "Incident",
    "IncidentEvent",
    "Rota",
    "Shift",
    "SwapRequest",
]
