"""Definitions the graph tests share: the repository's examples, a mixed one and a deeply nested one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stepwell.console.graph.sample import mixed_definition

EXAMPLES = sorted(Path(__file__).parents[3].joinpath("examples").glob("*/*.asl.json"))
ODD_NAME = "<b>\"&'"

# Every edge kind, a self-loop, a loop back, nested Parallel in Map in Parallel, JSONata, an odd name.
MIXED: dict[str, Any] = {
    "StartAt": ODD_NAME,
    "States": {
        ODD_NAME: {"Type": "Pass", "Next": "Router"},
        "Router": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.x", "StringEquals": "a", "Next": "Fan"},
                {
                    "And": [
                        {"Variable": "$.n", "NumericGreaterThan": 5},
                        {"Variable": "$.m", "IsPresent": True},
                    ],
                    "Next": "Work",
                },
                {"Not": {"Variable": "$.t", "TimestampLessThanPath": "$.now"}, "Next": "Router"},
            ],
            "Default": "Done",
        },
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "B1",
                    "States": {
                        "B1": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "B2"},
                        "B2": {"Type": "Pass", "End": True},
                    },
                },
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemProcessor": {
                                "StartAt": "Inner",
                                "States": {
                                    "Inner": {
                                        "Type": "Parallel",
                                        "Branches": [
                                            {"StartAt": "Deep", "States": {"Deep": {"Type": "Succeed"}}},
                                            {
                                                "StartAt": "Deep2",
                                                "States": {
                                                    "Deep2": {"Type": "Wait", "Seconds": 1, "Next": "Deep3"},
                                                    "Deep3": {"Type": "Pass", "End": True},
                                                },
                                            },
                                        ],
                                        "End": True,
                                    }
                                },
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
            "Next": "Work",
        },
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Catch": [
                {"ErrorEquals": ["States.Timeout", "Custom.Error"], "Next": "Recover"},
                {"ErrorEquals": ["States.ALL"], "Next": "Failed"},
            ],
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [{"Condition": "{% $states.input.again = true %}", "Next": "Work"}],
            "Default": "Done",
        },
        "Recover": {"Type": "Pass", "Next": "Done"},
        "Failed": {"Type": "Fail", "Error": "E"},
        "Done": {"Type": "Succeed"},
    },
}

# The deprecated Iterator, and a Map inside a Parallel branch inside a Map.
ITERATOR: dict[str, Any] = {
    "StartAt": "Outer",
    "States": {
        "Outer": {
            "Type": "Map",
            "Iterator": {
                "StartAt": "P",
                "States": {
                    "P": {
                        "Type": "Parallel",
                        "Branches": [
                            {
                                "StartAt": "M",
                                "States": {
                                    "M": {
                                        "Type": "Map",
                                        "ItemProcessor": {
                                            "StartAt": "Leaf",
                                            "States": {"Leaf": {"Type": "Pass", "End": True}},
                                        },
                                        "End": True,
                                    }
                                },
                            }
                        ],
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def example_texts() -> list[tuple[str, str]]:
    return [(path.parent.name, path.read_text(encoding="utf-8")) for path in EXAMPLES]


def all_definitions() -> list[tuple[str, str]]:
    """(name, definition text) of every fixture, the 200-state one included."""
    return [
        *example_texts(),
        ("mixed", json.dumps(MIXED)),
        ("iterator", json.dumps(ITERATOR)),
        ("generated-50", json.dumps(mixed_definition(50))),
        ("generated-200", json.dumps(mixed_definition(200))),
    ]


def raw_transitions(program: dict[str, Any]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(source name, target name, kind, errors) of every transition in a program and those nested in
    it, read straight from the JSON (independently of graph_model)."""
    out: list[tuple[str, str, str, tuple[str, ...]]] = []
    for name, state in program["States"].items():
        for rule in state.get("Choices", ()):
            out.append((name, rule["Next"], "choice", ()))
        if "Default" in state:
            out.append((name, state["Default"], "default", ()))
        if "Next" in state:
            out.append((name, state["Next"], "next", ()))
        for catcher in state.get("Catch", ()):
            out.append((name, catcher["Next"], "catch", tuple(catcher["ErrorEquals"])))
        for branch in state.get("Branches", ()):
            out.extend(raw_transitions(branch))
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            out.extend(raw_transitions(processor))
    return out
