"""项目清单 and what follows from it: a project built from needs and resources, claimed by a unit
(项目认领), bound by a co-building pledge (共建承诺书) that both sides countersign the way task
slips are (core.signing: versions, content hash, immutable signatures), delivered in milestones
with evidence, evaluated by residents once finished; and the fixed contact pairs (定点联系)
between units and residential areas with their visits. Every step of a project appends a
ProjectEvent (the workflow is the table in community/workflow.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.community.models.lists import Need, Resource, ServiceField
from gongzhi.core.signing import Immutable
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Post, Unit


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("草拟")
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领待签约")
    ACTIVE = "active", _("实施中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


class Project(models.Model):
    title = models.CharField(_("项目名称"), max_length=100)
    summary = models.TextField(_("项目内容"), max_length=2000)
    field = models.CharField(_("服务领域"), max_length=20, choices=ServiceField.choices)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("实施地点"))
    node_path = models.CharField(max_length=700, editable=False)
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, default=0)
    lead = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("项目负责岗位"),
    )
    needs = models.ManyToManyField(Need, blank=True, related_name="projects", verbose_name=_("对应需求"))
    resources = models.ManyToManyField(
        Resource, blank=True, related_name="projects", verbose_name=_("所用资源")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ProjectState.choices, default=ProjectState.DRAFT
    )
    claimed_by = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("认领单位")
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)  # events appended
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("立项时间"))

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["node_path"], name="project_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state"], name="project_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"XM{self.created_at:%Y}{self.pk:06d}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("节点"), max_length=100)
    due = models.DateField(_("计划完成"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    evidence = models.TextField(_("完成情况"), max_length=1000, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="milestone_seq")]
        indexes = [models.Index(fields=["done_at", "due"], name="milestone_open_due")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title}"


class ProjectEvent(models.Model):
    """Append-only: every step of a project, its pledge and its milestones."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class PledgeState(models.TextChoices):
    SIGNING = "signing", _("签署中")
    IN_FORCE = "in_force", _("已生效")


class Pledge(models.Model):
    """共建承诺书: one per claimed project (a second claim finds it taken). Its text lives in
    PledgeVersion rows; a revision makes the next version and every side signs again."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="pledge")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("认领单位"))
    version = models.PositiveIntegerField(_("现行版本"), default=1)
    state = models.CharField(
        _("状态"), max_length=10, choices=PledgeState.choices, default=PledgeState.SIGNING
    )
    created_at = models.DateTimeField(_("认领时间"))
    in_force_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共建承诺书")
        verbose_name_plural = _("共建承诺书")

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"


class PledgeVersion(Immutable):
    """The text of one version of a pledge, as signed: written once."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    note = models.CharField(_("修订理由"), max_length=500, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("承诺书版本")
        verbose_name_plural = _("承诺书版本")
        ordering = ["pledge", "number"]
        constraints = [models.UniqueConstraint(fields=["pledge", "number"], name="pledge_version_number")]

    def __str__(self) -> str:
        return f"{self.pledge_id} v{self.number}"


class PledgeSide(models.TextChoices):
    UNIT = "unit", _("认领单位")
    COMMUNITY = "community", _("居民区党组织（居委会）")


class PledgeSignature(Immutable):
    """One side's signature of one version: immutable, valid while that version is current."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="signatures")
    version = models.PositiveIntegerField(_("签署的版本"))
    side = models.CharField(_("签署方"), max_length=10, choices=PledgeSide.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("签署人"), max_length=50)
    signer_post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="+", verbose_name=_("签署岗位")
    )
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("承诺书签署")
        verbose_name_plural = _("承诺书签署")
        ordering = ["pledge", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "version", "side"], name="pledge_one_signature_per_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pledge_id} v{self.version} {self.get_side_display()}"


class Rating(models.TextChoices):
    GOOD = "good", _("满意")
    FAIR = "fair", _("基本满意")
    POOR = "poor", _("不满意")


class ProjectEvaluation(models.Model):
    """居民评议 of a finished project: one per resident (signed in) or device (a cookie); only
    a keyed hash of who voted is kept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    rating = models.CharField(_("评价"), max_length=5, choices=Rating.choices)
    comment = models.CharField(_("意见"), max_length=200, blank=True)
    voter = models.CharField(max_length=64, editable=False)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("居民评议")
        verbose_name_plural = _("居民评议")
        ordering = ["project", "-at"]
        constraints = [models.UniqueConstraint(fields=["project", "voter"], name="evaluation_once")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_rating_display()}"


class ContactPair(models.Model):
    """定点联系: a unit keeps in touch with one residential area; ending a pair keeps its history."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("联系单位"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("联系居民区"))
    node_path = models.CharField(max_length=700, editable=False)
    since = models.DateField(_("结对日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("联系事项"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("定点联系")
        verbose_name_plural = _("定点联系")
        ordering = ["node_path", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "node"], condition=Q(until__isnull=True), name="contact_pair_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.node}"


class ContactVisit(models.Model):
    pair = models.ForeignKey(ContactPair, on_delete=models.PROTECT, related_name="visits")
    on = models.DateField(_("走访日期"))
    people = models.PositiveSmallIntegerField(_("参加人数"), default=1)
    summary = models.CharField(_("走访内容"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("联系走访")
        verbose_name_plural = _("联系走访")
        ordering = ["pair", "-on"]

    def __str__(self) -> str:
        return f"{self.pair_id} {self.on}"
