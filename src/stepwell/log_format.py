"""``--log-format json``: each log record as one JSON object on one line, for log collectors.

    {"time": "2026-12-07T16:20:01.123Z", "level": "INFO", "logger": "stepwell", "message": "..."}

An access-log record (stepwell.access_log) carries its fields by name instead of in the message:
``client``, ``principal``, ``method``, ``path``, ``operation``, ``status``, ``duration_ms``,
``request_id``. A record with an
exception adds ``exception`` (the traceback's text). Values are what the text format would show:
nothing more (no bodies, no header values, no secrets).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

ACCESS_LOGGER = "stepwell.access"
ACCESS_FIELDS = ("client", "principal", "method", "path", "operation", "status", "duration_ms", "request_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
        }
        args = record.args
        if record.name == ACCESS_LOGGER and isinstance(args, tuple) and len(args) == len(ACCESS_FIELDS):
            line["message"] = "request"
            line.update(zip(ACCESS_FIELDS, args, strict=True))
            line["duration_ms"] = round(float(line["duration_ms"]), 2)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


def _utc(epoch_seconds: float) -> str:
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds))
    return f"{whole}.{int(epoch_seconds * 1000) % 1000:03d}Z"


def use_json(root: logging.Logger | None = None) -> None:
    """Every handler of the root logger writes JSON lines (the access log's batches included)."""
    for handler in (root or logging.getLogger()).handlers:
        handler.setFormatter(JsonFormatter())
