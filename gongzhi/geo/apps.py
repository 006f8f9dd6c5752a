from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "gongzhi.geo"
    label = "geo"
    verbose_name = "辖区"

    def ready(self) -> None:
        from gongzhi.core import warm
        from gongzhi.geo import locate

        warm.register("locate", locate.warm)  # the tree's shapes and places (core.warm)
