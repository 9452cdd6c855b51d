"""Jayway's filter operators on two operand values: equality across kinds, ordering, regexes,
membership, sizes and the list relations."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stepwell.asl.bounded_regex import ENGINE_BACKTRACKING, ENGINE_RE2
from stepwell.asl.paths.filter_operators import (
    OPERATORS,
    REGEX_TIMEOUT_CAUSE,
    RegexLiteral,
    compile_java_regex,
)
from stepwell.errors import RUNTIME, EvaluationError


def holds(operator: str, left: Any, right: Any) -> bool:
    return OPERATORS[operator](left, right)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (1, 1.0, True),
        ("a", "a", True),
        ("1", 1, True),  # a string equals a number whose text it is
        (1, "1", True),  # a number equals a string that parses to it
        (1, "1.0", True),
        (1.5, "1.50", True),
        ("1.0", 1, False),  # ... but the number's text of 1 is "1"
        (1, "x", False),
        (True, True, True),
        (True, 1, False),
        (1, True, False),
        (True, "true", False),
        (None, None, True),
        (None, "null", False),
        ([1, {"a": 2}], [1.0, {"a": 2}], True),
        ({"a": [1]}, {"a": [1, 2]}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([True], [1], False),
    ],
)
def test_equality(left: Any, right: Any, expected: bool) -> None:
    assert holds("==", left, right) is expected
    assert holds("!=", left, right) is not expected


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("<", 1, 2, True),
        ("<", 2, 2, False),
        ("<=", 2, 2.0, True),
        (">", 3.5, 3, True),
        (">=", 3, 4, False),
        ("<", "abc", "abd", True),
        (">", "b", "abc", True),
        # Java orders strings by UTF-16 code units: U+FF61 sorts after U+1F600 (a surrogate pair).
        ("<", "\U0001f600", "\uff61", True),
        ("<", 1, "2", False),  # a number and a string are not ordered
        ("<", None, 1, False),
        (">=", [1], [1], False),
    ],
)
def test_ordering(operator: str, left: Any, right: Any, expected: bool) -> None:
    assert holds(operator, left, right) is expected


def regex(source: str, flags: str = "") -> RegexLiteral:
    return RegexLiteral(compile_java_regex(source, flags))


def test_a_regex_matches_the_whole_text() -> None:
    assert holds("=~", "abc", regex("a.c"))
    assert not holds("=~", "xabcx", regex("a.c"))
    assert holds("=~", regex("a.c"), "abc")  # either side may hold the pattern


def test_a_regex_reads_numbers_and_booleans_as_their_text() -> None:
    assert holds("=~", 42, regex("4\\d"))
    assert holds("=~", 1.5, regex("1\\.5"))
    assert holds("=~", True, regex("tr.e"))
    assert not holds("=~", None, regex(".*x"))
    assert holds("=~", None, regex(".*"))  # null reads as the empty text


def test_regex_needs_exactly_one_pattern() -> None:
    assert not holds("=~", "abc", "abc")
    assert not holds("=~", regex("a"), regex("a"))


def test_java_flags() -> None:
    assert holds("=~", "ABC", regex("abc", "i"))
    assert holds("=~", "a\nb", regex("a.b", "s"))
    assert not holds("=~", "a\nb", regex("a.b"))
    commented = compile_java_regex("a b # a comment", "x")
    assert commented.engine == ENGINE_BACKTRACKING  # RE2 has no comments mode
    assert commented.fullmatch("ab") is not None


def test_lookaround_runs_on_the_timed_engine_and_plain_patterns_on_re2() -> None:
    assert compile_java_regex("a+b", "").engine == ENGINE_RE2
    lookahead = compile_java_regex("(?=a)ab", "")
    assert lookahead.engine == ENGINE_BACKTRACKING
    assert holds("=~", "ab", RegexLiteral(lookahead))


def test_a_regex_that_does_not_compile_is_re_error() -> None:
    with pytest.raises(re.error):
        compile_java_regex("(", "")


def test_a_runaway_match_is_states_runtime() -> None:
    runaway = regex("^(a|a)+(?=b)")
    with pytest.raises(EvaluationError) as raised:
        holds("=~", "a" * 40, runaway)
    assert raised.value.error == RUNTIME
    assert raised.value.cause == REGEX_TIMEOUT_CAUSE.format("^(a|a)+(?=b)")
    assert raised.value.cause.endswith("took too long to match (catastrophic backtracking)")


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("in", "a", ["a", "b"], True),
        ("in", 1, ["1"], True),  # membership uses Jayway's equality
        ("in", "c", ["a", "b"], False),
        ("in", "a", "abc", False),
        ("nin", "c", ["a", "b"], True),
        ("nin", "a", ["a"], False),
        ("nin", "a", "abc", True),
        ("contains", "abcd", "bc", True),
        ("contains", ["x", 2], 2, True),
        ("contains", ["x", 2], "2", True),
        ("contains", ["x"], "y", False),
        ("contains", {"a": 1}, "a", False),
        ("size", "abc", 3, True),
        ("size", [1, 2], 2.0, True),
        ("size", [1, 2], 3, False),
        ("size", {"a": 1}, 1, False),
        ("size", "ab", "2", False),
        ("empty", "", True, True),
        ("empty", [], False, False),
        ("empty", [1], False, True),
        ("empty", None, True, False),
        ("empty", "", "true", False),
        ("subsetof", [1, 2], [1, 2, 3], True),
        ("subsetof", [], [1], True),
        ("subsetof", [1, 4], [1, 2, 3], False),
        ("subsetof", "a", ["a"], False),
        ("anyof", [4, 2], [1, 2, 3], True),
        ("anyof", [4], [1, 2, 3], False),
        ("noneof", [4, 5], [1, 2, 3], True),
        ("noneof", [4, 1], [1, 2, 3], False),
        ("noneof", [4], "123", False),
    ],
)
def test_membership_and_size(operator: str, left: Any, right: Any, expected: bool) -> None:
    assert holds(operator, left, right) is expected


def test_the_operator_names() -> None:
    assert set(OPERATORS) == {
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "=~",
        "in",
        "nin",
        "contains",
        "size",
        "empty",
        "subsetof",
        "anyof",
        "noneof",
    }
