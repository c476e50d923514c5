"""Grafana dashboards as plain JSON models built in Python: one module per dashboard.

`dashboards.all.all_dashboards(cfg)` returns them by uid.
"""
