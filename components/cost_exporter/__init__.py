"""The bundled cost & quality exporter's objects and config."""
