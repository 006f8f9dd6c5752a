from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = "工单"

    def ready(self) -> None:
        from gongzhi.cases import classify
        from gongzhi.core import warm

        warm.register("classifier", classify.load_model)  # joblib, then compiled (core.warm)
