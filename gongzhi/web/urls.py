from django.urls import include, path

from gongzhi.web import (
    care,
    exports,
)

app_name = "web"
urlpatterns = [
    path("", include("gongzhi.web.common.urls")),
    path("", include("gongzhi.web.roster.urls")),
    path("", include("gongzhi.web.cases.urls")),
    path("", include("gongzhi.web.reports.urls")),
    path("", include("gongzhi.web.meetings.urls")),
    path("", include("gongzhi.web.public.urls")),
    path("care/", care.care_home, name="care_home"),
    path("care/subjects/<int:pk>/", care.care_subject, name="care_subject"),
    path("care/subjects/<int:pk>/visit/", care.care_visit, name="care_visit"),
    path("care/alerts/<int:pk>/ack/", care.care_ack, name="care_ack"),
    path("care/alerts/<int:pk>/outcome/", care.care_outcome, name="care_outcome"),
    # exports of the lists (docs/exports.md): <fmt> is csv (streamed) or xlsx (capped)
    path("cases/export.<str:fmt>", exports.case_list_export, name="case_list_export"),
    path("cases/queue/export.<str:fmt>", exports.queue_export, name="case_queue_export"),
    path("cases/mine/export.<str:fmt>", exports.mine_export, name="case_mine_export"),
    path("cases/overdue/export.<str:fmt>", exports.overdue_export, name="case_overdue_export"),
    path("meetings/slips/export.<str:fmt>", exports.slips_export, name="slips_export"),
    path("people/export.<str:fmt>", exports.people_export, name="people_export"),
    path("roster/<str:code>/export.<str:fmt>", exports.roster_export, name="roster_export"),
    path("public/cases/export.<str:fmt>", exports.public_cases_export, name="public_cases_export"),
]
