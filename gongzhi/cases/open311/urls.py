"""/open311/v2/: services.{fmt}, services/{code}.{fmt}, requests.{fmt}, requests/{id}.{fmt},
tokens/{token}.{fmt}; anything else under it is an errors[] 404, not an HTML page."""

from django.urls import URLPattern, re_path

from gongzhi.cases.open311 import views

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)"
app_name = "open311"
urlpatterns: list[URLPattern] = [
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests, name="requests"),
    re_path(rf"^requests/(?P<number>[^/]+?){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}$", views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
