from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "gongzhi.care"
    label = "care"
    verbose_name = "关爱"

    def ready(self) -> None:
        # A home-visit case that closes closes its alert (cases may not import care: ADR 0017).
        from gongzhi.care import chain
        from gongzhi.cases import hooks

        hooks.on_case_finished.register(chain.close_on_case_finished)
