"""The program's parts: one package per concern, and every pin."""
