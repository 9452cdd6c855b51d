"""Histories recorded against AWS (the conformance cases' ``expected_events``), for the console's
history readers: AWS's own event chains, previousEventId quirks included."""

from __future__ import annotations

import json
from typing import Any

from tests.shared_cases import load_case


def recorded(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(definition, history) of one recorded case; skips the test when the cases are absent."""
    case = load_case(name)
    events = case["expected_events"]
    assert all(isinstance(event["id"], int) for event in events), f"{name} has placeholder ids"
    return case["definition"], events


MAP_CATCH = "scenarios__test_map_state_catch"
MAP_RETRY = "scenarios__test_map_state_retry"
MAP_BREAK = "scenarios__test_map_state_break_condition"
PARALLEL_CATCH = "scenarios__test_parallel_state_catch"
PARALLEL_RETRY = "scenarios__test_parallel_state_retry"
MAP_ITEMS_FAIL = "scenarios__test_map_state_items_eval_jsonata_fail__number"
WAIT_FAIL = "base__test_base_wait_seconds_path__-1"


def as_api(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as GetExecutionHistory returns them: input, output and parameters as JSON text
    (the recordings hold them decoded)."""
    out = []
    for event in events:
        copy = dict(event)
        for key, details in event.items():
            if key.endswith("EventDetails") and isinstance(details, dict):
                copy[key] = {
                    field: json.dumps(value, separators=(",", ":"))
                    if field in ("input", "output", "parameters") and not isinstance(value, str)
                    else value
                    for field, value in details.items()
                }
        out.append(copy)
    return out
