"""Benchmarks of every user-facing path against the bare-Flask limit: `python -m bench` (see bench/README.md)."""
