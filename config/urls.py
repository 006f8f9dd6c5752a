from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from gongzhi.api.api import api
from gongzhi.core import warm

urlpatterns: list[URLPattern | URLResolver] = [
    # liveness and readiness for the load balancer and systemd (core.warm, docs/scaling.md)
    path("healthz", warm.healthz, name="healthz"),
    path("healthz/ready", warm.healthz_ready, name="healthz_ready"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("gongzhi.cases.open311.urls")),
    path("", include("gongzhi.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
