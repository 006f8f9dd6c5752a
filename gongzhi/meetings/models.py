"""居务会 and the meeting ladder: meetings, invitations and attendance, topics (议题) vetted by
the Party organisation, minutes in versions, task slips (任务流转单) with their parties,
countersignatures (会签) and linked cases, evaluations, the street's three texts (三本), and
one append-only event table for all of it; and the 双公示 of resident-paid repairs, which a
居务会 decides (Disclosure, with its own append-only DisclosureEvent).

State columns are denormalised from the events, as for cases (docs/design.md §4).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.core.signing import Immutable
from gongzhi.geo.models import Node
from gongzhi.meetings.kinds import Attendance, Business, MeetingKind
from gongzhi.orgs.models import Person, Post, Unit
from gongzhi.orgs.roles import MeetingRole


class TextKind(models.TextChoices):
    RULES = "rules", _("议事规则")
    MINUTES = "minutes", _("会议纪要范本")
    SLIP = "slip", _("任务流转单范本")


class StreetText(models.Model):
    """三本: one row per version; the newest version of a kind is the street's current text."""

    street = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    kind = models.CharField(_("文本"), max_length=10, choices=TextKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    body = models.TextField(_("内容"), max_length=20000)
    reason = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("三本")
        verbose_name_plural = _("三本")
        constraints = [
            models.UniqueConstraint(fields=["street", "kind", "version"], name="street_text_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class QuorumRule(models.Model):
    """A street's quorum for one meeting kind (default: Party organisation + 5 of the 8)."""

    street = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", verbose_name=_("街道"))
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    party_org_required = models.BooleanField(_("须党组织出席"), default=True)
    min_fixed_seats = models.PositiveSmallIntegerField(_("固定席位最少出席数"), default=5)
    min_present = models.PositiveSmallIntegerField(_("最少出席人数"), default=0)

    class Meta:
        verbose_name = _("法定出席规则")
        verbose_name_plural = _("法定出席规则")
        constraints = [models.UniqueConstraint(fields=["street", "kind"], name="quorum_rule_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.min_fixed_seats}"


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("已排期")
    HELD = "held", _("已召开")
    FINAL = "final", _("纪要已定稿")
    CANCELLED = "cancelled", _("已取消")


class Meeting(models.Model):
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("召开层级")
    )
    node_path = models.CharField(max_length=700, editable=False)
    joint_nodes = models.ManyToManyField(
        Node, blank=True, related_name="joint_meetings", verbose_name=_("联合的居民区")
    )
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("召开时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    chair = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("主持人")
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    quorum_met = models.BooleanField(_("达到法定出席"), null=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["node_path"], name="meeting_scope", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def binding(self) -> bool:
        """Decisions bind only when the meeting was held with its quorum."""
        return self.state in {MeetingState.HELD, MeetingState.FINAL} and bool(self.quorum_met)


class Participant(models.Model):
    """An invitation and its attendance. Standing seats come from the roster's posts; X
    participants may be chosen posts or named guests."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    seat = models.CharField(_("席位"), max_length=30, choices=MeetingRole.choices, blank=True)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)  # as invited, for the sign-in sheet
    standing = models.BooleanField(_("固定席位"), default=False)
    attendance = models.CharField(
        _("出席情况"), max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )
    delegate_name = models.CharField(_("委托出席人"), max_length=50, blank=True)
    # One invitation per person: the other posts the same person holds at a joint meeting
    # (the police officer of two joined areas) are represented here, not invited again.
    also_posts = models.ManyToManyField(Post, blank=True, related_name="+", verbose_name=_("同时代表的岗位"))

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["-standing", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_attendance_display()}"


class TopicState(models.TextChoices):
    PROPOSED = "proposed", _("待党组织审核")
    APPROVED = "approved", _("已通过审核")
    REJECTED = "rejected", _("未通过审核")
    DISCUSSED = "discussed", _("已议")
    REFERRED = "referred", _("已提交上级会议")
    CARRIED = "carried", _("转下次会议")


class TopicSource(models.TextChoices):
    CASES = "cases", _("问题清单")
    SUGGESTION = "suggestion", _("居民建议")
    FREE = "free", _("自拟议题")
    CARRIED = "carried", _("上次会议未结事项")
    REFERRED = "referred", _("下级会议提交")


class Topic(models.Model):
    """议题. Lives on its node's agenda pool until a meeting takes it up."""

    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="topics", verbose_name=_("所属辖区")
    )
    node_path = models.CharField(max_length=700, editable=False)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("会议"),
    )
    title = models.CharField(_("议题"), max_length=120)
    detail = models.TextField(_("情况说明"), max_length=4000, blank=True)
    business = models.CharField(_("事项类型"), max_length=12, choices=Business.choices)
    source = models.CharField(_("来源"), max_length=10, choices=TopicSource.choices)
    cases = models.ManyToManyField(Case, blank=True, related_name="topics", verbose_name=_("关联工单"))
    state = models.CharField(
        _("状态"), max_length=10, choices=TopicState.choices, default=TopicState.PROPOSED
    )
    vet_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    discussion = models.TextField(_("讨论情况"), max_length=8000, blank=True)
    origin = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("来源议题"),
    )  # the topic this one carries over or was referred from
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["id"]
        indexes = [models.Index(fields=["node_path"], name="topic_scope", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    """纪要, one row per version. A final version never changes: an edit makes the next
    version, with a reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    number = models.PositiveIntegerField(_("版本"))
    text = models.TextField(_("纪要"), max_length=20000)
    final = models.BooleanField(_("已定稿"), default=False)
    reason = models.CharField(_("修改理由"), max_length=300, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="minutes_version")]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.number}"


class SlipState(models.TextChoices):
    DRAFT = "draft", _("草拟")
    SIGNING = "signing", _("会签中")
    RETURNED = "returned", _("有异议退回")
    BINDING = "binding", _("已生效")
    CONFIRMING = "confirming", _("待确认")  # a slip without cases: the lead reported it done
    DONE = "done", _("已办结")
    VOID = "void", _("作废")


class Slip(models.Model):
    """任务流转单: one decision, the units bound to act on it, by when, and the cases it drives."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="slips")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="slips")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("辖区"))
    node_path = models.CharField(max_length=700, editable=False)
    action = models.TextField(_("决定事项"), max_length=2000)
    due = models.DateField(_("完成时限"))
    state = models.CharField(_("状态"), max_length=10, choices=SlipState.choices, default=SlipState.DRAFT)
    version = models.PositiveIntegerField(_("内容版本"), default=1)  # bumps void earlier signatures
    seq = models.PositiveIntegerField(default=0)  # events appended (optimistic concurrency)
    cases = models.ManyToManyField(Case, blank=True, related_name="slips", verbose_name=_("关联工单"))
    created_at = models.DateTimeField()
    bound_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务流转单")
        verbose_name_plural = _("任务流转单")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["node_path"], name="slip_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state", "due"], name="slip_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.action[:20]}"

    @property
    def number(self) -> str:
        return f"LZ{self.created_at:%Y}{self.pk:06d}"


class PartyRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class SlipParty(models.Model):
    """A unit named on a slip: it must countersign, and then it is bound."""

    slip = models.ForeignKey(Slip, on_delete=models.CASCADE, related_name="parties")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位"))
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任岗位")
    )
    role = models.CharField(_("分工"), max_length=6, choices=PartyRole.choices)
    task = models.CharField(_("承担任务"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["-role", "id"]  # "lead" (主办) sorts after "assist": descending puts it first
        constraints = [models.UniqueConstraint(fields=["slip", "unit"], name="slip_party_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()}"


class Verdict(models.TextChoices):
    AGREE = "agree", _("同意")
    OBJECT = "object", _("有异议")


class Signature(Immutable):
    """会签: immutable (core.signing). Valid while its slip_version is the slip's version; a
    revision of the slip leaves it in place, visibly superseded."""

    slip = models.ForeignKey(Slip, on_delete=models.PROTECT, related_name="signatures")
    slip_version = models.PositiveIntegerField(_("会签的版本"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("签署人"), max_length=50)
    signer_post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="+", verbose_name=_("签署岗位")
    )
    verdict = models.CharField(_("意见"), max_length=6, choices=Verdict.choices)
    reason = models.CharField(_("异议理由"), max_length=500, blank=True)
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("会签记录")
        verbose_name_plural = _("会签记录")
        ordering = ["slip", "at"]
        constraints = [
            models.UniqueConstraint(fields=["slip", "slip_version", "unit"], name="one_signature_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_verdict_display()} v{self.slip_version}"


class Rating(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("较好")
    POOR = "poor", _("差")


class EvaluationSource(models.TextChoices):
    PARTY = "party", _("党组织评议")
    RESIDENTS = "residents", _("居民评议（评议会）")


class Evaluation(models.Model):
    """结果由党组织评议, and residents' votes taken at a 评议会 (counted per rating)."""

    slip = models.ForeignKey(Slip, on_delete=models.PROTECT, related_name="evaluations")
    source = models.CharField(_("评议方"), max_length=10, choices=EvaluationSource.choices)
    rating = models.CharField(_("评价"), max_length=6, choices=Rating.choices)
    votes = models.PositiveIntegerField(_("票数"), default=1)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("评语"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("评议")
        verbose_name_plural = _("评议")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.get_rating_display()}"


class CaseStudy(models.Model):
    """案例说: a problem solved through a meeting, told at the street's weekly meeting."""

    slip = models.OneToOneField(Slip, on_delete=models.PROTECT, related_name="case_study")
    title = models.CharField(_("标题"), max_length=120)
    story = models.TextField(_("经过"), max_length=8000)
    before_photo = models.ImageField(_("整治前照片"), upload_to="meetings/%Y/%m/")
    after_photo = models.ImageField(_("整治后照片"), upload_to="meetings/%Y/%m/")
    told_at = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_studies",
        verbose_name=_("在哪次例会上讲述"),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("案例说")
        verbose_name_plural = _("案例说")

    def __str__(self) -> str:
        return self.title


class MeetingEvent(models.Model):
    """Append-only: everything that happens to a meeting, its topics and its slips."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    slip = models.ForeignKey(Slip, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(db_index=True)
    note = models.TextField(max_length=4000, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("会议记录事件")
        verbose_name_plural = _("会议记录事件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


def evidence_path(instance: "SlipEvidence", filename: str) -> str:
    return f"slips/{instance.event.at:%Y/%m}/{instance.event.slip_id}/{filename}"


class SlipEvidence(models.Model):
    """A photo or PDF the lead unit attaches when it reports a slip without cases done."""

    event = models.ForeignKey(MeetingEvent, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    thumbnail = models.FileField(upload_to=evidence_path, blank=True)  # images only
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("办结佐证")
        verbose_name_plural = _("办结佐证")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Payer(models.TextChoices):
    ALL_OWNERS = "all_owners", _("全体业主")
    REPAIR_FUND = "repair_fund", _("专项维修资金")
    BUILDING_OWNERS = "building_owners", _("本楼栋业主")
    UNIT_OWNERS = "unit_owners", _("本单元业主")
    OTHER = "other", _("其他")


class DisclosureState(models.TextChoices):
    PLANNED = "planned", _("已事前公示")
    DONE = "done", _("已事后公示")


class Disclosure(models.Model):
    """双公示: a repair paid by residents (维修资金, the owners of a building or a lift unit),
    published twice: the plan and its budget before the work, the result and what it cost
    after. The columns hold what is published now; every publication and correction is a
    DisclosureEvent with the values it published, so nothing published is ever lost."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("位置"))
    node_path = models.CharField(max_length=700, editable=False)
    title = models.CharField(_("项目名称"), max_length=120)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("关联工单")
    )
    slip = models.ForeignKey(
        Slip, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures",
        verbose_name=_("关联任务流转单"),
    )  # fmt: skip
    payer = models.CharField(_("费用承担"), max_length=20, choices=Payer.choices)
    households = models.PositiveIntegerField(_("涉及户数"))
    state = models.CharField(
        _("状态"), max_length=10, choices=DisclosureState.choices, default=DisclosureState.PLANNED
    )
    # 事前公示: published before the work
    plan_amount = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2)
    plan_text = models.TextField(_("施工方案"), max_length=2000)
    plan_at = models.DateTimeField(_("事前公示时间"))
    plan_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    plan_unit = models.CharField(_("事前公示单位"), max_length=120)
    # 事后公示: published after the work
    result_amount = models.DecimalField(
        _("实际金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    result_text = models.TextField(_("完成情况"), max_length=2000, blank=True)
    result_at = models.DateTimeField(_("事后公示时间"), null=True, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result_unit = models.CharField(_("事后公示单位"), max_length=120, blank=True)
    amendments = models.PositiveIntegerField(_("更正次数"), default=0)

    class Meta:
        verbose_name = _("双公示")
        verbose_name_plural = _("双公示")
        ordering = ["-plan_at", "-id"]
        indexes = [
            models.Index(fields=["node_path"], name="disclosure_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["-plan_at"], name="disclosure_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan_amount__gte=0), name="disclosure_plan_amount_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(result_amount__isnull=True) | models.Q(result_amount__gte=0),
                name="disclosure_result_amount_gte_0",
            ),
            # a result is never published without its amount (services say so in Chinese first)
            models.CheckConstraint(
                condition=models.Q(state="planned")
                | models.Q(result_amount__isnull=False, result_at__isnull=False),
                name="disclosure_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def difference(self) -> Decimal | None:
        """Actual minus budget (negative: cheaper than planned); None before the result."""
        if self.result_amount is None:
            return None
        return self.result_amount - self.plan_amount


class DisclosureEvent(models.Model):
    """Append-only: each publication and each correction of a 双公示, with what it published
    (and, for a correction, what it replaced and why)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16)  # publish_plan, publish_result, amend
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(db_index=True)
    reason = models.CharField(_("更正理由"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("双公示记录")
        verbose_name_plural = _("双公示记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
