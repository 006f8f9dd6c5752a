from django.urls import path

from gongzhi.web.orders import resident, team

urlpatterns = [
    path("orders/new/", resident.order_new, name="order_new"),
    path("orders/new/done/", resident.order_done, name="order_done"),
    path("orders/t/<str:token>/", resident.order_follow, name="order_follow"),
    path("orders/photos/<str:token>/", resident.order_photo, name="order_photo"),
    path("orders/", team.order_pool, name="order_pool"),
    path("orders/<int:pk>/", team.order_detail, name="order_detail"),
    path("orders/<int:pk>/take/", team.order_take, name="order_take"),
    path("orders/<int:pk>/serve/", team.order_serve, name="order_serve"),
    path("orders/<int:pk>/act/", team.order_act, name="order_act"),
]
