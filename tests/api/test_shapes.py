"""The first pass over a request: every member must have its shape's JSON type, with Coral's texts
for the first mismatch; null members and undeclared ones are dropped."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from stepwell.api.shapes import (
    OPERATION_SHAPES,
    SERVICE_ERROR_CODES,
    START_OF_LIST,
    START_OF_STRUCTURE,
    TARGET_PREFIX,
    TypeMismatch,
    reader_for,
)


def mismatch(shape: str, value: Any) -> str | None:
    with pytest.raises(TypeMismatch) as raised:
        reader_for(shape)(value)
    return raised.value.message


def test_the_model() -> None:
    assert TARGET_PREFIX == "AWSStepFunctions."
    assert OPERATION_SHAPES["StartExecution"] == ("StartExecutionInput", "StartExecutionOutput")
    assert OPERATION_SHAPES["ListStateMachines"] == ("ListStateMachinesInput", "ListStateMachinesOutput")
    assert {
        "InvalidArn",
        "ExecutionDoesNotExist",
        "ValidationException",
        "StateMachineDoesNotExist",
    } <= SERVICE_ERROR_CODES
    assert "StartExecutionInput" not in SERVICE_ERROR_CODES


def test_a_structure_keeps_only_declared_non_null_members() -> None:
    read = reader_for("StartExecutionInput")
    value = {"stateMachineArn": "arn:x", "name": None, "input": "{}", "unknown": 5}
    assert read(value) == {"stateMachineArn": "arn:x", "input": "{}"}
    assert value == {"stateMachineArn": "arn:x", "name": None, "input": "{}", "unknown": 5}  # not changed


@pytest.mark.parametrize(
    ("shape", "value", "message"),
    # Coral's texts, measured against a Coral JSON service (see the module docstring).
    [
        ("ListStateMachinesInput", {"maxResults": "1"}, "STRING_VALUE can not be converted to an Integer"),
        ("ListStateMachinesInput", {"maxResults": True}, "TRUE_VALUE can not be converted to an Integer"),
        ("ListStateMachinesInput", {"maxResults": [1]}, START_OF_LIST),
        ("ListStateMachinesInput", {"maxResults": {"a": 1}}, START_OF_STRUCTURE),
        ("ListStateMachinesInput", {"nextToken": 1}, "NUMBER_VALUE can not be converted to a String"),
        ("ListStateMachinesInput", {"nextToken": False}, "FALSE_VALUE can not be converted to a String"),
        ("CreateStateMachineInput", {"publish": "true"}, "STRING_VALUE can not be converted to a Boolean"),
        ("CreateStateMachineInput", {"loggingConfiguration": "x"}, "Expected null"),
        ("CreateStateMachineInput", {"loggingConfiguration": [1]}, START_OF_LIST),
        ("CreateStateMachineInput", {"tags": "x"}, "Expected list or null"),
        ("CreateStateMachineInput", {"tags": {"k": "v"}}, START_OF_STRUCTURE),
        ("UpdateMapRunInput", {"toleratedFailureCount": "1"}, "STRING_VALUE can not be converted to a Long"),
        (
            "UpdateMapRunInput",
            {"toleratedFailurePercentage": "1"},
            "STRING_VALUE can not be converted to a Float",
        ),
        (
            "UpdateMapRunInput",
            {"toleratedFailurePercentage": True},
            "TRUE_VALUE can not be converted to a Float",
        ),
    ],
)
def test_type_mismatches_in_corals_words(shape: str, value: dict[str, Any], message: str) -> None:
    assert mismatch(shape, value) == message


def test_the_first_mismatch_in_document_order_wins() -> None:
    value = {"nextToken": 1, "maxResults": "1"}
    assert mismatch("ListStateMachinesInput", value) == "NUMBER_VALUE can not be converted to a String"
    assert mismatch("ListStateMachinesInput", dict(reversed(value.items()))) == (
        "STRING_VALUE can not be converted to an Integer"
    )


def test_a_non_object_request() -> None:
    assert mismatch("ListStateMachinesInput", [1]) == START_OF_LIST
    assert mismatch("ListStateMachinesInput", "x") == "Expected null"


def test_integers_truncate_a_fraction_and_refuse_non_finite_values() -> None:
    read = reader_for("ListStateMachinesInput")
    assert read({"maxResults": 5}) == {"maxResults": 5}
    assert read({"maxResults": 5.9}) == {"maxResults": 5}
    assert read({"maxResults": -1.5}) == {"maxResults": -2}  # floored, as dynalite found on DynamoDB
    assert (
        mismatch("ListStateMachinesInput", {"maxResults": math.inf})
        == "NUMBER_VALUE can not be converted to an Integer"
    )


def test_floats_take_integers_and_huge_ones_are_infinite() -> None:
    read = reader_for("UpdateMapRunInput")
    assert read({"toleratedFailurePercentage": 5}) == {"toleratedFailurePercentage": 5.0}
    assert read({"toleratedFailurePercentage": 10**400}) == {"toleratedFailurePercentage": math.inf}
    assert read({"toleratedFailurePercentage": -(10**400)}) == {"toleratedFailurePercentage": -math.inf}


def test_timestamps_are_epoch_seconds() -> None:
    # GetExecutionHistory has none in its input; the reader is the model's "timestamp" one.
    read = reader_for("Timestamp")
    assert read(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert read(1714564800.5) == datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)
    assert (
        mismatch("Timestamp", "2024-05-01") == "STRING_VALUE can not be converted to milliseconds since epoch"
    )
    assert mismatch("Timestamp", 1e20) is None  # out of range: a mismatch without Coral's words


def test_lists_keep_null_elements_for_the_constraints_pass() -> None:
    read = reader_for("TagResourceInput")
    value = {"resourceArn": "arn", "tags": [{"key": "k", "value": None}, None]}
    assert read(value) == {"resourceArn": "arn", "tags": [{"key": "k"}, None]}


def test_readers_are_compiled_once() -> None:
    assert reader_for("StartExecutionInput") is reader_for("StartExecutionInput")
