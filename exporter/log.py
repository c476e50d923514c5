"""Structured logs: one JSON object per line on stderr, for everything the process writes."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
import warnings
from types import TracebackType
from typing import Any

_lock = threading.Lock()
_closed = False


def log(level: str, message: str, **fields: Any) -> None:
    """Write one log record (nothing once the log is closed for exit)."""
    record = {"ts": round(time.time(), 3), "level": level, "msg": message, **fields}
    line = json.dumps(record, default=str, ensure_ascii=True)
    with _lock:
        if _closed:
            return
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def error_fields(error: BaseException) -> dict[str, Any]:
    """What a log record says about an exception: its type, message, and an HTTP status and
    reason when it carries them (the Kubernetes client's ApiException does)."""
    fields: dict[str, Any] = {"error_type": type(error).__name__, "error": str(error)}
    status = getattr(error, "status", None)
    if isinstance(status, int):
        fields["status"] = status
        fields["reason"] = getattr(error, "reason", None)
        fields["error"] = f"HTTP {status} {fields['reason'] or ''}".strip()
    return fields


def exception(message: str, error: BaseException, **fields: Any) -> None:
    """An error record with the exception and its traceback as one string field."""
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log("error", message, **error_fields(error), traceback=trace, **fields)


class _JsonHandler(logging.Handler):
    """Library logs (urllib3's retries, the Kubernetes client) as JSON lines."""

    def emit(self, record: logging.LogRecord) -> None:
        fields: dict[str, Any] = {"logger": record.name}
        if record.exc_info and record.exc_info[1] is not None:
            fields.update(error_fields(record.exc_info[1]))
        log(record.levelname.lower(), record.getMessage(), **fields)


def _excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    exception("uncaught exception", error.with_traceback(trace))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        thread = args.thread.name if args.thread else None
        exception("uncaught exception in a thread", args.exc_value, thread=thread)


def install() -> None:
    """Route library logging, warnings and uncaught exceptions through log()."""
    root = logging.getLogger()
    root.handlers[:] = [_JsonHandler()]
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def close() -> None:
    """Flush and stop writing: daemon threads that log while the process exits write nothing."""
    global _closed
    with _lock:
        _closed = True
        sys.stderr.flush()
        sys.stdout.flush()
