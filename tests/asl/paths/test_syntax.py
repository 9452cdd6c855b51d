"""The JSONPath reader: the syntax tree each form gives, and Jayway's words for what does not parse."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.paths.errors import InvalidPath
from stepwell.asl.paths.syntax import matching_bracket, parse_path_syntax, skip_quoted
from stepwell.asl.paths.tree import (
    Filter,
    Function,
    Index,
    IndexUnion,
    Name,
    NameUnion,
    ParsedPath,
    Scan,
    Slice,
    Wildcard,
)


def accept_any_filter(expression: str) -> Any:
    return lambda item, root: True


def parse(text: str, allow_item_root: bool = False) -> ParsedPath:
    return parse_path_syntax(text, accept_any_filter, allow_item_root)


def failure(text: str, allow_item_root: bool = False) -> str:
    with pytest.raises(InvalidPath) as raised:
        parse(text, allow_item_root)
    return str(raised.value)


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("$", "$"),
        ("$.a", "$"),
        ("$$", "$$"),
        ("$$.Execution.Id", "$$"),
        ("$count", "count"),
        ("$x_1.a", "x_1"),
    ],
)
def test_roots(text: str, root: str) -> None:
    assert parse(text).root == root


def test_the_item_root_is_only_read_inside_filters() -> None:
    assert parse("@.price", allow_item_root=True) == ParsedPath("@", (Name("price"),), None, True)
    assert failure("@.price") == "Invalid JSONPath '@.price': a path must start with '$'."


@pytest.mark.parametrize(
    ("text", "selectors"),
    [
        ("$.a.b", (Name("a"), Name("b"))),
        ("$['a']['b']", (Name("a"), Name("b"))),
        ('$["a b"]', (Name("a b"),)),
        ("$.a.['b']", (Name("a"), Name("b"))),
        ("$.c-d", (Name("c-d"),)),
        ("$[3]", (Index(3),)),
        ("$[-1]", (Index(-1),)),
        ("$[ 2 ]", (Index(2),)),
    ],
)
def test_definite_forms(text: str, selectors: tuple[Any, ...]) -> None:
    assert parse(text) == ParsedPath("$", selectors, None, True)


@pytest.mark.parametrize(
    ("text", "selectors"),
    [
        ("$[0,2]", (IndexUnion((0, 2)),)),
        ("$[1:3]", (Slice(1, 3),)),
        ("$[:2]", (Slice(None, 2),)),
        ("$[-2:]", (Slice(-2, None),)),
        ("$.*", (Wildcard(),)),
        ("$[*]", (Wildcard(),)),
        ("$..a", (Scan(Name("a")),)),
        ("$..*", (Scan(Wildcard()),)),
        ("$..[0]", (Scan(Index(0)),)),
        ("$.a[?(@.x > 1)]", (Name("a"), Filter("@.x > 1"))),
        ("$['a','b'].c", (NameUnion(("a", "b"), merge=False), Name("c"))),
    ],
)
def test_indefinite_forms(text: str, selectors: tuple[Any, ...]) -> None:
    parsed = parse(text)
    assert parsed.selectors == selectors
    assert parsed.is_definite is False


def test_a_final_name_union_merges_and_stays_definite() -> None:
    assert parse("$['a','b']") == ParsedPath("$", (NameUnion(("a", "b"), merge=True),), None, True)
    # After a deep scan it merges too, but a scan is never definite.
    scanned = parse("$..['a','b']")
    assert scanned.selectors == (Scan(NameUnion(("a", "b"), merge=True)),)
    assert scanned.is_definite is False


def test_a_trailing_function_is_kept_apart_from_the_selectors() -> None:
    assert parse("$.a.length()") == ParsedPath("$", (Name("a"),), Function("length"), True)
    assert parse("$[*].keys()").function == Function("keys")


def test_a_backslash_stays_in_a_bracket_name() -> None:
    assert parse("$['Test\\'Name']").selectors == (Name("Test\\'Name"),)


def test_each_filter_is_handed_to_the_filter_compiler_as_it_is_met() -> None:
    seen: list[str] = []

    def record(expression: str) -> Any:
        seen.append(expression)
        return lambda item, root: True

    parse_path_syntax("$.a[?(@.x == ')')].b[?(@.y)]", record)
    assert seen == ["@.x == ')'", "@.y"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a", "a path must start with '$'."),
        ("$.", "Path must not end with a '.' or '..'"),
        ("$..", "Path must not end with a '.' or '..'"),
        ("$.a...b", "Could not parse token starting at position 5."),
        ("$.a b", "Use bracket notion ['my prop'] if your property contains blank characters. position: 3"),
        ("$.a.foo()", "Function with name: foo does not exist."),
        ("$.a.length(1)", "function 'length' takes no arguments here."),
        ("$.a.length().b", "a function must end the path (position 12)."),
        ("$..length()", "a deep scan must be followed by a name, '*' or '['."),
        ("$[", "Property has not been closed - missing closing ]"),
        ("$['a'", "Property has not been closed - missing closing ]"),
        (
            "$['a' 'b']",
            "Property must be separated by comma or Property must be terminated close square bracket"
            " at index 6",
        ),
        ("$['a',]", "Found empty property at index 6"),
        ("$['a',,'b']", "Found empty property at index 6"),
        ("$[abc]", "Failed to parse array index or slice: '[abc]'"),
        ("$[1:2:3]", "Failed to parse array index or slice: '[1:2:3]'"),
        ("$[:]", "Failed to parse array index or slice: '[:]'"),
        ("$[1,2:3]", "Failed to parse array index or slice: '[1,2:3]'"),
        ("$[?@.x]", "expected '(' after '[?' at position 3."),
        ("$[?(@.x]", "Could not find matching close for ( in filter."),
        ("$[?(@.x) ", "expected ']' at position 9."),
        ("$1a", "a variable name must not start with a digit."),
    ],
)
def test_syntax_errors_in_jayway_words(text: str, message: str) -> None:
    assert failure(text) == f"Invalid JSONPath '{text}': {message}"


def test_a_filter_error_comes_from_the_filter_compiler() -> None:
    def refuse(expression: str) -> Any:
        raise InvalidPath(f"Invalid filter '{expression}': no")

    with pytest.raises(InvalidPath, match=r"^Invalid filter '@\.x': no$"):
        parse_path_syntax("$[?(@.x)]", refuse)


def test_matching_bracket_skips_strings_and_regex_literals() -> None:
    assert matching_bracket("(a(b)c)", 0, "(", ")") == 6
    assert matching_bracket("(a == ')')", 0, "(", ")") == 9
    assert matching_bracket("(@.a =~ /x)/)", 0, "(", ")") == 12
    # Inside [...] a slash is an ordinary character.
    assert matching_bracket("[1, '/', 2]", 0, "[", "]") == 10
    assert matching_bracket("(a", 0, "(", ")") == -1
    assert matching_bracket("('a)", 0, "(", ")") == -1


def test_skip_quoted_honours_backslash_escapes() -> None:
    assert skip_quoted("'ab'", 0) == 3
    assert skip_quoted("'a\\'b'x", 0) == 5
    assert skip_quoted('"a', 0) == -1
