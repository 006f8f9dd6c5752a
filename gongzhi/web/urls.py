"""Every page of the site, one include per domain (each subpackage's urls.py). The names are
reversed as 'web:<name>' everywhere; tests/test_url_names.py holds them to the recorded list."""

from django.urls import include, path

app_name = "web"
urlpatterns = [
    path("", include("gongzhi.web.common.urls")),
    path("", include("gongzhi.web.roster.urls")),
    path("", include("gongzhi.web.cases.urls")),
    path("", include("gongzhi.web.reports.urls")),
    path("", include("gongzhi.web.meetings.urls")),
    path("", include("gongzhi.web.public.urls")),
    path("", include("gongzhi.web.care.urls")),
    path("", include("gongzhi.web.community.urls")),
    path("", include("gongzhi.web.mobilisation.urls")),
    path("", include("gongzhi.web.orders.urls")),
    path("", include("gongzhi.web.direct.urls")),
    path("", include("gongzhi.web.city.urls")),
]
