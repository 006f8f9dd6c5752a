from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "gongzhi.orders"
    label = "orders"
    verbose_name = "订单服务"
