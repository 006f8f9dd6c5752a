from django.urls import path

from gongzhi.web.mobilisation import duty, views

urlpatterns = [
    path("mobilisation/", views.mobilisation_home, name="mobilisation_home"),
    path("mobilisation/new/", views.mobilisation_new, name="mobilisation_new"),
    path("mobilisation/mine/", duty.mobilisation_mine, name="mobilisation_mine"),
    path("mobilisation/assignments/<int:pk>/<str:action>/", duty.mobilisation_duty, name="mobilisation_duty"),
    path("mobilisation/<int:pk>/", views.mobilisation_incident, name="mobilisation_incident"),
    path("mobilisation/<int:pk>/act/", views.mobilisation_act, name="mobilisation_act"),
    path("mobilisation/<int:pk>/board/", views.mobilisation_board, name="mobilisation_board"),
    path("mobilisation/<int:pk>/report.docx", views.mobilisation_report, name="mobilisation_report"),
]
