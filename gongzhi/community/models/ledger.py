"""The points ledger (积分, ADR 0022): rules and grade bands as data per street, the entries
(append-only; a correction is a reversing entry), the claims by hand awaiting the branch
secretary, and appeals against deductions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.community.choices import AppealState, BrokenRule, ClaimState, Direction, EntryKind
from gongzhi.geo.models import Node
from gongzhi.orgs.models import PartyMember, PartyOrg


class PointRule(models.Model):
    """One item of a street's points rules: what earns or costs points, how many per occurrence,
    the yearly cap per member, whether evidence is required, which post roles may propose it,
    which member types it applies to, and (for automatic items) the fact that triggers it."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    code = models.CharField(_("编码"), max_length=20)
    item = models.CharField(_("积分项目"), max_length=60)
    direction = models.CharField(_("加减"), max_length=6, choices=Direction.choices)
    points = models.PositiveSmallIntegerField(_("每次分值"))
    yearly_cap = models.PositiveSmallIntegerField(_("年度上限"), null=True, blank=True)
    evidence_required = models.BooleanField(_("须附佐证"), default=True)
    awarders = models.JSONField(_("可申报的岗位角色"), default=list, blank=True)
    member_types = models.JSONField(_("适用党员类型"), default=list)
    fact = models.CharField(_("自动记分依据"), max_length=20, blank=True)
    fact_details = models.JSONField(_("依据细分"), default=list, blank=True)
    broken_rule = models.CharField(_("违反规定"), max_length=20, choices=BrokenRule.choices, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["street", "code"]
        constraints = [
            models.UniqueConstraint(fields=["street", "code"], name="point_rule_code"),
            models.CheckConstraint(condition=Q(points__gt=0), name="point_rule_points_positive"),
            models.CheckConstraint(
                condition=Q(direction=Direction.AWARD) | ~Q(broken_rule=""),
                name="point_rule_deduct_names_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.item}"

    @property
    def signed_points(self) -> int:
        return self.points if self.direction == Direction.AWARD else -self.points


class GradeBand(models.Model):
    """考核等次: a street's yearly grade from a minimum number of points (the highest band the
    member's total reaches)."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    grade = models.CharField(_("等次"), max_length=20)
    min_points = models.IntegerField(_("最低分"))

    class Meta:
        verbose_name = _("考核等次")
        verbose_name_plural = _("考核等次")
        ordering = ["street", "-min_points"]
        constraints = [models.UniqueConstraint(fields=["street", "grade"], name="grade_band_grade")]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_points}"


def evidence_path(instance: "PointClaim", filename: str) -> str:
    return f"community/evidence/{instance.member_id}/{filename}"


class PointClaim(models.Model):
    """An award or a deduction by hand, proposed with its evidence and decided by the branch
    secretary; approving it posts the entry."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="point_claims")
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="claims", verbose_name=_("积分项目")
    )
    occurred_on = models.DateField(_("发生日期"))
    note = models.CharField(_("事由"), max_length=300)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    node_path = models.CharField(max_length=700, editable=False)  # the member's branch
    state = models.CharField(_("状态"), max_length=10, choices=ClaimState.choices, default=ClaimState.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("审核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("积分申报")
        verbose_name_plural = _("积分申报")
        ordering = ["-proposed_at"]
        indexes = [
            models.Index(fields=["node_path"], name="point_claim_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state", "proposed_at"], name="point_claim_state"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.rule.item}"


class PointEntry(models.Model):
    """One line of a member's ledger. Append-only: the database refuses an UPDATE (and, on
    PostgreSQL, a DELETE) of this table (migration 0001); a correction is a reversing entry
    (`reverses`, the opposite points, a reason), at most one per entry."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="point_entries")
    branch = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("党支部"))
    node_path = models.CharField(max_length=700, editable=False)  # the branch's node: scope
    member_type = models.CharField(_("党员类型"), max_length=20)  # as it was: statements by type
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("积分项目")
    )
    kind = models.CharField(_("来源"), max_length=10, choices=EntryKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    occurred_on = models.DateField(_("发生日期"))
    points = models.IntegerField(_("分值"))
    label = models.CharField(_("事由"), max_length=300)
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    claim = models.OneToOneField(
        PointClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("冲正理由"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["member", "year", "occurred_on"], name="point_entry_member"),
            models.Index(fields=["node_path"], name="point_entry_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["year", "member"], name="point_entry_year"),
            models.Index(fields=["rule", "member", "year"], name="point_entry_cap"),
            # The statements' scan (a subtree's entries of one year, summed per member, branch
            # and type) read from the index alone: the rows of one branch lie scattered over
            # the table, and the heap visits made the branch page miss its 100 ms (PostgreSQL;
            # docs/benchmarks.md "Community").
            models.Index(
                fields=["year", "node_path"],
                name="point_entry_statement",
                opclasses=["int2_ops", "varchar_pattern_ops"],
                include=["member", "branch", "member_type", "points", "occurred_on", "kind"],
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="point_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.REVERSAL, reverses__isnull=False)
                | (~Q(kind=EntryKind.REVERSAL) & Q(reverses__isnull=True)),
                name="point_entry_reversal_names_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.label} {self.points:+d}"


class Appeal(models.Model):
    """申诉 against a deduction: upheld (the entry stands) or overturned (a reversing entry)."""

    entry = models.OneToOneField(PointEntry, on_delete=models.PROTECT, related_name="appeal")
    statement = models.CharField(_("申诉理由"), max_length=500)
    node_path = models.CharField(max_length=700, editable=False)
    state = models.CharField(_("状态"), max_length=12, choices=AppealState.choices, default=AppealState.OPEN)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("处理意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("扣分申诉")
        verbose_name_plural = _("扣分申诉")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.entry} {self.get_state_display()}"
