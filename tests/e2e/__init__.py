"""Real processes on loopback: Prometheus, Alertmanager, the exporter."""
