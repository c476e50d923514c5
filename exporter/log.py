"""Structured logs: one JSON object per line on stderr."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

_lock = threading.Lock()


def log(level: str, message: str, **fields: Any) -> None:
    """Write one log record."""
    record = {"ts": round(time.time(), 3), "level": level, "msg": message, **fields}
    line = json.dumps(record, default=str)
    with _lock:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
