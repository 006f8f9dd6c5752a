"""居民评议: residents rate a finished project (满意 / 基本满意 / 不满意, with a short comment),
once per resident or device. Only a keyed hash of the voter (the signed-in user, else the
device's signed cookie) is kept, so the vote table names nobody."""

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.community import common
from gongzhi.community.models import Project, ProjectEvaluation, ProjectState, Rating
from gongzhi.core import clock, pii
from gongzhi.core.errors import ConflictError, invalid


def voter_key(*, user_id: int | None = None, device: str = "") -> str:
    if user_id:
        return pii.lookup_hash(f"community-evaluation:user:{user_id}")
    if device:
        return pii.lookup_hash(f"community-evaluation:device:{device}")
    return ""


def evaluate(*, project: Project, rating: str, voter: str, comment: str = "") -> ProjectEvaluation:
    """One resident's (or device's) vote on a finished project; a second one is refused (409)."""
    if not Project.objects.filter(pk=project.pk, state=ProjectState.DONE).exists():
        raise ConflictError(_("项目完成后才能评议"))
    if rating not in Rating.values:
        raise invalid("rating", _("请选择评价"))
    if len(comment or "") > 200:
        raise invalid("comment", _("最多%(n)s个字符") % {"n": 200})
    if not voter:
        raise invalid("voter", _("请允许浏览器保存 Cookie 后再评议"))
    if ProjectEvaluation.objects.filter(project=project, voter=voter).exists():
        raise ConflictError(_("您已评议过该项目，每人（每台设备）只能评议一次"))
    return common.create_unique(
        _("您已评议过该项目，每人（每台设备）只能评议一次"),
        ProjectEvaluation,
        project=project,
        rating=rating,
        comment=(comment or "").strip(),
        voter=voter,
        at=clock.now(),
    )


def summary(project_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per project: votes per rating, the total and the share satisfied (满意 + 基本满意)."""
    counts: dict[int, Counter[str]] = {}
    rows = ProjectEvaluation.objects.filter(project_id__in=project_ids).values_list("project_id", "rating")
    for project_id, rating in rows:
        counts.setdefault(project_id, Counter())[rating] += 1
    out = {}
    for pk in project_ids:
        c = counts.get(pk, Counter())
        total = sum(c.values())
        good = c[Rating.GOOD] + c[Rating.FAIR]
        out[pk] = {
            "good": c[Rating.GOOD],
            "fair": c[Rating.FAIR],
            "poor": c[Rating.POOR],
            "total": total,
            "satisfied": round(good * 100 / total) if total else None,
        }
    return out
