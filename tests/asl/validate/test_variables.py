"""Workflow variables and ``$states.result`` at definition time (issue 9).

Rules from AWS's documentation (reference §3.2, §3.3): variable names cannot be sub-paths ("cannot
assign sub-paths (x.y, x[2])"), are at most 80 characters, and an inner scope (Parallel branch, Map
processor) "cannot assign to outer names; no shadowing"; ``$states.result`` is a Task/Parallel/Map
result only. The diagnostics' words are guesses (validate_variables, validate_expressions).
"""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate import validate_definition

Triple = tuple[str, str, str | None]
PASS_END = {"Type": "Pass", "End": True}
LAMBDA = "arn:aws:states:::lambda:invoke"
SHADOWED = "Variable '{}' is already assigned in an outer scope and cannot be assigned in an inner scope"


def found(definition: Any) -> list[Triple]:
    return [(d.code, d.message, d.location) for d in validate_definition(definition)]


def schema(message: str, location: str) -> Triple:
    return ("SCHEMA_VALIDATION_FAILED", message, location)


def assigning(assign: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**top, "StartAt": "A", "States": {"A": {**PASS_END, "Assign": assign}}}


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.y", "x[2]", "a b", "1st", "my-var", ""])
def test_a_name_that_is_not_an_identifier_is_refused(name: str) -> None:
    assert found(assigning({name: 1})) == [
        schema(f"Invalid Variable name: {name}", f"/States/A/Assign/{name}")
    ]


def test_jsonpath_keys_drop_their_dollar_suffix() -> None:
    assert found(assigning({"count.$": "$.n", "ok": 1})) == []
    assert found(assigning({"x.y.$": "$.n"})) == [
        schema("Invalid Variable name: x.y", "/States/A/Assign/x.y.$")
    ]


def test_jsonata_keys_are_names_as_written() -> None:
    assert found(assigning({"total": "{% 1 + 1 %}"}, QueryLanguage="JSONata")) == []
    assert [d[1] for d in found(assigning({"x.y": "{% 1 %}"}, QueryLanguage="JSONata"))] == [
        "Invalid Variable name: x.y"
    ]


def test_names_may_be_unicode_identifiers_up_to_80_characters() -> None:
    assert found(assigning({"données_2": 1, "_x": 2, "v" * 80: 3})) == []
    long_name = "v" * 81
    assert found(assigning({long_name: 1})) == [
        schema(
            "Invalid Variable name: Variable exceeds the 80-character limit allowed by the service",
            f"/States/A/Assign/{long_name}",
        )
    ]


def test_choice_rule_and_catcher_assignments_are_checked_too() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "E", "Assign": {"a.b": 1}}],
        "Default": "E",
    }
    catcher = {"ErrorEquals": ["States.ALL"], "Next": "E", "Assign": {"c d": 1}}
    definition = {
        "StartAt": "C",
        "States": {
            "C": {**choice, "Default": "T"},
            "T": {"Type": "Task", "Resource": LAMBDA, "Catch": [catcher], "Next": "E"},
            "E": {"Type": "Succeed"},
        },
    }
    assert found(definition) == [
        schema("Invalid Variable name: a.b", "/States/C/Choices[0]/Assign/a.b"),
        schema("Invalid Variable name: c d", "/States/T/Catch[0]/Assign/c d"),
    ]


# --- scopes --------------------------------------------------------------------------------------


def _with_inner(
    outer_assign: dict[str, Any], inner_assign: dict[str, Any], kind: str = "Map"
) -> dict[str, Any]:
    program = {"StartAt": "I", "States": {"I": {**PASS_END, "Assign": inner_assign}}}
    nested: dict[str, Any] = (
        {"Type": "Map", "ItemProcessor": program, "End": True}
        if kind == "Map"
        else {"Type": "Parallel", "Branches": [program], "End": True}
    )
    return {
        "StartAt": "O",
        "States": {"O": {"Type": "Pass", "Assign": outer_assign, "Next": "N"}, "N": nested},
    }


@pytest.mark.parametrize("kind", ["Map", "Parallel"])
def test_an_inner_scope_may_not_assign_an_outer_name(kind: str) -> None:
    where = (
        "/States/N/ItemProcessor/States/I/Assign/x"
        if kind == "Map"
        else "/States/N/Branches[0]/States/I/Assign/x"
    )
    assert found(_with_inner({"x": 1}, {"x": 2}, kind)) == [schema(SHADOWED.format("x"), where)]
    assert found(_with_inner({"x": 1}, {"y": 2}, kind)) == []


def test_shadowing_is_refused_at_any_depth_and_siblings_are_isolated() -> None:
    deepest = {"StartAt": "D", "States": {"D": {**PASS_END, "Assign": {"top": 3}}}}
    middle = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": deepest, "End": True}}}
    definition = {
        "StartAt": "O",
        "States": {
            "O": {"Type": "Pass", "Assign": {"top": 1}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [middle], "End": True},
        },
    }
    assert found(definition) == [
        schema(SHADOWED.format("top"), "/States/P/Branches[0]/States/M/ItemProcessor/States/D/Assign/top")
    ]
    sibling = {"StartAt": "S1", "States": {"S1": {**PASS_END, "Assign": {"same": 1}}}}
    other = {"StartAt": "S2", "States": {"S2": {**PASS_END, "Assign": {"same": 2}}}}
    assert (
        found(
            {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [sibling, other], "End": True}}}
        )
        == []
    )


def test_a_map_or_parallel_assigns_in_its_own_outer_scope() -> None:
    # The state's own Assign and its catchers' Assign write the scope the state sits in.
    program = {"StartAt": "I", "States": {"I": PASS_END}}
    catcher = {"ErrorEquals": ["States.ALL"], "Next": "E", "Assign": {"x": 2}}
    state = {"Type": "Map", "ItemProcessor": program, "Assign": {"x": 1}, "Catch": [catcher], "Next": "E"}
    assert found({"StartAt": "M", "States": {"M": state, "E": {"Type": "Succeed"}}}) == []


def test_a_distributed_processor_has_its_own_scope() -> None:
    program = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "I",
        "States": {"I": {**PASS_END, "Assign": {"x": 2}}},
    }
    definition = {
        "StartAt": "O",
        "States": {
            "O": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": program, "End": True},
        },
    }
    assert found(definition) == []


# --- $states.result ------------------------------------------------------------------------------

RESULT_MISSING = ("UNSUPPORTED_JSONATA_EXPRESSION", "Field '$states.result' does not exist.")


def test_states_result_in_a_pass_state_is_refused() -> None:
    for field in ("Output", "Assign"):
        value: Any = "{% $states.result %}" if field == "Output" else {"r": "{% $states.result.x %}"}
        definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {**PASS_END, field: value}}}
        assert found(definition) == [(*RESULT_MISSING, f"/States/P/{field}")]


def test_states_result_in_other_result_less_states_is_refused() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 0, "Output": "{% $states.result %}", "Next": "S"},
            "S": {"Type": "Succeed", "Output": "{% $states . result %}"},
        },
    }
    assert found(definition) == [(*RESULT_MISSING, "/States/S/Output"), (*RESULT_MISSING, "/States/W/Output")]


def test_states_result_where_a_result_exists_or_inside_a_string_is_accepted() -> None:
    task = {"Type": "Task", "Resource": LAMBDA, "Output": "{% $states.result.Payload %}", "End": True}
    assert found({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": task}}) == []
    quoted = {**PASS_END, "Output": "{% '$states.result' %}"}
    assert found({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": quoted}}) == []
