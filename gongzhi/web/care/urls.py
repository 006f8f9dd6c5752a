from django.urls import path

from gongzhi.web.care import views

urlpatterns = [
    path("care/", views.care_home, name="care_home"),
    path("care/subjects/<int:pk>/", views.care_subject, name="care_subject"),
    path("care/subjects/<int:pk>/visit/", views.care_visit, name="care_visit"),
    path("care/alerts/<int:pk>/ack/", views.care_ack, name="care_ack"),
    path("care/alerts/<int:pk>/outcome/", views.care_outcome, name="care_outcome"),
]
