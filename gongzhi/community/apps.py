from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "gongzhi.community"
    label = "community"
    verbose_name = "共建"
