"""Jayway's filter language compiled on its own: ``compile_filter(expression)`` is a test of
(current item, document root)."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.paths.errors import InvalidPath
from stepwell.asl.paths.filters import compile_filter

ROOT: dict[str, Any] = {"limit": 10, "allowed": ["x", "y"], "nested": {"flag": True}}


def passes(expression: str, item: Any, root: Any = ROOT) -> bool:
    return compile_filter(expression)(item, root)


def refusal(expression: str) -> str:
    with pytest.raises(InvalidPath) as raised:
        compile_filter(expression)
    return str(raised.value)


def test_a_comparison_with_a_literal() -> None:
    assert passes("@.price < 10", {"price": 5})
    assert not passes("@.price < 10", {"price": 15})
    assert passes("@.name == 'bob'", {"name": "bob"})
    assert passes('@.name == "bob"', {"name": "bob"})
    assert passes("@.on == true", {"on": True})
    assert passes("@.gone == null", {"gone": None})
    assert passes("@.n == -2.5", {"n": -2.5})
    assert passes("@.n == 1e2", {"n": 100})


def test_operands_may_read_the_document_root() -> None:
    assert passes("@.price < $.limit", {"price": 9})
    assert not passes("@.price < $.limit", {"price": 11})
    assert passes("@.cat in $.allowed", {"cat": "y"})
    assert passes("$.nested.flag", {})


def test_a_path_alone_tests_existence() -> None:
    assert passes("@.tag", {"tag": None})  # a definite path exists even when its value is null
    assert not passes("@.tag", {"other": 1})
    assert passes("!@.tag", {"other": 1})
    assert not passes("!@.tag", {"tag": 0})


def test_an_indefinite_path_alone_tests_for_any_match() -> None:
    assert passes("@.items[*]", {"items": [1]})
    assert not passes("@.items[*]", {"items": []})


def test_a_missing_operand_compares_as_nothing() -> None:
    assert not passes("@.price < 10", {})
    assert not passes("@.price == null", {})  # UNDEFINED is not null
    assert passes("@.price != 3", {})


def test_and_or_not_and_parentheses() -> None:
    item = {"a": 1, "b": 2}
    assert passes("@.a == 1 && @.b == 2", item)
    assert not passes("@.a == 1 && @.b == 3", item)
    assert passes("@.a == 9 || @.b == 2", item)
    assert passes("!(@.a == 9)", item)
    assert passes("(@.a == 9 || @.b == 2) && @.a == 1", item)
    # && binds tighter than ||
    assert passes("@.a == 1 || @.a == 9 && @.b == 9", item)
    assert not passes("(@.a == 1 || @.a == 9) && @.b == 9", item)


def test_operator_words_are_case_insensitive() -> None:
    assert passes("@.tags CONTAINS 'x'", {"tags": ["x"]})
    assert passes("@.s size 2", {"s": "ab"})
    assert passes("@.s EMPTY true", {"s": ""})


def test_json_literals_including_single_quoted_ones() -> None:
    assert passes("@.v == [1, 2]", {"v": [1, 2]})
    assert passes("@.v == {'a': 'b'}", {"v": {"a": "b"}})
    assert passes("@.v subsetof ['a', 'b', 'c']", {"v": ["c", "a"]})
    assert passes("@.v anyof [3, 4]", {"v": [4]})


def test_regex_literals_and_their_flags() -> None:
    assert passes("@.name =~ /b.b/", {"name": "bob"})
    assert passes("@.name =~ /B.B/i", {"name": "bob"})
    assert not passes("@.name =~ /B.B/", {"name": "bob"})
    assert passes("@.name =~ /a\\/b/", {"name": "a/b"})


def test_string_escapes() -> None:
    assert passes("@.s == 'it\\'s'", {"s": "it's"})
    assert passes("@.s == 'a\\nb'", {"s": "a\nb"})
    assert passes("@.s == '\\u00e9'", {"s": "é"})


def test_a_function_call_inside_a_filter_path() -> None:
    assert passes("@.items.length() > 1", {"items": [1, 2]})
    assert not passes("@.items.length() > 1", {"items": [1]})


def test_a_filter_inside_a_filter_path() -> None:
    assert passes("@.rows[?(@.ok == true)]", {"rows": [{"ok": False}, {"ok": True}]})
    assert not passes("@.rows[?(@.ok == true)]", {"rows": [{"ok": False}]})


def test_compile_filter_is_cached() -> None:
    assert compile_filter("@.a == 1") is compile_filter("@.a == 1")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("@.a ==", "unexpected character at position 6."),
        ("@.a === 1", "Filter operator === is not supported!"),
        ("@.a like 1", "Filter operator like is not supported!"),
        ("1", "a '1' filter needs a path or a comparison."),
        ("@.a == 1 )", "Expected end of filter expression instead of: )"),
        ("(@.a == 1", "expected ')' at position 9."),
        ("@.a == 'x", "String literal does not have matching quotes."),
        ("@.a == [1", "unbalanced '[' in a JSON literal."),
        ("@.a == [1,,]", "invalid JSON literal [1,,]."),
        ("@.a =~ /x/q", "unknown regular expression flag 'q'."),
        ("@.a =~ /x", "Pattern not closed"),
        ("@.a == 1-", "invalid number '1-'."),
        ("! @.a == 1", "'!' may only negate a path or a parenthesised expression."),
        ("@.a[1 == 2", "Square brackets does not match in filter"),
    ],
)
def test_syntax_errors(expression: str, message: str) -> None:
    assert refusal(expression) == f"Invalid filter '{expression}': {message}"


def test_a_regex_that_does_not_compile() -> None:
    assert refusal("@.a =~ /(/").startswith("Invalid filter '@.a =~ /(/': invalid regular expression /(/: ")


def test_a_filter_path_must_read_the_item_or_the_root() -> None:
    with pytest.raises(
        InvalidPath, match=r"^Invalid JSONPath '\$\$\.x': a filter path must start with '@' or '\$'\.$"
    ):
        compile_filter("$$.x == 1")
