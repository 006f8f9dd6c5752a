from django.urls import path

from gongzhi.web.direct import report, views

urlpatterns = [
    path("direct/", views.direct_home, name="direct_home"),
    path("direct/new/", report.direct_new, name="direct_new"),
    path("direct/<int:pk>/", views.direct_detail, name="direct_detail"),
    path("direct/<int:pk>/ack/", views.direct_ack, name="direct_ack"),
    path("direct/<int:pk>/act/", views.direct_act, name="direct_act"),
    path("direct/<int:pk>/follow-up/", views.direct_follow_up, name="direct_follow_up"),
    path("direct/photos/<int:pk>/", views.direct_photo, name="direct_photo"),
]
