"""Choice rules (JSONPath mode): the AWS-recorded choice_operators cases, then the edges around them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.choice import (
    OPERATOR_NAMES,
    ChoiceCondition,
    InvalidChoiceRule,
    compile_choice_rule,
    parse_timestamp,
)
from stepwell.asl.scope import Scope
from stepwell.errors import RUNTIME, EvaluationError
from tests.shared_cases import case_files, requires_shared

CASE_FILES = case_files("choice_operators__*.json")
STATE_PREFIX = re.compile(
    r"^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. "
)


def _choose(state: dict[str, Any], scope: Scope) -> str | None:
    """The Next of the first matching rule, else Default (None if there is none)."""
    for rule in state["Choices"]:
        if compile_choice_rule(rule).evaluate(scope):
            return str(rule["Next"])
    return state.get("Default")


def _branch_for_output(states: dict[str, Any], output: Any) -> str:
    """The name of the (only) Pass state whose Result is the recorded execution output."""
    names = [n for n, s in states.items() if s["Type"] == "Pass" and s.get("Result") == output]
    assert len(names) == 1, f"cannot tell which branch produced {output!r}"
    return names[0]


@requires_shared
def test_all_recorded_cases_are_found() -> None:
    assert len(CASE_FILES) == 336


@pytest.mark.parametrize("case_file", CASE_FILES, ids=lambda p: p.stem.split("__", 1)[1])
def test_recorded_choice_operator_case(case_file: Path) -> None:
    case = json.loads(case_file.read_text())
    states = case["definition"]["States"]
    choice_name = case["definition"]["StartAt"]
    assert states[choice_name]["Type"] == "Choice"
    scope = Scope(case["input"])
    expected = case["expected"]
    if expected["status"] == "SUCCEEDED":
        assert _choose(states[choice_name], scope) == _branch_for_output(states, expected["output"])
    else:
        with pytest.raises(EvaluationError) as failure:
            _choose(states[choice_name], scope)
        assert failure.value.error == expected["error"]
        assert failure.value.cause == STATE_PREFIX.sub("", expected["cause"])


# --- helpers for the edge tests -----------------------------------------------------------------


def matches(rule: dict[str, Any], value: Any = None, **input_fields: Any) -> bool:
    data = {"v": value, **input_fields}
    return compile_choice_rule(rule).evaluate(Scope(data))


def var(op: str, operand: Any) -> dict[str, Any]:
    return {"Variable": "$.v", op: operand, "Next": "X"}


# --- API ----------------------------------------------------------------------------------------


def test_there_are_39_operators() -> None:
    assert len(OPERATOR_NAMES) == 39


def test_compile_returns_a_condition_and_ignores_engine_keys() -> None:
    rule = {"Variable": "$.v", "StringEquals": "a", "Next": "X", "Comment": "c", "Assign": {"x": 1}}
    condition = compile_choice_rule(rule)
    assert isinstance(condition, ChoiceCondition)
    assert condition.evaluate(Scope({"v": "a"})) is True
    assert condition.evaluate(Scope({"v": "b"})) is False


# --- type mismatches never match ----------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, "1", None, [1], {"a": 1}])
def test_numeric_operators_do_not_match_non_numbers(value: Any) -> None:
    assert not matches(var("NumericEquals", 1), value)
    assert not matches(var("NumericGreaterThanEquals", 0), value)
    assert not matches(var("NumericLessThan", 10), value)


def test_numbers_compare_by_value_across_int_and_float() -> None:
    assert matches(var("NumericEquals", 1), 1.0)
    assert matches(var("NumericEquals", 0.0), 0)
    assert matches(var("NumericLessThan", 2), 1.5)
    assert not matches(var("NumericEquals", 1), 1.1)
    assert matches(var("NumericGreaterThanEquals", 10**20), 10**20)


def test_boolean_equals_does_not_treat_numbers_as_booleans() -> None:
    assert not matches(var("BooleanEquals", False), 0)
    assert not matches(var("BooleanEquals", True), 1)
    assert matches(var("BooleanEquals", False), False)


def test_string_comparisons_are_lexicographic_and_exact() -> None:
    assert matches(var("StringLessThan", "AB"), "A")
    assert not matches(var("StringGreaterThan", "A "), "A")
    assert not matches(var("StringEquals", "\t\r\n"), "\t\n")
    assert not matches(var("StringEquals", "0"), 0)
    assert matches(var("StringGreaterThanEquals", ""), "")


# --- missing paths ------------------------------------------------------------------------------


def test_missing_variable_fails_with_runtime_error() -> None:
    with pytest.raises(EvaluationError) as failure:
        compile_choice_rule({"Variable": "$.missing", "NumericEquals": 1}).evaluate(Scope({"v": 1}))
    assert failure.value.error == RUNTIME
    assert failure.value.cause == (
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    )


def test_is_present_tells_whether_the_path_matches() -> None:
    present = compile_choice_rule({"Variable": "$.a.b", "IsPresent": True})
    absent = compile_choice_rule({"Variable": "$.a.b", "IsPresent": False})
    assert present.evaluate(Scope({"a": {"b": None}}))
    assert not absent.evaluate(Scope({"a": {"b": None}}))
    assert not present.evaluate(Scope({"a": {}}))
    assert absent.evaluate(Scope({"a": {}}))


def test_missing_path_operand_fails_with_runtime_error() -> None:
    rule = {"Variable": "$.v", "NumericEqualsPath": "$.missing"}
    with pytest.raises(EvaluationError) as failure:
        compile_choice_rule(rule).evaluate(Scope({"v": 1}))
    assert failure.value.cause == (
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    )


def test_path_operand_of_wrong_type_does_not_match_equality() -> None:
    assert not matches({"Variable": "$.v", "NumericEqualsPath": "$.w"}, 1, w="1")
    assert not matches({"Variable": "$.v", "NumericEqualsPath": "$.w"}, "1", w="1")
    assert not matches({"Variable": "$.v", "StringEqualsPath": "$.w"}, 1, w=1)
    assert not matches({"Variable": "$.v", "StringGreaterThanPath": "$.w"}, 1, w="1")


def test_path_operand_of_wrong_type_fails_an_ordering() -> None:
    rule = {"Variable": "$.v", "StringGreaterThanPath": "$.w"}
    with pytest.raises(EvaluationError) as failure:
        compile_choice_rule(rule).evaluate(Scope({"v": 1, "w": 1}))
    assert failure.value.error == RUNTIME
    assert failure.value.cause == "Invalid value provided at path '$.w'"


def test_path_operands_compare_like_literals() -> None:
    assert matches({"Variable": "$.v", "NumericLessThanPath": "$.w"}, 1, w=2.5)
    assert matches({"Variable": "$.v", "BooleanEqualsPath": "$.w"}, True, w=True)
    assert not matches({"Variable": "$.v", "BooleanEqualsPath": "$.w"}, 1, w=True)
    assert matches(
        {"Variable": "$.v", "TimestampEqualsPath": "$.w"},
        "2020-01-01T01:00:00+01:00",
        w="2020-01-01T00:00:00Z",
    )


# --- timestamps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2012-10-09T19:00:55Z",
        "2012-10-09T19:00:55.5Z",
        "2012-10-09T19:00:55.123456789Z",
        "2012-10-09T19:00:55+01:00",
        "2012-10-09T19:00:55.001-05:30",
    ],
)
def test_valid_timestamps(text: str) -> None:
    assert parse_timestamp(text) is not None
    assert matches(var("IsTimestamp", True), text)


@pytest.mark.parametrize(
    "text",
    [
        "2012-10-09T19:00:55",  # no zone
        "2012-10-09",
        "2012-10-09 19:00:55Z",  # no T
        "2012-10-09t19:00:55z",  # lowercase
        "2012-13-09T19:00:55Z",  # month 13
        "2012-02-30T19:00:55Z",
        "2012-10-09T24:00:00Z",
        "2012-10-09T19:00:55.Z",
        "2012-10-09T19:00:55.1234567890Z",
        " 2012-10-09T19:00:55Z",
        "HelloWorld",
    ],
)
def test_invalid_timestamps(text: str) -> None:
    assert parse_timestamp(text) is None
    assert matches(var("IsTimestamp", False), text)
    assert not matches(var("TimestampEquals", "2012-10-09T19:00:55Z"), text)


@pytest.mark.parametrize("value", [0, None, True, [], {}])
def test_is_timestamp_false_for_non_strings(value: Any) -> None:
    assert not matches(var("IsTimestamp", True), value)


def test_timestamps_compare_as_instants() -> None:
    assert matches(var("TimestampEquals", "2012-10-09T19:00:55Z"), "2012-10-09T20:00:55+01:00")
    assert matches(var("TimestampEquals", "2012-10-09T19:00:55Z"), "2012-10-09T19:00:55.000Z")
    assert matches(
        var("TimestampLessThan", "2012-10-09T19:00:55.000000002Z"), "2012-10-09T19:00:55.000000001Z"
    )
    assert matches(var("TimestampGreaterThan", "2012-10-09T19:00:55Z"), "2012-10-09T19:00:55.1Z")
    assert matches(var("TimestampLessThanEquals", "2012-10-09T19:00:55Z"), "2012-10-09T15:00:55-03:00")


# --- StringMatches ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-2024.txt.gz", False),
        ("*", "", True),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "acb", False),
        ("log-\\*.txt", "log-*.txt", True),
        ("log-\\*.txt", "log-2024.txt", False),
        ("a\\\\b", "a\\b", True),
        ("a.c", "abc", False),
        ("a?c", "abc", False),
        ("line*end", "line\nend", True),
        ("exact", "exact", True),
    ],
)
def test_string_matches(pattern: str, value: str, expected: bool) -> None:
    assert matches(var("StringMatches", pattern), value) is expected


def test_string_matches_is_false_for_non_strings() -> None:
    assert not matches(var("StringMatches", "*"), 1)


# --- type tests ---------------------------------------------------------------------------------


def test_is_numeric_is_about_json_numbers_not_numeric_strings() -> None:
    assert matches(var("IsNumeric", True), 1.5)
    assert matches(var("IsNumeric", False), "1.5")
    assert matches(var("IsNumeric", False), True)


def test_is_null_is_string_is_boolean() -> None:
    assert matches(var("IsNull", True), None)
    assert matches(var("IsString", True), "")
    assert matches(var("IsBoolean", True), False)
    assert matches(var("IsBoolean", False), 0)


# --- composites ---------------------------------------------------------------------------------


def test_and_or_not() -> None:
    twenties = {
        "And": [
            {"Variable": "$.v", "NumericGreaterThanEquals": 20},
            {"Variable": "$.v", "NumericLessThan": 30},
        ],
        "Next": "X",
    }
    assert matches(twenties, 22)
    assert not matches(twenties, 30)
    either = {"Or": [{"Variable": "$.v", "StringEquals": "a"}, {"Variable": "$.v", "StringEquals": "b"}]}
    assert matches(either, "b")
    assert not matches(either, "c")
    assert matches({"Not": {"Variable": "$.v", "StringEquals": "Private"}, "Next": "X"}, "Public")
    assert matches({"And": [{"Variable": "$.v", "StringEquals": "Public"}]}, "Public")


def test_composites_short_circuit_before_a_failing_rule() -> None:
    guarded = {
        "And": [
            {"Variable": "$.maybe", "IsPresent": True},
            {"Variable": "$.maybe", "NumericEquals": 1},
        ]
    }
    assert not matches(guarded, 0)
    assert matches(guarded, 0, maybe=1)
    first = {"Or": [{"Variable": "$.v", "IsNull": True}, {"Variable": "$.missing", "IsNull": True}]}
    assert matches(first, None)
    with pytest.raises(EvaluationError):
        matches(first, 1)


# --- other roots --------------------------------------------------------------------------------


def test_variable_may_read_the_context_object_and_workflow_variables() -> None:
    scope = Scope({}, variables={"count": 3}, context={"Execution": {"Input": {"input-value": 0}}})
    ctx_rule = {"Variable": "$$.Execution.Input.input-value", "NumericLessThanEquals": 0}
    assert compile_choice_rule(ctx_rule).evaluate(scope)
    var_rule = {"Variable": "$count", "NumericEqualsPath": "$$.Execution.Input.input-value"}
    assert not compile_choice_rule(var_rule).evaluate(scope)
    assert compile_choice_rule({"Variable": "$count", "NumericGreaterThan": 2}).evaluate(scope)


# --- structurally invalid rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.v", "Next": "X"},  # no operator
        {"Variable": "$.v", "StringEquals": "a", "NumericEquals": 1},  # two operators
        {"Variable": "$.v", "StringEqualz": "a"},  # unknown operator
        {"StringEquals": "a"},  # no Variable
        {"Variable": 1, "StringEquals": "a"},
        {"Variable": "$.v", "StringEquals": 1},
        {"Variable": "$.v", "NumericEquals": "1"},
        {"Variable": "$.v", "NumericEquals": True},
        {"Variable": "$.v", "BooleanEquals": "true"},
        {"Variable": "$.v", "TimestampEquals": "yesterday"},
        {"Variable": "$.v", "TimestampEquals": 0},
        {"Variable": "$.v", "IsNull": "true"},
        {"Variable": "$.v", "IsPresent": 1},
        {"Variable": "$.v", "StringMatches": 1},
        {"Variable": "$.v", "StringEqualsPath": 1},
        {"And": []},
        {"Or": {"Variable": "$.v", "IsNull": True}},
        {"Not": [{"Variable": "$.v", "IsNull": True}]},
        {"And": [{"Variable": "$.v", "IsNull": True}], "Variable": "$.v"},
        {"And": [{"Variable": "$.v"}]},
        "StringEquals",
    ],
)
def test_invalid_rules_are_rejected_at_compile_time(rule: Any) -> None:
    with pytest.raises(InvalidChoiceRule):
        compile_choice_rule(rule)
