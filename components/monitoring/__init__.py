"""kube-prometheus-stack: Prometheus, Alertmanager and Grafana."""
