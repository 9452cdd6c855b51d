"""The runtime's clock: epoch seconds to the millisecond, as AWS gives every date."""

from __future__ import annotations

import time

from stepwell.runtime.clock import now


def test_now_is_epoch_seconds_to_the_millisecond() -> None:
    before = time.time()
    value = now()
    after = time.time()
    assert before - 0.001 <= value <= after
    assert value == round(value, 3)
    assert value == round(value * 1000) / 1000  # what the API sends is what was stored
