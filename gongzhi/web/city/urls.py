from django.urls import path

from gongzhi.web.city import views

# docs/scaling.md "City view"
urlpatterns = [
    path("city/", views.city_page, name="city"),
    path("city/data.json", views.city_data, name="city_data"),
]
