from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from gongzhi.core import logins, outbox, refdata

        logins.connect()  # failed logins spend the limiter's budgets
        outbox.connect()  # a request's broker kick waits for its response to be sent

        # After every migrate (all apps' tables exist by then): the reference stamp's table and
        # triggers, recreated where a migration rebuilt a watched table.
        post_migrate.connect(refdata.install, sender=self, dispatch_uid="gongzhi.refdata.install")
