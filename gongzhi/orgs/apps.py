from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gongzhi.orgs"
    label = "orgs"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from gongzhi.core import powers
        from gongzhi.orgs import access

        powers.install(access.can_under)  # the tree's services (geo) ask through core.powers
