"""Thanos: sidecar values, Query, Store Gateway, Compactor, objstore.yml."""
