from typing import Any

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gongzhi.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from gongzhi.geo.signals import node_moved

        node_moved.connect(_follow_move, dispatch_uid="gongzhi.reports.rollup.follow_move")


def _follow_move(sender: Any, *, node: Any, old_path: str, new_path: str, **_kw: Any) -> None:
    """A node moved (geo.services.node_move): the KPI tables follow, in the move's transaction."""
    from gongzhi.reports import rollup

    rollup.follow_move(node=node, old_path=old_path, new_path=new_path)
