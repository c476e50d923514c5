"""Pulumi components of ai-observability and the pure builders they wrap."""
