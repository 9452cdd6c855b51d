"""Pass 4: every expression must compile with the engine's compilers, reported with AWS's words at
the field holding it; JSONata's ``$$``, ``$states.errorOutput`` and ``$states.result`` rules."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.expressions import (
    INVALID_JSONATA_EXPRESSION,
    UNSUPPORTED_JSONATA_EXPRESSION,
    check_expressions,
)
from tests.asl.validate.support import Triple, one_state, schema, triples

LAMBDA = "arn:aws:states:::lambda:invoke"
TASK: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA, "End": True}


def check(state: dict[str, Any], **top: Any) -> list[Triple]:
    return triples(check_expressions(one_state(state, **top)))


def jsonata(state: dict[str, Any]) -> list[Triple]:
    return check(state, QueryLanguage="JSONata")


def dynamic(field: str) -> str:
    return f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"


@pytest.mark.parametrize("field", ["InputPath", "OutputPath"])
def test_paths_must_compile(field: str) -> None:
    assert check({**TASK, field: "$.a"}) == []
    assert check({**TASK, field: "$.a b"}) == [
        schema(f"The value for the field '{field}' must be a valid JSONPath", f"/States/X/{field}")
    ]


def test_items_path() -> None:
    state = {"Type": "Map", "ItemProcessor": {}, "End": True, "ItemsPath": "nope"}
    assert check(state) == [
        schema("The value for the field 'ItemsPath' must be a valid JSONPath", "/States/X/ItemsPath")
    ]


@pytest.mark.parametrize(
    ("path", "ok"), [("$", True), ("$.a[0].b", True), ("$.a[*]", False), ("$$.x", False), ("$v", False)]
)
def test_result_path_is_a_reference_path(path: str, ok: bool) -> None:
    found = check({**TASK, "ResultPath": path})
    assert found == ([] if ok else [schema("Value is not a Reference Path", "/States/X/ResultPath")])


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("$.s", True),
        ("$$.Execution.Input.s", True),
        ("$waitTime", True),
        ("$.s[*]", False),
        ("$.s.length()", False),
        ("x", False),
    ],
)
def test_value_paths_are_definite(path: str, ok: bool) -> None:
    found = check({"Type": "Wait", "End": True, "SecondsPath": path})
    assert found == ([] if ok else [schema("Value is not a Reference Path", "/States/X/SecondsPath")])


def test_map_value_paths_may_not_read_the_context_object() -> None:
    state = {"Type": "Map", "ItemProcessor": {}, "End": True}
    assert check({**state, "MaxConcurrencyPath": "$.n"}) == []
    # floci-io/floci#3733, measured against AWS.
    assert check({**state, "MaxConcurrencyPath": "$$.Execution.Input.n"}) == [
        schema("Value is not a Reference Path", "/States/X/MaxConcurrencyPath")
    ]


def test_error_and_cause_paths_take_a_path_or_an_intrinsic() -> None:
    fail = {"Type": "Fail"}
    assert check({**fail, "ErrorPath": "$.e", "CausePath": "States.Format('x {}', $.c)"}) == []
    assert check({**fail, "CausePath": "States.Nope($.c)"}) == [
        schema(dynamic("CausePath"), "/States/X/CausePath")
    ]
    assert check({**fail, "ErrorPath": "e"}) == [schema(dynamic("ErrorPath"), "/States/X/ErrorPath")]


def test_template_keys_ending_in_dollar_hold_paths_or_intrinsics() -> None:
    parameters = {
        "ok.$": "$.a",
        "fn.$": "States.Array($.a, 1)",
        "plain": "$.not a path",
        "nested": {"list": [{"bad.$": "$.a b"}], "worse.$": 3},
    }
    assert check({**TASK, "Parameters": parameters}) == [
        schema(dynamic("bad.$"), "/States/X/Parameters/nested/list[0]/bad.$"),
        schema(dynamic("worse.$"), "/States/X/Parameters/nested/worse.$"),
    ]


def test_catcher_result_paths_and_assigns() -> None:
    catcher = {"ErrorEquals": ["States.ALL"], "Next": "X", "ResultPath": "$.e[*]", "Assign": {"v.$": "bad"}}
    assert check({**TASK, "Catch": [catcher]}) == [
        schema("Value is not a Reference Path", "/States/X/Catch[0]/ResultPath"),
        schema(dynamic("v.$"), "/States/X/Catch[0]/Assign/v.$"),
    ]


def test_choice_rules_compile_with_the_engine_compiler() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.a b", "IsNull": True, "Next": "X", "Assign": {"v.$": "no"}}],
    }
    [rule_problem, assign_problem] = check(choice)
    assert rule_problem[0] == "SCHEMA_VALIDATION_FAILED"
    assert rule_problem[2] == "/States/X/Choices[0]"
    assert assign_problem == schema(dynamic("v.$"), "/States/X/Choices[0]/Assign/v.$")


def test_good_jsonata_passes() -> None:
    state = {
        **TASK,
        "Arguments": {"a": "{% $states.input.a %}"},
        "Output": "{% $states.result %}",
        "Assign": {"x": "{% 1 %}"},
    }
    assert jsonata(state) == []


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1 +", "Unexpected end of expression"),
        ("(1", 'Expected ")" before end of expression'),
        ("a.b[", 'Expected "]" before end of expression'),
        ('"open', "String literal must be terminated by a matching quote"),
    ],
)
def test_jsonata_that_does_not_parse_is_reported_at_its_top_level_field(
    expression: str, message: str
) -> None:
    # jsonata-js's messages, without their "S0xxx: " code.
    found = jsonata({**TASK, "Output": {"deep": ["{%" + expression + "%}"]}})
    assert found == [(INVALID_JSONATA_EXPRESSION, message, "/States/X/Output")]


def test_the_context_object_is_unsupported_in_jsonata() -> None:
    # Measured against AWS (floci-io/floci).
    assert jsonata({**TASK, "Output": "{% $$.Execution.Id %}"}) == [
        (UNSUPPORTED_JSONATA_EXPRESSION, "Reference to '$$' is not supported.", "/States/X/Output")
    ]
    # ... but "$$" inside a string literal is just text.
    assert jsonata({**TASK, "Output": "{% '$$' & \"$$\" %}"}) == []


def test_error_output_exists_only_in_a_catcher() -> None:
    assert jsonata({**TASK, "Output": "{% $states.errorOutput %}"}) == [
        (UNSUPPORTED_JSONATA_EXPRESSION, "Field '$states.errorOutput' does not exist.", "/States/X/Output")
    ]
    catcher = {
        "ErrorEquals": ["States.ALL"],
        "Next": "X",
        "Output": "{% $states.errorOutput %}",
        "Assign": {"e": "{% $states.errorOutput.Error %}"},
    }
    assert jsonata({**TASK, "Catch": [catcher]}) == []


def test_result_exists_only_in_states_that_produce_one() -> None:
    assert jsonata({"Type": "Pass", "End": True, "Output": "{% $states.result %}"}) == [
        (UNSUPPORTED_JSONATA_EXPRESSION, "Field '$states.result' does not exist.", "/States/X/Output")
    ]
    assert jsonata({**TASK, "Output": "{% $states . result %}"}) == []


def test_names_transitions_and_comments_are_not_expressions() -> None:
    assert jsonata({"Type": "Pass", "Next": "{% nope", "Comment": "{% 1 + %}"}) == []


def test_choice_conditions_are_compiled() -> None:
    choice = {"Type": "Choice", "Choices": [{"Condition": "{% 1 + %}", "Next": "X"}], "Default": "X"}
    [(code, _, where)] = jsonata(choice)
    assert (code, where) == (INVALID_JSONATA_EXPRESSION, "/States/X/Choices[0]/Condition")
