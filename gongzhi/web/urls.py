"""Every page of the site, one include per domain (each subpackage's urls.py). The names are
reversed as 'web:<name>' everywhere; tests/test_url_names.py holds them to the recorded list."""

from django.urls import include, path

from gongzhi.web import care

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
]
