"""Units, people, the 三定 roster (posts), and the Party side (organisations, members, 双报到)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.i18n import localized
from gongzhi.geo.models import Node
from gongzhi.orgs.roles import MeetingRole, MemberType, PartyOrgKind, PostRole, UnitKind


class Category(models.Model):
    """事项分类: a two-level tree (大类 / 小类) of the matters posts answer for.

    It lives here because the roster's duties name categories; the cases package adds
    deadlines and routing policy on top.
    """

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(
        _("英文名称"), max_length=100, blank=True, help_text=_("英文界面显示；不填则显示中文名称")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("大类"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return localized(self)


class Unit(models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=UnitKind.choices)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="units", verbose_name=_("所在辖区"))
    office_phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A resident, a staff member or both. Phone and ID numbers are never stored in clear."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    home = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("居住地（户）"),
    )
    lives_alone = models.BooleanField(_("独居"), default=False)
    phone_enc = models.TextField(_("手机号（密文）"), blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    id_enc = models.TextField(_("身份证号（密文）"), blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=24, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账号"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["code"]
        indexes = [models.Index(fields=["birth_date"]), models.Index(fields=["home", "birth_date"])]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:  # never the clear values, even in a debugger or traceback
        return f"<Person {self.code} {self.name} {self.phone_masked}>"


class Post(models.Model):
    """三定: a fixed person in a fixed post with a fixed duty, at a node of the tree."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("单位"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="posts", verbose_name=_("负责辖区"))
    title = models.CharField(_("岗位"), max_length=60)
    title_en = models.CharField(_("岗位（英文）"), max_length=100, blank=True)
    duty = models.CharField(_("职责"), max_length=300, blank=True)
    duty_en = models.CharField(_("职责（英文）"), max_length=500, blank=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="posts", verbose_name=_("负责事项")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="posts", verbose_name=_("责任人")
    )
    deputy = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deputy_posts",
        verbose_name=_("AB岗（替补）"),
    )
    role = models.CharField(_("角色"), max_length=30, choices=PostRole.choices)
    meeting_role = models.CharField(_("居务会席位"), max_length=30, choices=MeetingRole.choices, blank=True)
    active_from = models.DateField(_("起始日期"))
    active_until = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("岗位（三定）")
        verbose_name_plural = _("岗位（三定）")
        ordering = ["node__path", "code"]
        indexes = [models.Index(fields=["person", "active_until"])]

    def __str__(self) -> str:
        return f"{self.node.name} {localized(self, 'title')} {self.person.name}"


class PartyOrg(models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=PartyOrgKind.choices)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("所在辖区")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级党组织"),
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="party_member")
    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    member_type = models.CharField(_("党员类型"), max_length=20, choices=MemberType.choices)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")

    def __str__(self) -> str:
        return self.person.name


class DualRegistration(models.Model):
    """双报到: a unit's Party organisation or an in-service member registers with a community.

    `state` is the process's current state (docs/community.md): gongzhi.community applies,
    confirms, declines and ends registrations and keeps their events; rows entered through the
    roster (import, admin, demo) are confirmed as they stand."""

    class State(models.TextChoices):
        APPLIED = "applied", _("待确认")
        CONFIRMED = "confirmed", _("已报到")
        DECLINED = "declined", _("未通过")
        ENDED = "ended", _("已结束")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("报到居民区")
    )
    registered_on = models.DateField(_("报到日期"))
    service_offer = models.CharField(_("服务意向"), max_length=200, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.CONFIRMED)

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(unit__isnull=False, member__isnull=True) | Q(unit__isnull=True, member__isnull=False)
                ),
                name="dualreg_unit_xor_member",
            )
        ]

    def __str__(self) -> str:
        who = self.unit.name if self.unit_id and self.unit else str(self.member)
        return f"{who} → {self.node.name}"


class RosterChange(models.Model):
    """Append-only history of the 三定 roster: who created or changed a unit or a post, when, and
    its values before and after. Routing reads the roster, so this says who decided who gets
    which cases. Written by `orgs.services` in the same transaction as the change."""

    class Kind(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")

    class Subject(models.TextChoices):
        UNIT = "unit", _("单位")
        POST = "post", _("岗位")

    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices)
    code = models.CharField(_("编码"), max_length=40)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("辖区"))
    kind = models.CharField(_("变更"), max_length=10, choices=Kind.choices)
    before = models.JSONField(_("变更前"), default=dict)
    after = models.JSONField(_("变更后"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("名册变更记录")
        verbose_name_plural = _("名册变更记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject", "code", "at"])]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.code} {self.get_kind_display()} {self.at:%Y-%m-%d}"


class NodeFigure(models.Model):
    """A node's card figures as last counted (home page, tree browser): its descendants by
    level and its residents by age. Counting them aggregates the whole subtree (seconds for a
    district of a million residents), so they are kept here, counted again by the scheduled
    rollup (every 10 minutes) and on the first view of a day (orgs.figures, ADR 0045)."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, primary_key=True, related_name="+")
    levels = models.JSONField(default=dict)  # {level: descendants at that level}, keys as strings
    residents = models.PositiveIntegerField(default=0)
    aged_60 = models.PositiveIntegerField(default=0)
    aged_80 = models.PositiveIntegerField(default=0)
    aged_80_alone = models.PositiveIntegerField(default=0)
    counted_on = models.DateField()  # the day the ages were counted for
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("节点统计")
        verbose_name_plural = _("节点统计")

    def __str__(self) -> str:
        return f"{self.node_id} @ {self.counted_at:%Y-%m-%d %H:%M}"
