"""The "Advanced view": a step's input to output stage by stage, recorded where the history holds a
stage, computed with the engine's own functions where it can be, unknown (with the reason) where an
expression reads what the history does not hold."""

from __future__ import annotations

from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.console.step_data_flow import (
    COMPUTED,
    MISSING,
    NOT_APPLICABLE,
    RECORDED,
    UNKNOWN,
    Recorded,
    Stage,
    data_flow,
)

LAMBDA = "arn:aws:states:::lambda:invoke"


def flow(state: dict[str, Any], recorded: Recorded, **top: Any) -> list[tuple[str, str | None, str, str]]:
    # A Choice or a Catch needs a state to go to.
    after = {"End": {"Type": "Succeed"}} if "Choices" in state or "Catch" in state else {}
    definition = {**top, "StartAt": "S", "States": {"S": state, **after}}
    model = parse_definition(definition).states["S"]
    return [(s.name, s.value, s.source, s.note) for s in data_flow(model, recorded)]


def recorded(
    input: Any = MISSING,
    parameters: Any = MISSING,
    result: Any = MISSING,
    error: Any = MISSING,
    output: Any = MISSING,
) -> Recorded:
    return Recorded(input, parameters, result, error, output)


TASK: dict[str, Any] = {
    "Type": "Task",
    "Resource": LAMBDA,
    "InputPath": "$.in",
    "Parameters": {"x.$": "$.a"},
    "ResultSelector": {"p.$": "$.Payload"},
    "ResultPath": "$.r",
    "OutputPath": "$.r",
    "End": True,
}


def test_a_jsonpath_task_stage_by_stage() -> None:
    found = flow(TASK, recorded({"in": {"a": 1}}, {"x": 1}, {"Payload": 5}, output={"p": 5}))
    assert found == [
        ("input", '{"in":{"a":1}}', RECORDED, ""),
        ("afterInputPath", '{"a":1}', COMPUTED, ""),
        ("afterParameters", '{"x":1}', RECORDED, ""),
        ("result", '{"Payload":5}', RECORDED, ""),
        ("afterResultSelector", '{"p":5}', COMPUTED, ""),
        ("afterResultPath", '{"in":{"a":1},"r":{"p":5}}', COMPUTED, ""),
        ("output", '{"p":5}', RECORDED, ""),
    ]


def test_unrecorded_parameters_are_computed_from_the_template() -> None:
    found = flow(TASK, recorded({"in": {"a": 2}}, result={"Payload": 0}, output={"p": 0}))
    assert found[2] == ("afterParameters", '{"x":2}', COMPUTED, "")


def test_a_template_reading_the_context_object_is_unknown() -> None:
    state = {**TASK, "Parameters": {"id.$": "$$.Execution.Id"}}
    found = flow(state, recorded({"in": {}}, result={"Payload": 5}, output={"p": 5}))
    assert found[2] == ("afterParameters", None, UNKNOWN, "After Parameters reads the context object ($$)")
    assert found[4][2] == COMPUTED  # the result is recorded: what follows it can be computed again


def test_a_variable_or_a_random_intrinsic_is_unknown_and_blocks_what_depends_on_it() -> None:
    state = {**TASK, "ResultSelector": {"v.$": "$counter"}}
    found = flow(state, recorded({"in": {"a": 1}}, {"x": 1}, {"Payload": 5}, output={}))
    assert found[4] == (
        "afterResultSelector",
        None,
        UNKNOWN,
        "After ResultSelector reads the variable $counter",
    )
    assert found[5] == ("afterResultPath", None, UNKNOWN, "an earlier stage reads the variable $counter")
    random = {**TASK, "Parameters": {"n.$": "States.MathRandom(1, 9)"}}
    found = flow(random, recorded({"in": {}}))
    assert found[2] == ("afterParameters", None, UNKNOWN, "After Parameters draws a random value")


def test_a_stage_that_fails_says_how() -> None:
    found = flow(TASK, recorded({"nope": 1}))
    assert found[1] == (
        "afterInputPath",
        None,
        UNKNOWN,
        "failed: States.Runtime: Invalid path '$.in' : No results for path: $['in']",
    )
    assert found[2] == ("afterParameters", None, UNKNOWN, "an earlier stage failed")


def test_a_caught_error_skips_result_selector_and_output_path() -> None:
    error = {"Error": "E", "Cause": "c"}
    output = {"in": {"a": 1}, "err": error}
    state = {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "End"}]}
    found = flow(state, recorded({"in": {"a": 1}}, {"x": 1}, error=error, output=output))
    assert found[3:] == [
        ("result", '{"Error":"E","Cause":"c"}', RECORDED, "the error a Catch handled"),
        ("afterResultSelector", None, NOT_APPLICABLE, "not applied to a caught error"),
        (
            "afterResultPath",
            '{"in":{"a":1},"err":{"Error":"E","Cause":"c"}}',
            RECORDED,
            "the Catch's ResultPath",
        ),
        (
            "output",
            '{"in":{"a":1},"err":{"Error":"E","Cause":"c"}}',
            RECORDED,
            "OutputPath is not applied to a caught error",
        ),
    ]


def test_a_pass_state_with_a_result() -> None:
    state = {"Type": "Pass", "Result": {"k": 1}, "ResultPath": "$.res", "End": True}
    found = flow(state, recorded({"a": 0}, output={"a": 0, "res": {"k": 1}}))
    assert found == [
        ("input", '{"a":0}', RECORDED, ""),
        ("afterInputPath", '{"a":0}', COMPUTED, ""),
        ("afterParameters", None, NOT_APPLICABLE, "a Pass state with Result ignores its input"),
        ("result", '{"k":1}', COMPUTED, ""),
        ("afterResultPath", '{"a":0,"res":{"k":1}}', COMPUTED, ""),
        ("output", '{"a":0,"res":{"k":1}}', RECORDED, ""),
    ]


def test_a_pass_state_without_parameters_passes_its_input() -> None:
    found = flow({"Type": "Pass", "End": True}, recorded([1], output=[1]))
    assert [name for name, *_ in found] == [
        "input",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultPath",
        "output",
    ]
    assert {value for _, value, *_ in found} == {"[1]"}


def test_choice_wait_and_succeed_have_no_result_stages() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "End"}],
        "Default": "End",
    }
    assert [name for name, *_ in flow(choice, recorded({"a": 1}, output={"a": 1}))] == [
        "input",
        "afterInputPath",
        "output",
    ]
    assert [name for name, *_ in flow({"Type": "Succeed"}, recorded({}, output={}))] == [
        "input",
        "afterInputPath",
        "output",
    ]


def test_a_fail_state_has_only_its_input() -> None:
    assert flow({"Type": "Fail", "Error": "E"}, recorded({"a": 1})) == [("input", '{"a":1}', RECORDED, "")]


def test_a_map_result_is_read_back_from_the_output() -> None:
    state = {
        "Type": "Map",
        "ResultPath": "$.results",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    found = flow(state, recorded({"items": [1]}, output={"items": [1], "results": [1]}))
    assert found[2] == ("afterParameters", None, NOT_APPLICABLE, "ItemSelector applies to each item")
    assert found[3] == ("result", "[1]", COMPUTED, "read back from the output through ResultPath")
    assert found[5] == ("afterResultPath", '{"items":[1],"results":[1]}', COMPUTED, "")


def test_a_map_result_behind_an_output_path_is_unknown() -> None:
    state = {
        "Type": "Map",
        "ResultPath": "$.results",
        "OutputPath": "$.results",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    found = flow(state, recorded({"items": [1]}, output=[1]))
    assert found[3] == ("result", None, UNKNOWN, "not recorded in the history")


def test_a_jsonata_task() -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "Arguments": {"x": "{% $states.input.a %}"}, "End": True}
    found = flow(
        state, recorded({"a": 1}, {"x": 1}, {"Payload": 2}, output={"Payload": 2}), QueryLanguage="JSONata"
    )
    assert found == [
        ("input", '{"a":1}', RECORDED, ""),
        ("arguments", '{"x":1}', RECORDED, ""),
        ("result", '{"Payload":2}', RECORDED, ""),
        ("output", '{"Payload":2}', RECORDED, ""),
    ]
    missing = flow(state, recorded({"a": 1}), QueryLanguage="JSONata")
    assert missing[1] == ("arguments", None, UNKNOWN, "JSONata Arguments are not recomputed")


def test_a_jsonata_pass_and_fail() -> None:
    assert flow({"Type": "Pass", "End": True}, recorded(1, output=1), QueryLanguage="JSONata") == [
        ("input", "1", RECORDED, ""),
        ("output", "1", RECORDED, ""),
    ]
    assert flow({"Type": "Fail"}, recorded(1), QueryLanguage="JSONata") == [("input", "1", RECORDED, "")]


def test_stage_labels() -> None:
    assert Stage("afterResultPath", None, UNKNOWN).label == "After ResultPath"
    assert Stage("custom", None, UNKNOWN).label == "custom"
    assert repr(MISSING) == "MISSING"
