"""State handlers: behaviours checked against AWS's recordings and documentation."""

from __future__ import annotations

import json

import pytest

from stepwell.engine.commands import Finish
from tests.engine.driver import Run


def _choice(rule_output: str, condition: bool) -> dict[str, object]:
    # The shape of the recorded outputdecl test_output_in_choice case (../shared/conformance/cases).
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": condition, "Next": "Done", "Output": rule_output}],
                "Default": "Done",
                "Output": "default",
            },
            "Done": {"Type": "Succeed"},
        },
    }


@pytest.mark.parametrize("text", ["hello", "42", '{"a":1}', "[1, 2]", "null", "  spaced  "])
def test_a_string_output_on_a_jsonata_choice_rule_is_that_string(text: str) -> None:
    # Recorded against AWS (CONDITION_FALSE): "Output": "Default Output block" exits the Choice with
    # output "\"Default Output block\"": the string itself, never parsed as JSON.
    run = Run(_choice(text, True), {"x": 1})
    assert run.finish == Finish("SUCCEEDED", output=text)
    exited = run.details("ChoiceStateExited")
    assert exited["output"] == json.dumps(text, separators=(",", ":"))
    fallback = Run(_choice(text, False), {"x": 1})
    assert fallback.finish == Finish("SUCCEEDED", output="default")


def test_a_jsonata_condition_that_returns_nothing_fails_the_state_in_aws_words() -> None:
    """Found by fuzzing TestState: an undefined Condition crashed the step instead of failing it."""
    run = Run(_choice("rule", "{% $states.input.result.done %}"), {})  # type: ignore[arg-type]
    assert run.finish == Finish(
        "FAILED",
        error="States.QueryEvaluationError",
        cause="An error occurred while executing the state 'C' (entered at the event id #2). The JSONata "
        "expression '$states.input.result.done' specified for the field 'Condition' returned nothing "
        "(undefined).",
    )
