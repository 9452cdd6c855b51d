"""Pass 3: state names, Map labels and transitions, with AWS's codes and words."""

from __future__ import annotations

from typing import Any

from stepwell.asl.validate.graph import (
    DUPLICATE_LABEL_NAME,
    DUPLICATE_STATE_NAME,
    INVALID_LABEL_NAME,
    INVALID_STATE_NAME,
    MISSING_END_STATE,
    MISSING_TRANSITION_TARGET,
    check_graph,
)
from stepwell.asl.validate.json_text import load_definition_text
from tests.asl.validate.support import PASS_END, Triple, triples


def graph(definition: dict[str, Any]) -> list[Triple]:
    return triples(check_graph(definition, {}))


def test_a_sound_graph_has_nothing_to_report() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "r",
                "Next": "B",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
            },
            "B": {"Type": "Choice", "Choices": [{"Next": "A"}], "Default": "S"},
            "S": {"Type": "Succeed"},
            "F": {"Type": "Fail"},
        },
    }
    assert graph(definition) == []


def test_state_names_longer_than_80_characters() -> None:
    name = "n" * 81
    assert graph(
        {"StartAt": name, "States": {name: {"Type": "Pass", "Next": "m" * 80}, "m" * 80: PASS_END}}
    ) == [
        (
            INVALID_STATE_NAME,
            "Invalid State name: State exceeds the 80-character limit allowed by the service",
            f"/States/{name}",
        )
    ]


def test_names_are_unique_across_nested_programs() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Parallel", "Branches": [{"StartAt": "A", "States": {"A": PASS_END}}], "End": True},
        },
    }
    assert graph(definition) == [
        (DUPLICATE_STATE_NAME, "Duplicate State name: A", "/States/A/Branches[0]/States/A")
    ]


def test_a_repeated_key_in_the_text_is_a_duplicate_name() -> None:
    loaded = load_definition_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}'
    )
    assert triples(check_graph(loaded.value, loaded.duplicate_keys)) == [
        (DUPLICATE_STATE_NAME, "Duplicate State name: A", "/States/A")
    ]


def test_missing_targets_are_reported_at_the_field_naming_them() -> None:
    definition = {
        "StartAt": "Nowhere",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "C": {"Type": "Choice", "Choices": [{"Next": "D"}], "Default": "E"},
            "T": {
                "Type": "Task",
                "Resource": "r",
                "End": True,
                "Catch": [{"ErrorEquals": ["X"], "Next": "G"}],
            },
        },
    }
    assert graph(definition) == [
        (MISSING_TRANSITION_TARGET, "Missing 'Next' target: Nowhere", "/StartAt"),
        (MISSING_TRANSITION_TARGET, "Missing 'Next' target: B", "/States/A/Next"),
        (MISSING_TRANSITION_TARGET, "Missing 'Next' target: E", "/States/C/Default"),
        (MISSING_TRANSITION_TARGET, "Missing 'Next' target: D", "/States/C/Choices[0]/Next"),
        (MISSING_TRANSITION_TARGET, "Missing 'Next' target: G", "/States/T/Catch[0]/Next"),
        # A StartAt naming no state reaches nothing.
        (MISSING_TRANSITION_TARGET, 'State "A" is not reachable.', "/States/A"),
        (MISSING_TRANSITION_TARGET, 'State "C" is not reachable.', "/States/C"),
        (MISSING_TRANSITION_TARGET, 'State "T" is not reachable.', "/States/T"),
    ]


def test_no_transition_leaves_a_branch() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Out"}, "B": PASS_END}}
                ],
                "Next": "Out",
            },
            "Out": PASS_END,
        },
    }
    assert graph(definition) == [
        (MISSING_TRANSITION_TARGET, "Missing 'Next' target: Out", "/States/P/Branches[0]/States/A/Next"),
        (MISSING_TRANSITION_TARGET, 'State "B" is not reachable.', "/States/P/Branches[0]/States/B"),
    ]


def test_unreachable_states() -> None:
    definition = {"StartAt": "A", "States": {"A": PASS_END, "Orphan": {"Type": "Pass", "Next": "A"}}}
    assert graph(definition) == [
        (MISSING_TRANSITION_TARGET, 'State "Orphan" is not reachable.', "/States/Orphan")
    ]


def test_no_terminal_state_replaces_the_reachability_report() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "A"}, "Orphan": {"Type": "Pass", "Next": "A"}},
    }
    assert graph(definition) == [(MISSING_END_STATE, "Workflow has no terminal state", None)]


def test_a_nested_program_without_a_terminal_state_is_located_at_the_program() -> None:
    loop = {"StartAt": "L", "States": {"L": {"Type": "Pass", "Next": "L"}}}
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": loop, "End": True}}}
    assert graph(definition) == [
        (MISSING_END_STATE, "Workflow has no terminal state", "/States/M/ItemProcessor")
    ]


def test_end_false_is_not_terminal() -> None:
    assert graph({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": False}}}) == [
        (MISSING_END_STATE, "Workflow has no terminal state", None)
    ]


def mapped(*labels: Any) -> dict[str, Any]:
    states = {
        f"M{i}": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": f"I{i}", "States": {f"I{i}": PASS_END}},
            "Label": label,
            "Next": f"M{i + 1}",
        }
        for i, label in enumerate(labels)
    }
    states[f"M{len(labels)}"] = PASS_END
    return {"StartAt": "M0", "States": states}


def test_map_labels() -> None:
    assert graph(mapped("ok-label_1", "other")) == []
    assert graph(mapped("x" * 41)) == [
        (
            INVALID_LABEL_NAME,
            "Invalid Label name: Label exceeds the 40-character limit allowed by the service",
            "/States/M0/Label",
        )
    ]
    for bad in ("has space", "a:b", "tab\t", "", "bell\x07", "c1\x85"):
        assert graph(mapped(bad)) == [(INVALID_LABEL_NAME, f"Invalid Label name: {bad}", "/States/M0/Label")]
    assert graph(mapped("same", "same")) == [
        (DUPLICATE_LABEL_NAME, "Duplicate Label name: same", "/States/M1/Label")
    ]
