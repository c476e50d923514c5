"""The cost & quality exporter: GPU prices and judge results as metrics."""

__version__ = "0.1.0"
__all__ = ["__version__"]
