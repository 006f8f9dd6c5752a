from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gongzhi.notify"
    label = "notify"
    verbose_name = "通知"
