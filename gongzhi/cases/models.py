"""工单: the case, its append-only events and their attachments, and the category policy.

The case row holds the current state (denormalised, replayable from its events) and the
node's path (denormalised so scoped lists over a million cases need no join).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.states import Rung, Satisfaction, Source, State
from gongzhi.core.i18n import localized
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category, Person, Post
from gongzhi.orgs.roles import UnitKind


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class CategoryPolicy(models.Model):
    """How cases of one 小类 are handled: deadline, lead department, local-first, evidence."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="policy")
    limit_amount = models.PositiveIntegerField(_("处置时限"), default=1)
    limit_unit = models.CharField(
        _("时限单位"), max_length=5, choices=LimitUnit.choices, default=LimitUnit.DAYS
    )
    lead_unit_kind = models.CharField(_("主责部门类型"), max_length=30, choices=UnitKind.choices, blank=True)
    must_try_locally = models.BooleanField(_("须先在居民区层面处置"), default=True)
    local_only = models.BooleanField(_("只能在居民区处置（不得上报）"), default=False)
    photo_before = models.BooleanField(_("须附处置前照片"), default=False)
    photo_after = models.BooleanField(_("须附处置后照片"), default=False)
    # The limit runs on the wall clock, day and night (a welfare check on an older person
    # nobody has seen), not on working hours; its reminders and 督办 follow the same clock.
    wall_clock = models.BooleanField(_("按自然时间计时（不按工作时间）"), default=False)

    class Meta:
        verbose_name = _("分类处置规则")
        verbose_name_plural = _("分类处置规则")

    def __str__(self) -> str:
        return f"{localized(self.category)} {self.limit_amount}{self.get_limit_unit_display()}"


class StreetCategoryLimit(models.Model):
    """A street's own handling limit for one 小类 (docs/tenancy.md): in a deployment of many
    streets each may keep its own deadlines; where a street has none, the category's policy
    (the deployment's) applies. Only the limit: routing and evidence stay the policy's."""

    street = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="category_limits", verbose_name=_("街道")
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="street_limits", verbose_name=_("分类")
    )
    limit_amount = models.PositiveIntegerField(_("处置时限"), default=1)
    limit_unit = models.CharField(
        _("时限单位"), max_length=5, choices=LimitUnit.choices, default=LimitUnit.DAYS
    )

    class Meta:
        verbose_name = _("街道分类时限")
        verbose_name_plural = _("街道分类时限")
        constraints = [
            models.UniqueConstraint(fields=["street", "category"], name="cases_street_category_limit")
        ]

    def __str__(self) -> str:
        return f"{self.street.name} {localized(self.category)} {self.limit_amount}{self.get_limit_unit_display()}"


class Case(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="cases", verbose_name=_("位置"))
    node_path = models.CharField(max_length=700, editable=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("分类"),
    )
    text = models.TextField(_("问题描述"), max_length=4000)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=24, choices=State.choices, default=State.RECEIVED)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency
    rung = models.PositiveSmallIntegerField(_("处置层级"), choices=Rung.choices, default=Rung.AREA)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址描述"), max_length=200, blank=True)
    reporter = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="reported_cases"
    )
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_enc = models.TextField(blank=True, editable=False)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_cases",
        verbose_name=_("主办岗位"),
    )
    assisting_posts = models.ManyToManyField(
        Post, blank=True, related_name="assisting_cases", verbose_name=_("协办岗位")
    )
    master = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("主案"),
    )
    dispatch_due = models.DateTimeField(_("派遣时限"), null=True, blank=True)
    handle_due = models.DateTimeField(_("处置时限"), null=True, blank=True)
    verify_due = models.DateTimeField(_("核查时限"), null=True, blank=True)
    park_review_on = models.DateField(_("挂账复查日期"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    created_at = models.DateTimeField(_("上报时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # A keyed hash of the short code the reporter follows the case with (cases.tracking); the
    # code itself is shown once and never stored.
    tracking_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["node_path"], name="case_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state", "-created_at"], name="case_state_recent"),
            # A state within a subtree (lists, counts): a range, and with the scope's columns a
            # covering one, so the paginator's count reads only the index (docs/benchmarks.md).
            models.Index(
                fields=["state", "node_path", "post", "reporter", "reporter_user"],
                name="case_state_scope",
                opclasses=["varchar_ops", "varchar_pattern_ops", "int8_ops", "int8_ops", "int4_ops"],
            ),
            models.Index(fields=["category", "-created_at"], name="case_category_recent"),
            models.Index(fields=["post", "state"], name="case_post_state"),
            models.Index(fields=["handle_due"], name="case_handle_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="case_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_state_display()}"

    @property
    def number(self) -> str:
        """The number people read out on the phone: report date + id (no column, no counter)."""
        return case_number(self.created_at, self.pk)


def case_number(created_at: Any, pk: int) -> str:
    local = timezone.localtime(created_at)
    return f"{local:%Y%m%d}{pk:08d}"


def pk_from_number(number: str) -> int | None:
    digits = (number or "").strip()
    return int(digits[8:]) if len(digits) > 8 and digits.isdigit() else None


class CaseEvent(models.Model):
    """One immutable step in a case's life: who did what, when, from which state to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=24, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"cases/{instance.event.at:%Y/%m}/{instance.event.case_id}/{filename}"


class Attachment(models.Model):
    # no database constraint: case events are partitioned by month on PostgreSQL, and a foreign
    # key to them would have to carry `at` too (docs/adr/0036-partitioned-event-tables.md). The
    # services write an attachment with its event, in one transaction; Django cascades deletes.
    event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, related_name="attachments", db_constraint=False
    )
    file = models.FileField(upload_to=attachment_path)
    thumbnail = models.FileField(upload_to=attachment_path, blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    kind = models.CharField(_("用途"), max_length=10, blank=True)  # before / after / other

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.file.name


from gongzhi.cases.open311_keys import Open311Key  # noqa: E402,F401
