"""The built-ins answered as jsonata-js answers ($number, $string, $toMillis) and the ones that read
the scope instead of the process ($shuffle, $now, $millis), called directly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonata import JException

from stepwell.asl.jsonata import builtins
from stepwell.asl.jsonata.errors import MEMORY_LIMIT_MESSAGE, EvaluationBound
from stepwell.asl.jsonata.functions import bind_scope
from stepwell.asl.scope import Entropy, Scope


@pytest.fixture
def scope() -> Iterator[Scope]:
    bound = Scope(
        None, context={"State": {"EnteredTime": "2024-05-01T12:00:00.250Z"}}, entropy=Entropy("shuffle")
    )
    previous = bind_scope(bound)
    try:
        yield bound
    finally:
        bind_scope(previous)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12.0),
        ("-1.5e3", -1500.0),
        ("0x1F", 31),
        ("0o17", 15),
        ("0B101", 5),
        (True, 1),
        (False, 0),
        (7, 7),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_number(value: Any, expected: Any) -> None:
    result = builtins.number([value])
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "value", ["", " 1", "1 ", "+1", ".5", "1.", "1e999", "0x", "Infinity", "abc", [1], {"a": 1}]
)
def test_what_number_cannot_cast_is_d3030(value: Any) -> None:
    with pytest.raises(JException) as raised:
        builtins.number([value])
    assert raised.value.error == "D3030"
    assert raised.value.current == value


def test_number_of_no_argument_is_undefined() -> None:
    assert builtins.number([]) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e20, "100000000000000000000"),
        (0.1 + 0.2, "0.3"),
        (5, "5"),
        (-0.0, "0"),
        (1e-7, "1e-7"),
        (123456789.123456789, "123456789.123457"),
    ],
)
def test_string_of_a_number_is_javascripts_text(value: float, text: str) -> None:
    assert builtins.string([value]) == text


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_string_of_a_non_finite_number_is_d3001(value: float) -> None:
    with pytest.raises(JException) as raised:
        builtins.string([value])
    assert raised.value.error == "D3001"


def test_string_of_other_values_is_the_librarys() -> None:
    assert builtins.string(["text"]) == "text"
    assert builtins.string([{"a": [1, True]}]) == '{"a":[1,true]}'
    assert builtins.string([True]) == "true"


def test_string_refuses_a_value_whose_text_would_be_too_long() -> None:
    huge = ["x" * 1_000_000] * 8
    with pytest.raises(EvaluationBound) as raised:
        builtins.string([huge])
    assert raised.value.bound_message == MEMORY_LIMIT_MESSAGE


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-42.0, "-42"),
        (1.5, "1.5"),
        (1e21, "1e+21"),
        (1.25e-7, "1.25e-7"),
        (0.000001, "0.000001"),
        (2e-6, "0.000002"),
    ],
)
def test_javascript_number_text(number: float, text: str) -> None:
    assert builtins.javascript_number_text(number) == text


def test_to_millis() -> None:
    assert builtins.to_millis(["2016-03-05T21:29:29.243Z"]) == 1457213369243
    with pytest.raises(JException) as raised:
        builtins.to_millis(["2016-99-05T21:29:29Z"])
    assert raised.value.error == "D3110"


def test_shuffle_is_a_seeded_permutation(scope: Scope) -> None:
    first = builtins.shuffle([list(range(20))])
    assert sorted(first) == list(range(20))
    assert first != list(range(20))
    bind_scope(Scope(None, entropy=Entropy("shuffle")))
    assert builtins.shuffle([list(range(20))]) == first
    assert builtins.shuffle([None]) is None
    assert builtins.shuffle([[]]) == []


def test_millis_and_now_are_the_time_the_state_was_entered(scope: Scope) -> None:
    assert builtins.millis([]) == 1714564800250
    assert builtins.now([]) == "2024-05-01T12:00:00.250Z"


@pytest.mark.parametrize(
    ("context", "millis"),
    [
        ({"Execution": {"StartTime": "2024-05-01T00:00:01Z"}}, 1714521601000),
        (
            {"State": {"EnteredTime": "garbage"}, "Execution": {"StartTime": "2024-05-01T00:00:01Z"}},
            1714521601000,
        ),
        ({"State": {"EnteredTime": "2024-05-01T00:00:02"}}, 1714521602000),  # naive: UTC
        ({"State": {"EnteredTime": 5}}, 0),
        ({}, 0),
        ([], 0),
    ],
)
def test_millis_falls_back_to_the_execution_start_then_zero(context: Any, millis: int) -> None:
    previous = bind_scope(Scope(None, context=context))
    try:
        assert builtins.millis([]) == millis
    finally:
        bind_scope(previous)
