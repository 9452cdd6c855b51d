"""Payload templates (Parameters, ResultSelector, ItemSelector, JSONPath Assign) and single
path-or-intrinsic fields (ErrorPath, CausePath)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stepwell.asl.paths import InvalidPath
from stepwell.asl.scope import Scope
from stepwell.asl.templates import compile_payload_template, compile_value_expression
from stepwell.errors import RUNTIME, EvaluationError

CONTEXT = {"Execution": {"Id": "arn:exec", "Input": {"int-literal": 0}}, "State": {"Name": "S"}}


def scope(value: Any, **variables: Any) -> Scope:
    return Scope(value, variables=variables, context=CONTEXT)


def test_fields_ending_in_dollar_are_evaluated_and_renamed() -> None:
    template = {
        "literal": "$.not_a_path",
        "fromInput.$": "$.a",
        "fromContext.$": "$$.Execution.Id",
        "fromVariable.$": "$v.k",
        "whole.$": "$",
        "call.$": "States.Format('{}-{}', $.a, $v.k)",
        "nested": {"deep.$": "$.l[1]", "n": 1},
        "list.$": "$.l[*]",
    }
    out = compile_payload_template(template, "Parameters").evaluate(
        scope({"a": 1, "l": [5, 6]}, v={"k": "K"})
    )
    assert out == {
        "literal": "$.not_a_path",
        "fromInput": 1,
        "fromContext": "arn:exec",
        "fromVariable": "K",
        "whole": {"a": 1, "l": [5, 6]},
        "call": "1-K",
        "nested": {"deep": 6, "n": 1},
        "list": [5, 6],
    }
    assert list(out) == [
        "literal",
        "fromInput",
        "fromContext",
        "fromVariable",
        "whole",
        "call",
        "nested",
        "list",
    ]


def test_objects_inside_arrays_are_templates_too() -> None:
    template = {"Entries": [{"Detail.$": "$", "Source": "s"}, 3, [{"x.$": "$.a"}]]}
    out = compile_payload_template(template, "Parameters").evaluate(scope({"a": 1}))
    assert out == {"Entries": [{"Detail": {"a": 1}, "Source": "s"}, 3, [{"x": 1}]]}


def test_top_level_array_template() -> None:
    out = compile_payload_template([{"x.$": "$.a"}, "y"], "Parameters").evaluate(scope({"a": 2}))
    assert out == [{"x": 2}, "y"]


def test_constant_template_is_prebuilt_and_shared() -> None:
    value = {"a": [1, {"b.c": 2}], "d": None}
    template = compile_payload_template(value, "ResultSelector")
    assert template.is_constant
    first = template.evaluate(scope({}))
    assert first == value
    assert template.evaluate(scope({"other": 1})) is first


def test_constant_parts_of_a_dynamic_template_are_shared() -> None:
    template = compile_payload_template({"const": {"big": [1, 2, 3]}, "x.$": "$.a"}, "Parameters")
    one, two = template.evaluate(scope({"a": 1})), template.evaluate(scope({"a": 2}))
    assert one is not two
    assert one["const"] is two["const"]
    assert (one["x"], two["x"]) == (1, 2)


def test_evaluation_never_changes_the_input() -> None:
    value = {"a": {"b": [1, 2]}, "c": 1}
    snapshot = copy.deepcopy(value)
    out = compile_payload_template({"x.$": "$.a", "y": {"z.$": "$.a.b"}}, "Parameters").evaluate(scope(value))
    assert value == snapshot
    assert out == {"x": {"b": [1, 2]}, "y": {"z": [1, 2]}}


def test_wildcard_on_missing_input_is_an_empty_list() -> None:
    # base__test_json_path_array_wildcard_or_slice_with_no_input__.items_star
    out = compile_payload_template({"item.$": "$.items[*]"}, "Parameters").evaluate(scope({}))
    assert out == {"item": []}


def test_missing_context_path_names_the_field_and_the_state_input() -> None:
    # scenarios__test_invalid_jsonpath__INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH
    template = compile_payload_template({"value.$": "$$.Execution.Input.no_such_jsonpath"}, "Parameters")
    with pytest.raises(EvaluationError) as caught:
        template.evaluate(scope({"int-literal": 0}))
    assert caught.value.error == RUNTIME
    assert caught.value.cause == (
        "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' "
        "could not be found in the input '{\"int-literal\":0}'"
    )


def test_missing_nested_path_names_the_innermost_field() -> None:
    template = compile_payload_template({"outer": [{"missing.$": "$.nope.deep"}]}, "Parameters")
    with pytest.raises(EvaluationError) as caught:
        template.evaluate(scope({"other": 1, "ü": "é"}))
    assert caught.value.cause == (
        "The JSONPath '$.nope.deep' specified for the field 'missing.$' could not be found in the "
        'input \'{"other":1,"ü":"é"}\''
    )


def test_missing_path_inside_an_intrinsic_names_the_path() -> None:
    template = compile_payload_template({"f.$": "States.Format('{}', $.nope)"}, "Parameters")
    with pytest.raises(EvaluationError) as caught:
        template.evaluate(scope({"a": 1}))
    assert caught.value.cause == (
        "The JSONPath '$.nope' specified for the field 'f.$' could not be found in the input '{\"a\":1}'"
    )


def test_undefined_variable_is_reported_as_such() -> None:
    template = compile_payload_template({"x.$": "$nope"}, "Assign")
    with pytest.raises(EvaluationError, match=r"Variable 'nope' is not defined\."):
        template.evaluate(scope({}))


@pytest.mark.parametrize(
    "template",
    [
        {"x.$": 1},
        {"x.$": None},
        {"x.$": {"a": 1}},
        {"x.$": "missing"},
        {"x.$": "$.a b"},
        {"x.$": "$["},
        {"n": [{"x.$": "$$."}]},
    ],
)
def test_invalid_dynamic_fields_fail_at_compile_time(template: Any) -> None:
    with pytest.raises(InvalidPath):
        compile_payload_template(template, "Parameters")


def test_invalid_intrinsic_fails_at_compile_time() -> None:
    with pytest.raises(ValueError):
        compile_payload_template({"x.$": "States.NoSuchFunction()"}, "Parameters")


# --- single path-or-intrinsic fields ----------------------------------------------------------------


def test_value_expression_reads_paths_and_intrinsics() -> None:
    # base__test_state_fail_path and context_object__test_error_cause_path
    s = scope({"Error": "error string", "Cause": "cause string"})
    assert compile_value_expression("$.Error", "ErrorPath").evaluate(s) == "error string"
    assert compile_value_expression("$$.State.Name", "ErrorPath").evaluate(s) == "S"
    assert (
        compile_value_expression("States.Format('c:{}', $.Cause)", "CausePath").evaluate(s)
        == "c:cause string"
    )


def test_value_expression_missing_path_names_the_field() -> None:
    # scenarios__test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_CAUSEPATH
    expression = compile_value_expression("$.NoSuchCausePath", "CausePath")
    with pytest.raises(EvaluationError) as caught:
        expression.evaluate(scope({"Error": "error-value"}))
    assert caught.value.error == RUNTIME
    assert caught.value.cause == (
        "The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in "
        'the input \'{"Error":"error-value"}\''
    )


def test_value_expression_rejects_non_paths() -> None:
    for bad in [3, "text", "$.a b"]:
        with pytest.raises(InvalidPath):
            compile_value_expression(bad, "CausePath")
