"""Label values that can always be written: checked where names enter the exporter."""

from __future__ import annotations

import unicodedata

# Kubernetes names are at most 253 characters (DNS subdomain); label values 63. Model and
# evaluator names get the same room as a node name.
MAX_LABEL_VALUE = 253


def label_value_problem(value: object) -> str | None:
    """Why `value` cannot be a label value of ours, or None when it can."""
    if not isinstance(value, str):
        return f"expected a string, got {type(value).__name__}"
    if not value:
        return "empty"
    if len(value) > MAX_LABEL_VALUE:
        return f"longer than {MAX_LABEL_VALUE} characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "not encodable as UTF-8 (a lone surrogate)"
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        return "contains a control character"
    return None
