"""JSONPath as AWS (Jayway) evaluates it: forms, definite vs indefinite results, Jayway's messages,
reference paths and copy-on-write placement."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stepwell.asl.paths import (
    InvalidPath,
    JsonPath,
    ParsedPath,
    PathNotFound,
    ReferencePath,
    compile_path,
    compile_reference_path,
    parse_path,
)
from stepwell.asl.scope import Scope
from stepwell.errors import RESULT_PATH_MATCH_FAILURE, EvaluationError

DOC: dict[str, Any] = {
    "a": {"b": 1, "c-d": 2, "é": 3, "n": None},
    "arr": [0, 1, 2, 3, 4, 5],
    "items": [
        {"x": 1, "price": 5, "cat": "x", "tag": None, "Status": "200"},
        {"x": 2, "price": 20, "cat": "y", "Status": "201"},
        {"x": 3, "price": 8.5, "cat": "x", "sub": {"x": 30}},
    ],
}


def find(path: str, value: Any = DOC) -> Any:
    return compile_path(path).find(value)


# --- forms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("$.a.b", 1),
        ("$['a']['b']", 1),
        ('$["a"]["b"]', 1),
        ("$.a['b']", 1),
        ("$.a.['b']", 1),
        ("$.a.c-d", 2),  # Jayway: a dot name runs to the next '.', '[' or '('
        ("$.a.é", 3),
        ("$.a.n", None),
        ("$.arr[0]", 0),
        ("$.arr[-1]", 5),  # Jayway counts a negative index from the end
        ("$.arr[-6]", 0),
        ("$.items[2].sub.x", 30),
        ("$['a','b']", {"a": DOC["a"]}),  # Jayway merges a final name union into one object
        ("$.a['b','c-d','zz']", {"b": 1, "c-d": 2}),
    ],
)
def test_definite_paths_return_one_value(path: str, expected: Any) -> None:
    jp = compile_path(path)
    assert jp.is_definite
    assert jp.find(DOC) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.arr[1:5]", [1, 2, 3, 4]),
        ("$.arr[1:]", [1, 2, 3, 4, 5]),
        ("$.arr[-1:]", [5]),
        ("$.arr[-2:]", [4, 5]),
        ("$.arr[:2]", [0, 1]),
        ("$.arr[:-2]", [0, 1, 2, 3]),
        ("$.arr[4:99]", [4, 5]),
        ("$.arr[-2:3]", [4, 5, 0, 1, 2]),  # Jayway's [a:b] reads a..b-1 one index at a time
        ("$.arr[3:1]", []),
        ("$.arr[0,2,99]", [0, 2]),
        ("$.arr[*]", [0, 1, 2, 3, 4, 5]),
        ("$.a[*]", [1, 2, 3, None]),  # a wildcard on an object reads its values
        ("$.a.*", [1, 2, 3, None]),
        ("$.items[*].x", [1, 2, 3]),
        ("$..x", [1, 2, 3, 30]),
        ("$..sub.x", [30]),
        ("$..['x']", [1, 2, 3, 30]),
        ("$.items[?(@.x == 1)].cat", ["x"]),
        ("$.items[?(@.Status != '201')].x", [1, 3]),  # a missing value is "not equal"
        ("$.items[?(@.price < 10 && @.cat == 'x')].x", [1, 3]),
        ("$.items[?(@.price > 10 || @.x == 1)].x", [1, 2]),
        ("$.items[?(@.tag)].x", [1]),  # existence: present even when null
        ("$.items[?(!@.tag)].x", [2, 3]),
        ("$.items[?(@.sub.x >= 30)].x", [3]),
        ("$.items[?(@.cat =~ /X/i)].x", [1, 3]),
        ("$.items[?(@.x in [1, 3])].x", [1, 3]),
        ("$.items[?(@.x nin [1, 3])].x", [2]),
        ("$.items[?(@.tag == null)].x", [1]),
        ("$.items[?((@.x == 1 || @.x == 2) && @.cat == 'y')].x", [2]),
        ("$.items[?(@.price == 8.5)].x", [3]),
        ("$.items[?(@.x > $.arr[1])].x", [2, 3]),  # '$' inside a filter is the document
        ("$.arr[?(@ > 3)]", [4, 5]),
        ('$.items[?(@.cat == "y")].x', [2]),
        ("$..[?(@.x > 2)].x", [3, 30]),
    ],
)
def test_indefinite_paths_return_every_match(path: str, expected: Any) -> None:
    jp = compile_path(path)
    assert not jp.is_definite
    assert jp.find(DOC) == expected


def test_deep_scan_visits_the_document_in_order() -> None:
    doc = {"a": {"b": 1}, "c": [2, {"d": 3}]}
    assert find("$..*", doc) == [{"b": 1}, [2, {"d": 3}], 1, 2, {"d": 3}, 3]


def test_filter_on_an_object_tests_the_object_itself() -> None:
    assert find("$.a[?(@.b == 1)]") == [DOC["a"]]
    assert find("$.a[?(@.b == 2)]") == []


def test_jayway_compares_strings_with_numbers_by_text() -> None:
    doc = [{"v": "1"}, {"v": 1}, {"v": True}, {"v": "x"}]
    assert find("$[?(@.v == 1)]", doc) == [{"v": "1"}, {"v": 1}]
    assert find("$[?(@.v == '1')]", doc) == [{"v": "1"}, {"v": 1}]
    assert find("$[?(@.v == true)]", doc) == [{"v": True}]
    assert find("$[?(@.v < 2)]", doc) == [{"v": 1}]  # ordering needs two numbers or two strings


def test_functions_at_the_end_of_a_path() -> None:
    assert find("$.arr.length()") == 6
    assert find("$.a.length()") == 4
    assert find("$..x.length()") == 4  # after a deep scan, the function sees the whole result
    assert find("$.arr.max()") == 5.0
    assert find("$.arr.sum()") == 15.0
    assert find("$.items[?(@.x.length() > 0)]") == []


def test_wildcards_slices_and_filters_on_missing_input_return_empty_lists() -> None:
    # base__test_json_path_array_wildcard_or_slice_with_no_input__* (recorded against AWS)
    for path in [
        "$.item.items[:1]",
        "$.item.items[1:5].itemValue",
        "$.item.items[1:5]",
        "$.item.items[*]",
        "$.items[:1].itemValue",
        "$.items[:1]",
        "$.items[1:].itemValue",
        "$.items[*].itemValue",
        "$.items[*]",
        "$..nothing",
        "$.items[?(@.x)]",
    ]:
        assert find(path, {}) == [], path


def test_array_access_case() -> None:
    # base__test_json_path_array_access__.items_0
    items = [{"item_key": i} for i in range(11)]
    assert find("$.items[0]", {"items": items}) == {"item_key": 0}


def test_regex_filter_case() -> None:
    # base__test_state_pass_regex_json_path_base
    users = [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]
    assert find("$.users[?(@.status == 0)]", {"users": users}) == [{"year": 1997, "status": 0}]


def test_bracket_names_keep_backslashes() -> None:
    # scenarios__test_escape_sequence_parsing__ESCAPE_SEQUENCES_JSONPATH: the key is Test\""Name"
    key = 'Test\\""Name"'
    assert find('$[\'Test\\""Name"\']', {key: 'Value"\\'}) == 'Value"\\'
    assert find("$['it\\'s']", {"it\\'s": 1}) == 1


# --- roots and scopes -----------------------------------------------------------------------------


def test_roots() -> None:
    scope = Scope({"q": 1}, variables={"v": {"k": [5, 6]}}, context={"Execution": {"Id": "E"}})
    assert compile_path("$.q").evaluate(scope) == 1
    assert compile_path("$$.Execution.Id").evaluate(scope) == "E"
    assert compile_path("$$").evaluate(scope) == {"Execution": {"Id": "E"}}
    assert compile_path("$v.k[1]").evaluate(scope) == 6
    assert compile_path("$v").evaluate(scope) == {"k": [5, 6]}
    assert [compile_path(p).root for p in ("$", "$.a", "$$.a", "$my_var2.a")] == ["$", "$", "$$", "my_var2"]
    with pytest.raises(EvaluationError, match=r"Variable 'nope' is not defined\."):
        compile_path("$nope.a").evaluate(scope)


def test_compile_is_cached() -> None:
    assert compile_path("$.a.b") is compile_path("$.a.b")
    assert compile_reference_path("$.r") is compile_reference_path("$.r")
    assert isinstance(compile_path("$.a.b"), JsonPath)
    assert compile_path("$$.Execution.Id").text == "$$.Execution.Id"


# --- definite paths that match nothing: Jayway's texts ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "detail"),
    [
        # scenarios__test_invalid_jsonpath__ST.INVALID_JSONPATH_IN_INPUTPATH
        ("$.NoSuchInputPath", {"int-literal": 0}, "No results for path: $['NoSuchInputPath']"),
        # scenarios__test_catch_states_runtime (OutputPath)
        ("$.no.such.result.path", {}, "Missing property in path $['no']"),
        ("$.a.x.y", DOC, "Missing property in path $['a']['x']"),
        ("$.arr[10]", DOC, "No results for path: $['arr'][10]"),
        ("$.arr[-7]", DOC, "No results for path: $['arr'][-7]"),
        ("$.a.n[0]", DOC, "The path $['a']['n'] is null"),
        (
            "$.a[0].b",
            DOC,
            "Filter: [0]['b'] can only be applied to arrays. "
            'Current context is: {"b":1,"c-d":2,"é":3,"n":null}',
        ),
        (
            "$.a.b.c",
            DOC,
            "Expected to find an object with property ['c'] in path $['a']['b'] but found "
            "'java.lang.Integer'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
        ),
        ("$.missing.length()", DOC, "Missing property in path $['missing']"),
    ],
)
def test_path_not_found_carries_jaywas_message(path: str, value: Any, detail: str) -> None:
    with pytest.raises(PathNotFound) as caught:
        compile_path(path).find(value)
    assert caught.value.path == path
    assert caught.value.detail == detail
    assert str(caught.value) == f"Invalid path '{path}' : {detail}"


def test_index_never_reads_a_character_of_a_string() -> None:
    with pytest.raises(PathNotFound):
        find("$.s[0]", {"s": "abc"})
    with pytest.raises(PathNotFound):
        find("$.s.x", {"s": "abc"})
    assert compile_path("$.s[0]").get({"s": "abc"}, "default") == "default"


# --- syntax errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "",
        "a",
        "$.",
        "$..",
        "$.a..",
        "$..a.",
        "$[",
        "$['a'",
        "$['a' 'b']",
        "$['a',]",
        "$.a b",
        "$[1:2:3]",
        "$[:]",
        "$[abc]",
        "$[1_0]",
        "$$x",
        "$1a",
        "$.a.foo()",
        "$.a.length().b",
        "$[?(@.x == )]",
        "$[?(@.x === 1)]",
        "$[?(@.x == 1]",
        "$[?(@.x == 'a)]",
        "$[?(1)]",
        "$[?(@.x =~ /(/)]",
        "$.a(",
    ],
)
def test_invalid_paths_are_rejected_at_compile_time(path: str) -> None:
    with pytest.raises(InvalidPath):
        compile_path(path)


def test_non_string_path_is_invalid() -> None:
    with pytest.raises(InvalidPath):
        compile_path(3)  # type: ignore[arg-type]


def test_a_filter_syntax_error_is_reported_where_it_stands() -> None:
    # The filter is compiled as the parser meets it, before the later "..": its message wins,
    # also for a filter nested in a filter path.
    with pytest.raises(
        InvalidPath, match=r"^Invalid filter '@\.a ==': unexpected character at position 6\.$"
    ):
        compile_path("$[?(@.a ==)]..")
    with pytest.raises(InvalidPath, match=r"^Invalid filter '@\.b >'"):
        compile_path("$[?(@.a[?(@.b >)])]")
    with pytest.raises(InvalidPath, match=r"Function with name: foo does not exist\.$"):
        compile_path("$.a.foo()")


def test_parse_path_gives_the_syntax_tree() -> None:
    parsed = parse_path("$.a[0]")
    assert isinstance(parsed, ParsedPath)
    assert (parsed.root, len(parsed.selectors), parsed.function, parsed.is_definite) == ("$", 2, None, True)
    assert not parse_path("$.a[*].length()").is_definite
    assert parse_path("$$.Execution").root == "$$"
    assert parse_path("@.a", allow_item_root=True).root == "@"
    with pytest.raises(InvalidPath):
        parse_path("@.a")


# --- reference paths (ResultPath) -------------------------------------------------------------------


def test_reference_path_accepts_only_single_nodes_rooted_at_input() -> None:
    assert isinstance(compile_reference_path("$.a['b'][0]"), ReferencePath)
    for bad in [
        "$.a[*]",
        "$..a",
        "$.a[1:2]",
        "$.a[0,1]",
        "$['a','b']",
        "$.a[?(@.x)]",
        "$$.a",
        "$v.a",
        "$.a.length()",
        "x",
    ]:
        with pytest.raises(InvalidPath):
            compile_reference_path(bad)


def test_put_is_copy_on_write() -> None:
    target = {"a": {"x": 1}, "keep": [1, 2]}
    snapshot = copy.deepcopy(target)
    out = compile_reference_path("$.a.b.c").put(target, 5)
    assert out == {"a": {"x": 1, "b": {"c": 5}}, "keep": [1, 2]}
    assert target == snapshot
    assert out["keep"] is target["keep"]  # untouched branches are shared, not copied


def test_put_root_replaces_everything() -> None:
    assert compile_reference_path("$").put({"a": 1}, "r") == "r"


def test_put_into_arrays() -> None:
    target = {"l": [1, {"y": 2}]}
    assert compile_reference_path("$.l[1].z").put(target, 3) == {"l": [1, {"y": 2, "z": 3}]}
    assert compile_reference_path("$.l[-2]").put(target, 9) == {"l": [9, {"y": 2}]}
    assert target == {"l": [1, {"y": 2}]}


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("$.a.b", {"a": "text"}),
        ("$.a.b", {"a": 3}),
        ("$.a.b", {"a": None}),
        ("$.a.b", {"a": [1]}),
        ("$.x", "hello"),
        ("$.l[5]", {"l": [1]}),
        ("$.l[0]", {"l": {"0": 1}}),
        ("$.m[0]", {}),
    ],
)
def test_put_failure_is_result_path_match_failure(path: str, target: Any) -> None:
    with pytest.raises(EvaluationError) as caught:
        compile_reference_path(path).put(target, 1)
    assert caught.value.error == RESULT_PATH_MATCH_FAILURE
    assert caught.value.cause.startswith(f"Unable to apply ReferencePath {path} to input ")


# --- =~ cannot backtrack catastrophically -------------------------------------------------------


def test_regex_filter_of_a_catastrophic_pattern_runs_in_linear_time() -> None:
    doc = [{"s": "a" * 28 + "!"}, {"s": "aaa"}]
    jp = compile_path("$[?(@.s =~ /(a+)+$/)].s")
    assert jp.find(doc) == ["aaa"]  # Jayway's =~ matches the whole value


def test_regex_filter_with_lookahead_still_matches() -> None:
    doc = [{"s": "foobar"}, {"s": "foobaz"}]
    assert compile_path("$[?(@.s =~ /foo(?=bar).*/)].s").find(doc) == ["foobar"]
    assert compile_path("$[?(@.s =~ /(o)\\1.*/)].s").find([{"s": "oops"}, {"s": "op"}]) == ["oops"]


def test_regex_filter_that_backtracks_catastrophically_is_a_runtime_error() -> None:
    jp = compile_path("$[?(@.s =~ /^(a|a)+(?=b)/)].s")
    with pytest.raises(EvaluationError) as caught:
        jp.find([{"s": "a" * 40}])
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == (
        "The regular expression /^(a|a)+(?=b)/ took too long to match (catastrophic backtracking)"
    )
