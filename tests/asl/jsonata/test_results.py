"""JSONata values as the plain JSON AWS writes: numbers as JavaScript writes them, the library's
sequences and null marker, regexes and functions."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from jsonata.utils import Utils

from stepwell.asl.bounded_regex import compile_bounded
from stepwell.asl.jsonata import UNDEFINED, compile_jsonata
from stepwell.asl.jsonata.engine import evaluate_expression, parse_expression
from stepwell.asl.jsonata.results import DROPPED, NULL, plain_json
from stepwell.asl.scope import Scope


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, 1),
        (-0.0, 0),
        (2.5, 2.5),
        (10**20, 10**20),
        (10**21, 1e21),  # from 1e21 on a number is written 1e+21
        (-(10**21), -1e21),
        (1e21, 1e21),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        ("s", "s"),
        (True, True),
        (None, None),
    ],
)
def test_scalars(value: Any, expected: Any) -> None:
    result = plain_json(value)
    assert result == expected
    assert type(result) is type(expected)


def test_nan_is_written_by_name() -> None:
    assert plain_json(math.nan) == "NaN"


def test_the_null_marker_is_json_null() -> None:
    assert plain_json(NULL) is None
    assert plain_json([NULL, {"a": NULL}]) == [None, {"a": None}]


def test_unchanged_containers_are_returned_as_they_are() -> None:
    data = {"a": [1, "x", {"b": True}], "c": None}
    assert plain_json(data) is data
    listed = [1, 2, [3]]
    assert plain_json(listed) is listed


def test_changed_containers_are_rebuilt_without_touching_the_original() -> None:
    data: dict[str, Any] = {"a": 1, "b": 2.0, "c": [3, 4.0]}
    result = plain_json(data)
    assert result == {"a": 1, "b": 2, "c": [3, 4]}
    assert type(result["b"]) is int
    assert data == {"a": 1, "b": 2.0, "c": [3, 4.0]}
    assert type(data["b"]) is float


def test_library_sequences_become_lists() -> None:
    sequence = Utils.create_sequence()
    sequence.append(1.0)
    sequence.append("x")
    result = plain_json(sequence)
    assert result == [1, "x"]
    assert type(result) is list


def test_a_regex_is_an_empty_object() -> None:
    assert plain_json(re.compile("a")) == {}
    pattern = compile_bounded("a", on_timeout=RuntimeError, on_oversize=RuntimeError, max_output=10)
    assert plain_json({"r": pattern}) == {"r": {}}


def test_functions_are_dropped_from_objects_and_null_in_arrays() -> None:
    function = evaluate_expression(parse_expression("function($x) { $x }"), Scope(None), None, False)
    assert plain_json(function) is DROPPED
    assert plain_json(evaluate_expression(parse_expression("$sum"), Scope(None), None, False)) is DROPPED
    # A whole result that is a function is undefined, as JSON.stringify answers.
    assert compile_jsonata("{% function($x) { $x } %}").evaluate(Scope(None)) is UNDEFINED
    values = compile_jsonata("{% [1, function($x) { $x }] %}").evaluate(Scope(None))
    assert values == [1, None]
    members = compile_jsonata("{% {'a': 1, 'f': function($x) { $x }} %}").evaluate(Scope(None))
    assert members == {"a": 1}
