"""Warnings said at most once a minute each: a destination that is down would say the same
thing for every batch, and the server's own log must stay readable."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("stepwell.execution_logs")

INTERVAL_SECONDS = 60.0


class Notices:
    def __init__(self, interval: float = INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}

    def warning(self, key: str, message: str, *args: Any) -> bool:
        """Log ``message`` unless a warning of the same ``key`` was logged less than an interval
        ago; whether it was logged."""
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            return False
        self._last[key] = now
        log.warning(message, *args)
        return True
