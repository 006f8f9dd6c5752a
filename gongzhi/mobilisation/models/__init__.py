"""Mobilisation models, one module per subject; Django finds them through these imports."""

from gongzhi.mobilisation.models.incidents import (
    CoverageItem,
    DutyPost,
    Entrance,
    Incident,
    IncidentEvent,
)
from gongzhi.mobilisation.models.rota import Assignment, Rota, Shift, SwapRequest

__all__ = [
    "Assignment",
    "CoverageItem",
    "DutyPost",
    "Entrance",
    "Incident",
    "IncidentEvent",
    "Rota",
    "Shift",
    "SwapRequest",
]
