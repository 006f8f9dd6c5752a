"""Mobilisation pages (docs/mobilisation.md): incidents, the rota, my shifts, the live board."""
