"""OpenTelemetry Operator, Collector and Instrumentation, and Tempo."""
