"""The community's side of the public board (公示栏, no login): the three lists, the claimed
projects with their pledges and progress, and the finished ones with residents' evaluation.

Only plain values leave here, every text through core.scrub.public_text (ADR 0013). Names of
people never do: a resource a Party member offers reads "党员志愿者", a pledge shows the unit and
the sides that signed, not the signers; the residents' comments are not shown, only the counts.

Staff type these texts from what residents told them, and a bare full name ("王秀英需要助餐")
has no title for the scrubber to catch; so before `public_text`, every name of a person on the
register (orgs.Person) that appears in a text is masked too (`Scrubber`: the two- and
three-character runs starting with a common surname, looked up in one indexed query).
"""

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.community import evaluations
from gongzhi.community.models import (
    Need,
    NeedState,
    PledgeSide,
    Project,
    ProjectState,
    Resource,
)
from gongzhi.core import clock
from gongzhi.core.scrub import MASK, public_text
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Person

LIST_SIZE = 20
# The commonest surnames (百家姓 by frequency): a run starting with one may be a name.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹"
    "井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹"
    "诸战慕危玉银亢嵩寸帖"
)
NAME_LOOKUP_CHUNK = 500


def _cjk(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in text)


class Scrubber:
    """`public_text` after masking the names of people on the register found in `texts`."""

    def __init__(self, texts: list[str]) -> None:
        candidates: set[str] = set()
        for text in texts:
            for i, char in enumerate(text or ""):
                if char in SURNAMES:
                    candidates.update(run for n in (2, 3) if len(run := text[i : i + n]) == n and _cjk(run))
        wanted = sorted(candidates)
        names: set[str] = set()
        for start in range(0, len(wanted), NAME_LOOKUP_CHUNK):
            chunk = wanted[start : start + NAME_LOOKUP_CHUNK]
            names.update(Person.objects.filter(name__in=chunk).values_list("name", flat=True))
        self.names = sorted(names, key=len, reverse=True)  # 王秀英 before 王秀

    def __call__(self, text: str | None, limit: int) -> str:
        masked = text or ""
        for name in self.names:
            masked = masked.replace(name, MASK)
        return public_text(masked, limit=limit)


PUBLIC_STATES = (ProjectState.OPEN, ProjectState.CLAIMED, ProjectState.ACTIVE, ProjectState.DONE)


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def area_names(paths: list[str]) -> dict[str, str]:
    """Each path's residential area (or the node itself, above the area level), by name."""
    wanted = {p for path in paths for p in _prefixes(path)}
    nodes = {n.path: n for n in Node.objects.filter(path__in=wanted).only("path", "name", "level")}
    out = {}
    for path in paths:
        chain = [nodes[p] for p in _prefixes(path) if p in nodes]
        area = next((n for n in chain if n.level == Level.AREA), chain[-1] if chain else None)
        out[path] = area.name if area else ""
    return out


def _under(under: str) -> Q:
    """One street's rows (its path; "" for a deployment of one street: every row). Needs,
    resources and projects all carry their node's path, as cases do."""
    return Q(node_path__startswith=under) if under else Q()


def needs(under: str = "") -> list[dict[str, Any]]:
    rows = list(
        Need.objects.filter(
            _under(under), state__in=(NeedState.OPEN, NeedState.MATCHED, NeedState.PROJECT)
        ).order_by("-urgency", "-created_at")[:LIST_SIZE]
    )
    names = area_names([n.node_path for n in rows])
    scrub = Scrubber([t for n in rows for t in (n.title, n.beneficiaries)])
    return [
        {
            "title": scrub(n.title, 60),
            "field": n.get_field_display(),
            "area": names[n.node_path],
            "beneficiaries": scrub(n.beneficiaries, 40),
            "count": n.beneficiary_count,
            "urgency": n.get_urgency_display(),
            "state": n.get_state_display(),
            "source": n.get_source_display(),
        }
        for n in rows
    ]


def resources(under: str = "") -> list[dict[str, Any]]:
    today = clock.today()
    rows = list(
        Resource.objects.filter(_under(under), active=True)
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .select_related("unit")
        .order_by("-created_at")[:LIST_SIZE]
    )
    names = area_names([r.node_path for r in rows])
    scrub = Scrubber([t for r in rows for t in (r.title, r.schedule)])
    return [
        {
            "title": scrub(r.title, 60),
            "kind": r.get_kind_display(),
            "field": r.get_field_display(),
            # a member is a person: the public reads the kind of provider, never the name
            "provider": r.unit.name if r.unit else _("党员志愿者"),
            "area": names[r.node_path],
            "quantity": f"{r.quantity.normalize():f}{r.measure}" if r.quantity is not None else "",
            "available_from": r.available_from,
            "available_until": r.available_until,
            "schedule": scrub(r.schedule, 40),
        }
        for r in rows
    ]


def _project_rows(projects: list[Project]) -> list[dict[str, Any]]:
    names = area_names([p.node_path for p in projects])
    scores = evaluations.summary([p.pk for p in projects])
    today = clock.today()
    versions = {
        p.pk: next((v for v in p.pledge.versions.all() if v.number == p.pledge.version), None)
        for p in projects
        if getattr(p, "pledge", None) is not None
    }
    scrub = Scrubber(
        [p.title for p in projects]
        + [p.summary for p in projects]
        + [m.title for p in projects for m in p.milestones.all()]
        + [str(v.content.get("commitments", "")) for v in versions.values() if v is not None]
    )
    out = []
    for p in projects:
        steps = list(p.milestones.all())
        pledge = getattr(p, "pledge", None)
        signed: list[str] = []
        version_row = None
        if pledge is not None:
            signed = [
                str(PledgeSide(s.side).label) for s in pledge.signatures.all() if s.version == pledge.version
            ]
            version_row = versions.get(p.pk)
        out.append(
            {
                "pk": p.pk,
                "number": p.number,
                "title": scrub(p.title, 60),
                "summary": scrub(p.summary, 160),
                "field": p.get_field_display(),
                "area": names[p.node_path],
                "budget": p.budget,
                "state": p.state,
                "state_label": p.get_state_display(),
                "unit": p.claimed_by.name if p.claimed_by else "",
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "pledge_version": pledge.version if pledge else None,
                "pledge_in_force": pledge is not None and pledge.in_force_at is not None,
                "pledge_date": timezone.localdate(pledge.in_force_at)
                if pledge and pledge.in_force_at
                else None,
                "pledge_hash": version_row.content_hash[:12] if version_row else "",
                "commitments": scrub(str(version_row.content.get("commitments", "")), 160)
                if version_row
                else "",
                "signed": signed,
                "steps": [
                    {
                        "title": scrub(m.title, 40),
                        "due": m.due,
                        "done": m.done_at is not None,
                        "late": m.done_at is None and m.due < today and p.state == ProjectState.ACTIVE,
                    }
                    for m in steps
                ],
                "done_steps": sum(1 for m in steps if m.done_at is not None),
                "evaluation": scores[p.pk],
            }
        )
    return out


def projects(states: tuple[str, ...], under: str = "") -> list[dict[str, Any]]:
    rows = list(
        Project.objects.filter(_under(under), state__in=states)
        .select_related("claimed_by", "pledge")
        .prefetch_related("milestones", "pledge__signatures", "pledge__versions")
        .order_by("-created_at")[:LIST_SIZE]
    )
    return _project_rows(rows)


def project(pk: int, under: str = "") -> dict[str, Any] | None:
    """One public project of the street at `under` (None: not there, or not public)."""
    found = (
        Project.objects.filter(_under(under), pk=pk, state__in=PUBLIC_STATES)
        .select_related("claimed_by", "pledge")
        .prefetch_related("milestones", "pledge__signatures", "pledge__versions")
        .first()
    )
    return _project_rows([found])[0] if found else None


def board(under: str = "") -> dict[str, Any]:
    """The street's board (`under`, its path; "": the one street of the deployment). Every list
    and count is that street's only (docs/tenancy.md "Public board")."""
    counts = dict(
        Project.objects.filter(_under(under), state__in=PUBLIC_STATES)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "needs": needs(under),
        "resources": resources(under),
        "open_projects": projects((ProjectState.OPEN,), under),
        "claimed_projects": projects((ProjectState.CLAIMED, ProjectState.ACTIVE), under),
        "done_projects": projects((ProjectState.DONE,), under),
        "project_counts": {s: counts.get(s, 0) for s in PUBLIC_STATES},
    }
