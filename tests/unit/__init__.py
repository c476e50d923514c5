"""Pure builders, config, content and exporter parts, tested directly."""
