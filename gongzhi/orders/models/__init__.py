"""Order-mode models, one module per subject; Django finds them through these imports."""

from gongzhi.orders.models.modules import ServiceModule, TeamMember
from gongzhi.orders.models.orders import Order, OrderEvent, OrderPhoto, order_number

__all__ = ["Order", "OrderEvent", "OrderPhoto", "ServiceModule", "TeamMember", "order_number"]
