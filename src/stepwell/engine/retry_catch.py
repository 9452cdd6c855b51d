"""Which retrier or catcher handles an error, and how long a retry waits (reference §2.4).

"When a state reports an error, Step Functions scans through the retriers and, when the error name
appears in the value of a retrier's ErrorEquals field, implements the retry policy" — only the
first matching retrier counts; once it is exhausted the catchers decide.
"""

from __future__ import annotations

from collections.abc import Sequence

from stepwell.asl.model import Catcher, Retrier
from stepwell.asl.scope import Entropy
from stepwell.errors import ALL, HEARTBEAT_TIMEOUT, TASK_FAILED, TIMEOUT, UNCATCHABLE


def error_matches(
    error_equals: Sequence[str], error: str, heartbeat: bool = False, terminal: bool = True
) -> bool:
    """``terminal``: whether an error in UNCATCHABLE is terminal here. AWS lets a Task's
    States.DataLimitExceeded from an oversized *result* be caught (recorded against AWS)."""
    if terminal and error in UNCATCHABLE:
        return False
    for name in error_equals:
        if name in (error, ALL):
            return True
        if name == TASK_FAILED and error != TIMEOUT:
            return True
        if name == HEARTBEAT_TIMEOUT and heartbeat:
            return True
    return False


def find_retrier(retriers: Sequence[Retrier], error: str, heartbeat: bool = False) -> int | None:
    for index, retrier in enumerate(retriers):
        if error_matches(retrier.error_equals, error, heartbeat):
            return index
    return None


def find_catcher(
    catchers: Sequence[Catcher], error: str, heartbeat: bool = False, terminal: bool = True
) -> Catcher | None:
    for catcher in catchers:
        if error_matches(catcher.error_equals, error, heartbeat, terminal):
            return catcher
    return None


def retry_delay(retrier: Retrier, retries_done: int, entropy: Entropy) -> float:
    """Seconds before retry number ``retries_done + 1``: IntervalSeconds × BackoffRate^n, capped
    by MaxDelaySeconds; with JitterStrategy FULL, a uniform draw in [0, that delay]."""
    delay = retrier.interval_seconds * retrier.backoff_rate**retries_done
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter_strategy == "FULL":
        delay *= entropy.random()
    return float(delay)
