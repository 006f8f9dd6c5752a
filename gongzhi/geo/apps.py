from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "gongzhi.geo"
    label = "geo"
    verbose_name = "辖区"
