"""Reports: the derived KPI tables (facts per case, totals per day) and the stored daily and
weekly reports with their frozen figures and the commentary people write.

Fact, DayTotal and RollupState are caches of what the case events say: `rollup` rebuilds
any part of them at any time, and nothing else writes them (docs/adr/0006-kpi-rollup.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Case
from gongzhi.geo.models import Node
from gongzhi.orgs.models import Category, Post
from gongzhi.reports.facts import HOUR_BUCKETS


class Fact(models.Model):
    """One thing a KPI counts, derived from a case's events (reports.facts)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=10)
    day = models.DateField()  # the local day the fact is attributed to
    at = models.DateTimeField()
    # the residential area (or the block / street node itself for a case placed there): the
    # grain of the daily totals
    area = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", db_index=False)
    node_path = models.CharField(max_length=700)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False)
    ok = models.BooleanField(null=True)
    local = models.BooleanField(default=False)
    value = models.FloatField(null=True)
    # closures only: the index of reports.facts.HOUR_BUCKETS holding `value`
    hours_bucket = models.SmallIntegerField(null=True)
    # receive facts only: the case's category (the command centre's category mix); a category
    # with cases cannot be deleted (Case.category protects it), so no constraint or cascade
    category = models.ForeignKey(
        Category,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("统计事实")
        verbose_name_plural = _("统计事实")
        indexes = [
            models.Index(fields=["kind", "day"], name="fact_kind_day"),
            models.Index(fields=["case"], name="fact_case"),
            models.Index(fields=["day", "area"], name="fact_day_area"),
            models.Index(fields=["node_path"], name="fact_scope", opclasses=["varchar_pattern_ops"]),
            # the exact percentiles: the closures of one hours bucket, per area, in the period
            # (the day before the value: a period reads its own rows, not every year's)
            models.Index(
                fields=["hours_bucket", "area", "day", "value"],
                name="fact_close_hours",
                condition=models.Q(hours_bucket__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.day}"


class DayTotal(models.Model):
    """The facts of one local day, one area (reports.facts grain) and one post, counted.

    Counts only, no personal data: this table (with CityNode) is what a district publishes to
    the city reporting database (gongzhi.city, docs/adr/0037-city-view-logical-replication.md);
    `district` (settings.DISTRICT_CODE, filled by the rollup) keeps districts' rows apart there."""

    district = models.CharField(max_length=20, default="")
    day = models.DateField()
    area = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", db_index=False)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False)
    received = models.PositiveIntegerField(default=0)
    cohort = models.PositiveIntegerField(default=0)
    cohort_closed = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    dispatched_on_time = models.PositiveIntegerField(default=0)
    settled = models.PositiveIntegerField(default=0)
    settled_accurate = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    closed_local = models.PositiveIntegerField(default=0)
    verdicts = models.PositiveIntegerField(default=0)
    reworks = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    escalations = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    open_now = models.PositiveIntegerField(default=0)  # of the day's reports, open now
    waiting = models.PositiveIntegerField(default=0)  # ... and still 待受理

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        # the replica identity of the published table (gongzhi city_publish): the city's key
        constraints = [models.UniqueConstraint(fields=["district", "id"], name="daytotal_city_key")]
        indexes = [
            models.Index(fields=["day", "area"], name="daytotal_day_area"),
            models.Index(fields=["area", "day"], name="daytotal_area_day"),
            # the command centre's open counts: every day's rows with open cases, read alone
            models.Index(
                fields=["area", "open_now", "waiting"],
                name="daytotal_open",
                condition=models.Q(open_now__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id} {self.post_id}"


# closures by hours to close (reports.facts.HOUR_BUCKETS): h0 [0, 0.5), h1 [0.5, 1) … h57 [720, ∞)
for _name, _low, _high in HOUR_BUCKETS:
    DayTotal.add_to_class(_name, models.PositiveIntegerField(default=0))


class CityNode(models.Model):
    """What the city needs to name a district's day totals, kept by the rollup and published
    with DayTotal (gongzhi.city): one row for the district itself (level 0, no node) and one per
    grain node (the areas DayTotal counts by, their blocks, the streets), carrying only the code
    and name of the STREET it lies in (a street's own row: its code and name). No person, no
    lower node, no names below the street."""

    district = models.CharField(max_length=20)
    node_id = models.BigIntegerField(default=0)  # the district's Node id (0: the district row)
    level = models.SmallIntegerField()  # geo.levels.Level of the node; 0: the district
    code = models.CharField(max_length=64)  # the street's code (the district's for its row)
    name = models.CharField(max_length=100)  # the street's name (the district's for its row)

    class Meta:
        verbose_name = _("市级视图节点")
        verbose_name_plural = _("市级视图节点")
        constraints = [models.UniqueConstraint(fields=["district", "node_id"], name="citynode_city_key")]

    def __str__(self) -> str:
        return f"{self.district} {self.node_id} {self.name}"


class CategoryTotal(models.Model):
    """Cases reported on one local day under one grain node, by category: kept for every node
    at the residential-area level or above (a street, each block area, each area), so a node's
    category mix reads its own rows only (~35 a day for a street)."""

    day = models.DateField()
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        db_index=False,
    )
    received = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("每日分类统计")
        verbose_name_plural = _("每日分类统计")
        indexes = [
            models.Index(fields=["node", "day", "category", "received"], name="categorytotal_node_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.node_id} {self.category_id}"


class RollupState(models.Model):
    """How far the facts have followed the case events (one row).

    processed_id: every event up to it has been read at least once. settled_id: every event up
    to it had committed when it was read (an event whose transaction commits late can get a
    smaller id than one already read; the scheduled run reads again from settled_id)."""

    processed_id = models.BigIntegerField(default=0)
    settled_id = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(null=True)
    # A new random value at every scheduled run, rebuild or tree move (never at a read's
    # catch-up): the command centre keeps its figures per run (reports.dashboard, ADR 0045).
    # Random, as the reference stamp: a restored or rolled-back row never brings back a key
    # whose figures are cached.
    run = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计汇总进度")
        verbose_name_plural = _("统计汇总进度")

    def __str__(self) -> str:
        return f"{self.processed_id}/{self.settled_id}"


class ReportKind(models.TextChoices):
    DAILY = "daily", _("日报")
    WEEKLY = "weekly", _("周报")


class Report(models.Model):
    """日报 / 周报 of one node for one period. The figures are frozen when generated; people
    add commentary (ReportNote), never edit figures."""

    kind = models.CharField(_("类型"), max_length=8, choices=ReportKind.choices)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("辖区"))
    node_path = models.CharField(max_length=700, editable=False)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期（不含）"))
    figures = models.JSONField(_("数据"), default=dict, editable=False)
    generated_at = models.DateTimeField(_("生成时间"))
    revision = models.PositiveIntegerField(_("生成次数"), default=1)

    class Meta:
        verbose_name = _("日报周报")
        verbose_name_plural = _("日报周报")
        ordering = ["-start", "node_path"]
        constraints = [models.UniqueConstraint(fields=["kind", "node", "start"], name="report_period")]
        indexes = [
            models.Index(fields=["node_path"], name="report_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "-start"], name="report_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.node_id} {self.start}"


class ReportNote(models.Model):
    """Commentary on a report: append-only, with who wrote it and when."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("点评"), max_length=4000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(_("填写人"), max_length=50)
    at = models.DateTimeField(_("填写时间"))

    class Meta:
        verbose_name = _("报表点评")
        verbose_name_plural = _("报表点评")
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.by_name} {self.at:%Y-%m-%d %H:%M}"
