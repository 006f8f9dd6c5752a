"""What the task-slip list exports (docs/exports.md): one row per slip with its decision, place,
deadline, units and progress. Units, not people, answer for a slip, so the file holds no
personal data (and writes no access-log row); a number written into a decision is masked
all the same."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import clock
from gongzhi.core.exports import Column, Spec, column, label_column, local
from gongzhi.core.scrub import numbers_masked
from gongzhi.meetings.models import PartyRole, SlipParty, SlipState
from gongzhi.meetings.selectors import OPEN_SLIP_STATES

_OPEN = {str(s) for s in OPEN_SLIP_STATES}


def _with_units_and_lateness(chunk: list[dict[str, Any]]) -> None:
    """Each slip's lead and assisting units (one query per chunk) and whether it is overdue
    (open and past its deadline, as the list marks it)."""
    today = timezone.localtime(clock.now()).date()
    yes, no = _("是"), _("否")
    units: dict[int, dict[str, list[str]]] = {}
    parties = SlipParty.objects.filter(slip_id__in=[r["id"] for r in chunk]).order_by("-role", "id")
    for slip_id, role, name in parties.values_list("slip_id", "role", "unit__name"):
        units.setdefault(slip_id, {}).setdefault(role, []).append(name)
    for row in chunk:
        found = units.get(row["id"], {})
        row["lead"] = "、".join(found.get(PartyRole.LEAD, []))
        row["assist"] = "、".join(found.get(PartyRole.ASSIST, []))
        row["late"] = yes if row["state"] in _OPEN and row["due"] < today else no


SLIPS = Spec(
    stem="task-slips",
    title=gettext_lazy("任务流转单"),
    columns=(
        # as Slip.number: the year of the stored (UTC) creation time
        Column(
            gettext_lazy("编号"), ("id", "created_at"), lambda r: f"LZ{r['created_at']:%Y}{r['id']:06d}", 14
        ),
        label_column(gettext_lazy("状态"), "state", SlipState),
        Column(gettext_lazy("已超期"), ("due",), lambda r: r["late"], 8),
        column(gettext_lazy("决定事项"), "action", numbers_masked, 50),
        column(gettext_lazy("辖区"), "node__name", width=16),
        column(gettext_lazy("会议"), "meeting__title", width=24),
        column(gettext_lazy("完成时限"), "due", width=12),
        Column(gettext_lazy("主办单位"), (), lambda r: r["lead"], 20),
        Column(gettext_lazy("协办单位"), (), lambda r: r["assist"], 24),
        column(gettext_lazy("关联工单"), "case_total", width=8),
        column(gettext_lazy("已结案"), "case_done", width=8),
        column(gettext_lazy("生效时间"), "bound_at", local, 17),
        column(gettext_lazy("办结时间"), "done_at", local, 17),
    ),
    personal=False,
    enrich=_with_units_and_lateness,
)
