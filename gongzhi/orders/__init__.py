"""订单模式: service modules, their teams and residents' orders (docs/services.md)."""
