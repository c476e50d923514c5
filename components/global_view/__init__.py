"""A global view over many clusters: Thanos Query over their StoreAPIs with mutual TLS, Grafana."""
