"""应急动员 and 直报: incidents, duty posts, rotas, check-ins (docs/mobilisation.md)."""
