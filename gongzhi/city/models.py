"""The city reporting database's tables: the districts' reports.DayTotal and reports.CityNode
as they arrive by logical replication, with the same table and column names (a subscription
matches tables by name), without the foreign keys (the districts' nodes and posts are not
here) and keyed by (district, the district's id) so that several districts' rows coexist.

Only the subscriptions write these tables: the app reads them (gongzhi.city.selectors)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.reports.facts import COUNTERS


class DistrictDayTotal(models.Model):
    """One district's reports.DayTotal row (counts of one day, one area, one post)."""

    pk = models.CompositePrimaryKey("district", "id")
    district = models.CharField(max_length=20)
    id = models.BigIntegerField()
    day = models.DateField()
    area_id = models.BigIntegerField()  # the district's node id (DistrictNode.node_id)
    post_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = "reports_daytotal"  # the publisher's name (gongzhi.city.replication)
        verbose_name = _("各区每日统计")
        verbose_name_plural = _("各区每日统计")
        indexes = [models.Index(fields=["day", "district", "area_id"], name="city_daytotal_day")]
        # who may open the city dashboard (orgs.access.can_view_city): a Django permission, as
        # the city's staff hold no post in any district's tree (docs/scaling.md "City view")
        permissions = [("view_city", "查看全市视图")]

    def __str__(self) -> str:
        return f"{self.district} {self.day} {self.area_id}"


for _name in COUNTERS:
    DistrictDayTotal.add_to_class(_name, models.PositiveIntegerField(default=0))


class DistrictNode(models.Model):
    """One district's reports.CityNode row: a grain node and the street it lies in (level 0:
    the district itself)."""

    pk = models.CompositePrimaryKey("district", "node_id")
    district = models.CharField(max_length=20)
    id = models.BigIntegerField()  # the district's row id (replicated, not used)
    node_id = models.BigIntegerField()
    level = models.SmallIntegerField()
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "reports_citynode"
        verbose_name = _("各区节点")
        verbose_name_plural = _("各区节点")

    def __str__(self) -> str:
        return f"{self.district} {self.node_id} {self.name}"
