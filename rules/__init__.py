"""Prometheus rule groups: pure builders, one module per area, own config.

`rules.groups.rule_groups(cfg)` assembles them; `rules.catalog` holds the exporter facts.
"""
