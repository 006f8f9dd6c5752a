from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "gongzhi.community"
    label = "community"
    verbose_name = "共建"

    def ready(self) -> None:
        # Points from recorded facts (attending a 居务会, a slip done): meetings announces them
        # through core.contributions, since neither may import the other (ADR 0022).
        from gongzhi.community import awards
        from gongzhi.core.contributions import on_service_facts

        on_service_facts.register(awards.award_facts)
