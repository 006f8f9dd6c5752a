from django.apps import AppConfig


class CityConfig(AppConfig):
    name = "gongzhi.city"
    label = "city"
    verbose_name = "市级视图"
