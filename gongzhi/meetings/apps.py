from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "gongzhi.meetings"
    label = "meetings"
    verbose_name = "居务会"

    def ready(self) -> None:
        # A task slip completes in the same transaction as its last case (ADR 0017): cases
        # cannot import meetings, so meetings hangs its step on the case's own hook.
        from gongzhi.cases import hooks
        from gongzhi.meetings import slips

        hooks.on_case_finished.register(slips.complete_on_case_finished)
        # ...and is binding again in the same transaction as a case of it reopened.
        hooks.on_case_reopened.register(slips.reopen_on_case_reopened)
