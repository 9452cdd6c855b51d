"""ValidateStateMachineDefinition's warnings (NO_DOLLAR, NO_PATH, PASS_RESULT_IS_STATIC): valid
definitions that probably do not do what was meant."""

from __future__ import annotations

from typing import Any

from stepwell.asl.validate import validate_definition


def warnings_of(states: dict[str, Any], **top: Any) -> list[tuple[str, str | None]]:
    definition = {"StartAt": next(iter(states)), "States": states, **top}
    diagnostics = validate_definition(definition)
    assert all(d.severity == "WARNING" for d in diagnostics), diagnostics
    return [(d.code, d.location) for d in diagnostics]


def test_a_template_field_without_dollar_that_holds_a_path_or_an_intrinsic() -> None:
    states = {
        "A": {
            "Type": "Pass",
            "Parameters": {
                "plain": "$.a",
                "fine.$": "$.b",
                "nested": [{"call": "States.Format('{}', $.c)"}],
                "price": "$5",  # not a path
                "variable": "$total.amount",
            },
            "End": True,
        }
    }
    assert warnings_of(states) == [
        ("NO_DOLLAR", "/States/A/Parameters/nested[0]/call"),
        ("NO_DOLLAR", "/States/A/Parameters/plain"),
        ("NO_DOLLAR", "/States/A/Parameters/variable"),
    ]


def test_a_comparison_or_a_fail_field_that_holds_a_path() -> None:
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.v", "StringEquals": "$.other", "Next": "F"},
                {"Not": {"Variable": "$.v", "StringEquals": "text"}, "Next": "F"},
                {"And": [{"Variable": "$.n", "StringGreaterThan": "$$.State.Name"}], "Next": "F"},
            ],
            "Default": "F",
        },
        "F": {"Type": "Fail", "Error": "$.error", "Cause": "plain words"},
    }
    assert warnings_of(states) == [
        ("NO_PATH", "/States/C/Choices[0]/StringEquals"),
        ("NO_PATH", "/States/C/Choices[2]/And[0]/StringGreaterThan"),
        ("NO_PATH", "/States/F/Error"),
    ]


def test_a_path_in_a_pass_states_result() -> None:
    states = {"P": {"Type": "Pass", "Result": {"copy.$": "$.x", "deep": {"again.$": "$.y"}}, "End": True}}
    assert warnings_of(states) == [
        ("PASS_RESULT_IS_STATIC", "/States/P/Result/copy.$"),
        ("PASS_RESULT_IS_STATIC", "/States/P/Result/deep/again.$"),
    ]


def test_jsonata_states_and_clean_definitions_have_none() -> None:
    assert (
        warnings_of({"P": {"Type": "Pass", "Output": {"x": "$.a"}, "End": True}}, QueryLanguage="JSONata")
        == []
    )
    assert warnings_of({"P": {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "End": True}}) == []
