from django.apps import AppConfig


class MobilisationConfig(AppConfig):
    name = "gongzhi.mobilisation"
    label = "mobilisation"
    verbose_name = "应急动员"

    def ready(self) -> None:
        # 直报 → 应急动员 in one tap (direct_hooks: the 直报 side does not import incidents)
        from gongzhi.community import away_hooks
        from gongzhi.mobilisation import direct_hooks, from_direct, rostering

        direct_hooks.register(from_direct.mobilise)
        # days away added after a rota was published release those shifts, days away given up
        # take them back where still free (community is below)
        away_hooks.on_days_away.register(rostering.absence_changed)
