"""jsonata-js's messages rebuilt from the port's exceptions, and the bare messages of AWS's bounds."""

from __future__ import annotations

from typing import Any

import pytest
from jsonata import JException

from stepwell.asl.jsonata.errors import (
    MAX_SEQUENCE_LENGTH,
    MEMORY_LIMIT_MESSAGE,
    STACK_MESSAGE,
    TIMEOUT_MESSAGE,
    EvaluationBound,
    describe_failure,
    render_error,
)


def test_aws_bound_messages() -> None:
    # Quoted from AWS's TestState answers (floci-io/floci#2737).
    assert (
        MEMORY_LIMIT_MESSAGE
        == "Expression evaluation memory limit exceeded: Check for excessive memory usage"
    )
    assert TIMEOUT_MESSAGE == "Expression evaluation timeout: Check for infinite loop"
    assert STACK_MESSAGE == (
        "Stack overflow error: Check for non-terminating recursive function."
        "  Consider rewriting as tail-recursive."
    )
    assert MAX_SEQUENCE_LENGTH == 873_782


@pytest.mark.parametrize(
    ("error", "source", "expected"),
    [
        (
            JException("T0410", -1, 2, "partition"),
            "",
            'Argument 2 of function "partition" does not match function signature',
        ),
        # Raised from inside a function (no index, no name): the function whose call ends where it failed.
        (
            JException("T0410", 13, None, None),
            "$foo(1, $bar(2)",
            'Argument 1 of function "bar" does not match function signature',
        ),
        (
            JException("T0410", 6, None, None),
            "$sum (null)",
            'Argument 1 of function "sum" does not match function signature',
        ),
        (
            JException("T0410", 2, None, None),
            "1 + 2",
            "Argument 1 of function undefined does not match function signature",
        ),
        (
            JException("T0411", 5, None, 1),
            "$sum(",
            'Context value is not a compatible type with argument 1 of function "sum"',
        ),
        (
            JException("T0412", 0, 1, "sum", "n"),
            "",
            'Argument 1 of function "sum" must be an array of "numbers"',
        ),
        (JException("T0412", 0, 2, "f", "s"), "", 'Argument 2 of function "f" must be an array of "strings"'),
        (JException("D1002", 0, None, "abc"), "", 'Cannot negate a non-numeric value: "abc"'),
        (
            JException("D3100", 17),
            "",
            "The radix of the formatBase function must be between 2 and 36.  It was given 17",
        ),
        (
            JException("T2001", -1, "+", "x"),
            "",
            'The left side of the "+" operator must evaluate to a number',
        ),
        (JException("S0201", -1, "x"), "", 'Syntax error: "x"'),
        # {{{raw}}} inserts as is: AWS's own errors (D3137) carry their words.
        (
            JException("D3137", -1, "The size argument must be positive"),
            "",
            "The size argument must be positive",
        ),
    ],
)
def test_messages_as_jsonata_js_renders_them(error: JException, source: str, expected: str) -> None:
    assert render_error(error, source) == (error.error, expected)


@pytest.mark.parametrize(
    ("value", "inserted"),
    [
        ({"a": [1, 2]}, '{"a":[1,2]}'),
        ([1.0, "x"], '[1,"x"]'),
        (float("inf"), "null"),  # JSON.stringify(Infinity)
        (None, "undefined"),
        (True, "true"),
    ],
)
def test_values_are_inserted_as_json_stringify_writes_them(value: Any, inserted: str) -> None:
    assert render_error(JException("D3030", -1, value), "") == (
        "D3030",
        f"Unable to cast value to a number: {inserted}",
    )


def test_a_message_raised_in_place_of_its_code_gets_the_code_back() -> None:
    assert render_error(JException("Attempted to invoke a non-function", -1), "") == (
        "T1006",
        "Attempted to invoke a non-function",
    )


def test_an_unknown_code_has_no_code() -> None:
    assert render_error(JException("ZZZZ", -1), "") == (None, "ZZZZ")


def test_describe_failure() -> None:
    assert describe_failure(EvaluationBound(TIMEOUT_MESSAGE), "x") == (None, TIMEOUT_MESSAGE)
    assert describe_failure(RecursionError("deep"), "x") == (None, STACK_MESSAGE)
    assert describe_failure(JException("T1006", -1), "$f()") == (
        "T1006",
        "Attempted to invoke a non-function",
    )
    assert describe_failure(ValueError("bad value"), "x") == (None, "bad value")
    assert describe_failure(ValueError(), "x") == (None, "ValueError")


def test_an_evaluation_bound_is_a_jexception_the_library_passes_through() -> None:
    bound = EvaluationBound(MEMORY_LIMIT_MESSAGE)
    assert isinstance(bound, JException)
    assert bound.bound_message == MEMORY_LIMIT_MESSAGE
