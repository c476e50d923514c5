"""KEDA and one ScaledObject per autoscaled model, on the signals the rules record."""
