"""Rules and dashboards as PrometheusRules and sidecar ConfigMaps."""
