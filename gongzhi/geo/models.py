"""The jurisdiction tree: (district >) street > block area > residential area > estate > grid > building > household.

Each node keeps a materialised path of its ancestors' codes ("/FL/FL-K1/FL-K1-R01/"), so
"everything under X" is one indexed prefix query. Codes are stable: they never change once
given, whatever renames or moves happen; every rename and move appends a NodeChange row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.geo.levels import Level

PATH_SEP = "/"


class Node(models.Model):
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(_("路径"), max_length=700, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # GeoJSON geometry (Polygon/MultiPolygon boundary or Point), stored as JSON so both
    # SQLite and PostgreSQL hold it without a spatial extension.
    geometry = models.JSONField(_("边界或位置"), null=True, blank=True)
    # A street's Open311 jurisdiction_id (docs/tenancy.md): how a client names the street when
    # one deployment serves many. Only streets carry one; blank elsewhere.
    jurisdiction_id = models.CharField(_("Open311 辖区标识"), max_length=60, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("辖区节点")
        verbose_name_plural = _("辖区节点")
        ordering = ["path"]
        indexes = [
            # "Households under X": level = n AND path LIKE 'X%' as one index range. PostgreSQL
            # needs the pattern opclass for LIKE 'prefix%' under a non-C collation (C.UTF-8
            # included); SQLite ignores opclasses and uses it with case_sensitive_like. A plain
            # prefix query uses the unique path's own index (on PostgreSQL, Django adds its
            # varchar_pattern_ops twin, geo_node_path_<hash>_like, for unique CharFields).
            models.Index(
                fields=["level", "path"],
                name="geo_node_level_path_like",
                opclasses=["int2_ops", "varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction_id"],
                condition=~models.Q(jurisdiction_id=""),
                name="geo_node_jurisdiction_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEP) - 1

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to, and including, this node."""
        return [part for part in self.path.split(PATH_SEP) if part]


class NodeChange(models.Model):
    """Append-only history of a node: created, renamed, moved, boundary changed."""

    class Kind(models.TextChoices):
        CREATE = "create", _("新建")
        RENAME = "rename", _("更名")
        MOVE = "move", _("迁移")
        UPDATE = "update", _("修改")

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更"), max_length=10, choices=Kind.choices)
    before = models.JSONField(_("变更前"), default=dict)
    after = models.JSONField(_("变更后"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("辖区变更记录")
        verbose_name_plural = _("辖区变更记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.node.code} {self.get_kind_display()} {self.at:%Y-%m-%d}"
