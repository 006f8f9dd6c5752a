from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gongzhi.web"
    label = "web"
    verbose_name = "页面"

    def ready(self) -> None:
        # A finished case shows on the public board at once (web.public.cases, cases.hooks).
        from gongzhi.cases import hooks
        from gongzhi.web.public import cases as public_cases

        hooks.on_case_finished.register(public_cases.on_case_finished)
