"""The conformance cases (../shared/conformance) as seeds: definitions and inputs recorded on AWS.

Without ../shared the groups still run on the few built-in definitions below; the definitions
group skips, as the conformance tests do.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from tests.conformance import shared

BUILT_IN: tuple[dict[str, Any], ...] = (
    {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
    {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
    },
    {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "W"}],
                "Default": "S",
            },
            "W": {"Type": "Wait", "Seconds": 1, "Next": "S"},
            "S": {"Type": "Succeed"},
        },
    },
    {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    },
)


@cache
def seed_cases() -> tuple[dict[str, Any], ...]:
    """Execution cases then validation cases, each with a ``definition`` (a dict or, for the few
    recorded as raw text, a ``definition_string``)."""
    if not shared.available():
        return ()
    out: list[dict[str, Any]] = []
    for folder in ("cases", "validation"):
        for case in shared.load_cases(folder):
            if isinstance(case.get("definition"), dict) or isinstance(case.get("definition_string"), str):
                out.append(case)
    return tuple(out)


@cache
def definition_texts() -> tuple[str, ...]:
    """Definitions as JSON text, for the members that take one."""
    texts = [json.dumps(d) for d in BUILT_IN]
    for case in seed_cases():
        if isinstance(case.get("definition"), dict):
            texts.append(json.dumps(case["definition"]))
        else:
            texts.append(case["definition_string"])
    return tuple(texts)


@cache
def state_texts() -> tuple[str, ...]:
    """Single states (TestState's ``definition``), taken from the definitions."""
    out: list[str] = []
    for text in definition_texts():
        try:
            states = json.loads(text).get("States")
        except (ValueError, AttributeError):
            continue
        if isinstance(states, dict):
            out.extend(json.dumps(state) for state in states.values() if isinstance(state, dict))
    return tuple(out) or (json.dumps({"Type": "Pass", "End": True}),)
