from django.apps import AppConfig


class MobilisationConfig(AppConfig):
    name = "gongzhi.mobilisation"
    label = "mobilisation"
    verbose_name = "应急动员"
