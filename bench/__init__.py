"""Benchmarks: `make bench` (python -m bench.run) writes bench/results.json (docs/design.md §6)."""
