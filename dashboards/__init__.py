"""Grafana dashboards as JSON models built in Python, one module each.

`dashboards.all.all_dashboards(cfg)` returns them by uid.
"""
