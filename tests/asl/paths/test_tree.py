"""Jayway's path functions, as ``tree.FUNCTIONS`` computes them on one value."""

from __future__ import annotations

import math
from typing import Any

import pytest

from stepwell.asl.paths.tree import FUNCTIONS, Function, apply_function


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("length", [1, 2, 3], 3),
        ("length", {"a": 1, "b": 2}, 2),
        ("length", "abc", None),  # Jayway: length() of an array or object, null otherwise
        ("length", None, None),
        ("size", [], 0),
        ("size", 7, None),
        ("min", [3, 1.5, 2], 1.5),
        ("max", [3, 1, 2], 3.0),
        ("sum", [1, 2, 3], 6.0),
        ("avg", [1, 2, 3, 4], 2.5),
        ("keys", {"b": 1, "a": 2}, ["b", "a"]),
        ("keys", [1], None),
        ("first", [4, 5, 6], 4),
        ("first", [], None),
        ("last", [4, 5, 6], 6),
        ("last", "abc", None),
    ],
)
def test_functions(name: str, value: Any, expected: Any) -> None:
    assert apply_function(Function(name), value) == expected


def test_numeric_functions_return_doubles_as_jayway_does() -> None:
    assert type(FUNCTIONS["sum"]([1, 2])) is float
    assert type(FUNCTIONS["min"]([1, 2])) is float
    assert type(FUNCTIONS["max"]([1, 2])) is float


def test_numeric_functions_read_only_the_numbers() -> None:
    assert FUNCTIONS["sum"]([1, "2", None, True, 3.5]) == 4.5
    assert FUNCTIONS["max"](["9", 1]) == 1.0


@pytest.mark.parametrize("name", ["min", "max", "sum", "avg", "stddev"])
def test_numeric_functions_of_no_numbers_have_no_value(name: str) -> None:
    assert FUNCTIONS[name]([]) is None
    assert FUNCTIONS[name](["a", None]) is None
    assert FUNCTIONS[name]({"a": 1}) is None


def test_stddev_is_the_population_deviation() -> None:
    assert FUNCTIONS["stddev"]([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0
    assert math.isclose(FUNCTIONS["stddev"]([1, 2]), 0.5)
    assert FUNCTIONS["stddev"]([5]) == 0.0


def test_the_function_names() -> None:
    assert set(FUNCTIONS) == {"length", "size", "min", "max", "sum", "avg", "stddev", "keys", "first", "last"}
