"""The runtime's clock: epoch seconds to the millisecond, the precision AWS gives every date.

Executions' start and stop dates and every history event's timestamp come from here, so what the
API sends (a JSON number such as ``1703845012.345``) is exactly what was stored, and the dates of one
execution agree with its events'.
"""

from __future__ import annotations

import time


def now() -> float:
    return time.time_ns() // 1_000_000 / 1000
