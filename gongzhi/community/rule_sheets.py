"""Excel import and export of a street's points rules (积分规则, docs/community.md "Excel"), on
the orgs import machinery (templates as data, the size and zip checks, the per-row error
report), like the lists' imports (community.imports).

A rule's code is its identity within the street: importing a code that exists updates that
rule, a new code creates one; rules are switched off (启用 = 否), never deleted. Every row is
checked by the rulebook (community.rulebook.rule_errors) and saved through `rule_save`; a file
with any refused row writes nothing. Cells are labels (加分, 在职党员, 居委会社工...) as the
export writes them; lists take 、 or commas. An item named like a formula (= + - @ first) is
refused, and the export neutralises formulas (core.exports) in case one got in another way.
"""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.community import rulebook
from gongzhi.community.choices import BrokenRule, Direction
from gongzhi.community.models import PointRule
from gongzhi.core.actors import Actor
from gongzhi.core.contributions import ATTEND_MEETING, SLIP_DONE
from gongzhi.core.errors import ConflictError, PermissionDeniedError
from gongzhi.geo.models import Node
from gongzhi.orgs.imports import cells
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.rows import NAME_FORMULA_START, RowCheck, check_unique_code, formula_name_message
from gongzhi.orgs.imports.run import size_error
from gongzhi.orgs.imports.templates import Column, Template
from gongzhi.orgs.imports.workbook import SheetRow, read_rows, workbook_bytes
from gongzhi.orgs.roles import MemberType, PostRole

FACTS = {"参加会议": ATTEND_MEETING, "完成任务流转单": SLIP_DONE}  # 自动记分依据: label → fact kind
YES, NO = "是", "否"


def _required(header: str, field: str, note: str, **options: Any) -> Column:
    return Column(header, field, must_fill=True, may_omit=False, note=note, **options)


def _labels(choices: type[models.Choices]) -> str:
    return "、".join(cells.choice_labels(choices))


RULES = Template(
    kind="community_rules",
    title="积分规则",
    sheet="积分规则",
    columns=(
        _required("编码", "code", "本街道内唯一，如 A10；再次导入相同编码即修改该规则", max_length=20),
        _required("积分项目", "item", "如：志愿服务、垃圾分类不到位", width=24, max_length=60),
        _required("加减", "direction", "加分 或 扣分", choices=Direction),
        _required("每次分值", "points", "正整数；扣分也填正数"),
        Column("年度上限", "yearly_cap", note="每名党员每年该项目最多计多少分（加减都算）；不填为不限"),
        Column("须附佐证", "evidence_required", note="是 或 否，不填为是；扣分总须佐证", options=(YES, NO)),
        Column(
            "可申报的岗位角色",
            "awarders",
            note="手工申报的项目必填，多个用“、”分隔；可选：" + _labels(PostRole),
            width=26,
        ),
        _required(
            "适用党员类型",
            "member_types",
            "多个用“、”分隔；可写简称如 在职党员；可选：" + _labels(MemberType),
            width=30,
        ),
        Column("违反规定", "broken_rule", note="扣分项目必填", choices=BrokenRule),
        Column("自动记分依据", "fact", note="按记录自动记分的项目填写，如 参加会议", options=tuple(FACTS)),
        Column("依据细分", "fact_details", note="如会议类型编码 juwuhui、joint，多个用“、”分隔", width=20),
        Column("启用", "active", note="是 或 否，不填为是；停用的规则保留在历史记录中", options=(YES, NO)),
    ),
    notes=(
        "第一行是列名，请勿修改；从第二行起每行一条规则，空行会被跳过。",
        "编码是规则的身份：相同编码再次导入会修改原规则；规则只能停用，不能删除。",
        "文件中任何一行有错，整个文件都不会导入；请按错误报告逐行修改后重新上传。",
        "积分项目不能以 = + - @ 开头。",
    ),
)


def _short(label: str) -> str:
    """在职党员（积分式） → 在职党员: the name before the bracket, as staff type it."""
    return label.split("（", 1)[0]


def _many(check: RowCheck, field: str, choices: type[models.Choices]) -> list[str]:
    """A list of labels (full or short) or stored values, in the choices' order."""
    raw = check.get(field, cells.code_list)
    if not raw:
        return []
    labels = cells.choice_labels(choices)
    known = {
        **labels,
        **{_short(k): v for k, v in labels.items()},
        **{str(v): str(v) for v in choices.values},
    }
    bad = [word for word in raw if word not in known]
    if bad:
        check.error(field, _("“%(v)s”无效，应为：%(allowed)s") % {"v": bad[0], "allowed": "、".join(labels)})
        return []
    wanted = {known[word] for word in raw}
    return [str(v) for v in choices.values if v in wanted]


def _whole(check: RowCheck, field: str, low: int, high: int) -> int | None:
    value = check.get(field, cells.number, low, high)
    if value is None:
        return None
    if value != int(value):
        check.error(field, _("应为整数"))
        return None
    return int(value)


def _flag(check: RowCheck, field: str) -> bool:
    if check.row.values.get(field) is None:
        return True  # 不填为是
    return bool(check.get(field, cells.yes_no))


def _rule(check: RowCheck, street: Node, existing: dict[str, PointRule]) -> PointRule | None:
    """The row as a rule (the existing one with its code, changed), or None when a cell is bad."""
    code = check.get("code", cells.code) or ""
    item = check.get("item") or ""
    if item.startswith(NAME_FORMULA_START):
        check.error("item", formula_name_message())
    fact_label = check.get("fact") or ""
    if fact_label and fact_label not in FACTS:
        check.error(
            "fact", _("“%(v)s”无效，应为：%(allowed)s") % {"v": fact_label, "allowed": "、".join(FACTS)}
        )
    values: dict[str, Any] = {
        "item": item,
        "direction": check.choice("direction") or "",
        "points": _whole(check, "points", 1, 1000),
        "yearly_cap": _whole(check, "yearly_cap", 1, 100000),
        "evidence_required": _flag(check, "evidence_required"),
        "awarders": _many(check, "awarders", PostRole),
        "member_types": _many(check, "member_types", MemberType),
        "broken_rule": check.choice("broken_rule") or "",
        "fact": FACTS.get(fact_label, ""),
        "fact_details": check.get("fact_details", cells.code_list) or [],
        "active": _flag(check, "active"),
    }
    if not check.ok:
        return None
    rule = existing.get(code) or PointRule(street=street, code=code)
    for name, value in values.items():
        setattr(rule, name, value)
    return rule


def _same(a: Any, b: Any) -> bool:
    """Lists (roles, member types) compare as sets: the sheet writes them in its own order."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return bool(a == b)


def _changed(rule: PointRule, before: dict[str, Any] | None) -> bool:
    return before is None or not all(_same(getattr(rule, k), v) for k, v in before.items())


class _RollBack(Exception):
    pass


def run_rules_import(*, street: Node, data: bytes, actor: Actor) -> ImportReport:
    """Read, check every row (cells, then the rulebook), then save them all in one
    transaction; any refusal rolls the whole file back."""
    report = ImportReport(kind=RULES.kind)
    too_big = size_error(len(data))
    if too_big:
        report.add("", None, "", too_big)
        return report
    rows: list[SheetRow] = read_rows(data, RULES, report)
    if report.errors:
        return report
    if not rows:
        report.add(RULES.sheet, None, "", _("表中没有数据行"))
        return report
    existing = {r.code: r for r in PointRule.objects.filter(street=street)}
    fields = [c.field for c in RULES.columns if c.field != "code"]
    before = {code: {f: getattr(r, f) for f in fields} for code, r in existing.items()}
    seen: dict[str, int] = {}
    planned: list[tuple[RowCheck, PointRule]] = []
    for row in rows:
        check = RowCheck(RULES, report, row)
        check_unique_code(check, check.get("code", cells.code), seen)
        rule = _rule(check, street, existing)
        if rule is not None:
            errors = rulebook.rule_errors(rule)
            for field, messages in errors.items():
                check.error(field if RULES.column_for(field) else "", messages[0])
            planned.append((check, rule))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for check, rule in planned:
                action = "created" if rule.pk is None else "updated"
                if rule.pk is not None and not _changed(rule, before.get(rule.code)):
                    report.count("unchanged")
                    continue
                try:
                    rulebook.rule_save(actor=actor, rule=rule)
                    report.count(action)
                except ValidationError as exc:
                    check.validation(exc)
                except (PermissionDeniedError, ConflictError) as exc:
                    check.error("", str(exc))
            if report.errors:
                raise _RollBack
    except _RollBack:
        report.reset_counts()
    return report


# --- export ----------------------------------------------------------------------------------------


def _label_list(choices: type[models.Choices], values: list[str]) -> str:
    return "、".join(cells.label_of(choices, v) for v in values if v in choices.values)


def rule_rows(street: Node) -> Iterator[dict[str, Any]]:
    """The street's rules as the template's cells (labels, in Chinese)."""
    facts = {kind: label for label, kind in FACTS.items()}
    with translation.override("zh-hans"):
        for rule in PointRule.objects.filter(street=street).order_by("code"):
            yield {
                "code": rule.code,
                "item": rule.item,
                "direction": cells.label_of(Direction, rule.direction),
                "points": rule.points,
                "yearly_cap": rule.yearly_cap,
                "evidence_required": YES if rule.evidence_required else NO,
                "awarders": _label_list(PostRole, rule.awarders) or None,
                "member_types": _label_list(MemberType, rule.member_types),
                "broken_rule": cells.label_of(BrokenRule, rule.broken_rule) or None,
                "fact": facts.get(rule.fact) or None,
                "fact_details": "、".join(rule.fact_details) or None,
                "active": YES if rule.active else NO,
            }


def rules_workbook(street: Node | None = None) -> bytes:
    """The street's rules in the import template (or the empty template)."""
    return workbook_bytes(RULES, rule_rows(street) if street is not None else ())
