from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from gongzhi.core import logins, refdata

        logins.connect()

        # After every migrate (all apps' tables exist by then): the reference stamp's table and
        # triggers, recreated where a migration rebuilt a watched table.
        post_migrate.connect(refdata.install, sender=self, dispatch_uid="gongzhi.refdata.install")
