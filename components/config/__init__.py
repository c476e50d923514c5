"""The stack config, declared once: conventions, units, errors, schema, loader."""
