"""Prometheus rule groups of ai-observability: pure builders, one module per area.

`rules.groups.rule_groups(cfg)` assembles them; `rules.catalog` holds the exporter facts.
"""
