"""Evaluating a parsed path: the closures ``finder`` builds for definite and indefinite paths, the
root each ``evaluator`` reads, and Jayway's slice, scan and function rules."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.paths.errors import PathNotFound
from stepwell.asl.paths.evaluate import UNDEFINED, definite_probe, evaluator, finder, identity
from stepwell.asl.paths.filters import compile_filter
from stepwell.asl.paths.syntax import parse_path_syntax
from stepwell.asl.paths.tree import ParsedPath
from stepwell.asl.scope import Scope
from stepwell.errors import RUNTIME, EvaluationError

ARRAY = [0, 1, 2, 3, 4]


def parsed(text: str) -> ParsedPath:
    return parse_path_syntax(text, compile_filter)


def find(text: str, value: Any) -> Any:
    return finder(parsed(text), text, compile_filter)(value)


def test_a_bare_root_is_the_identity() -> None:
    assert finder(parsed("$"), "$", compile_filter) is identity
    value = {"a": 1}
    assert find("$", value) is value


def test_the_names_only_hot_path_raises_jayways_message() -> None:
    walk = finder(parsed("$.a.b"), "$.a.b", compile_filter)
    assert walk({"a": {"b": 7}}) == 7
    with pytest.raises(PathNotFound) as missing:
        walk({"a": {}})
    assert missing.value.detail == "No results for path: $['a']['b']"
    with pytest.raises(PathNotFound) as not_an_object:
        walk({"a": "text"})
    assert not_an_object.value.detail.startswith(
        "Expected to find an object with property ['b'] in path $['a']"
    )


def test_a_definite_path_returns_the_value_not_a_list() -> None:
    assert find("$.a[1]", {"a": [10, 20]}) == 20
    assert find("$.a[-1]", {"a": [10, 20]}) == 20
    assert find("$['a','z']", {"a": 1, "b": 2}) == {"a": 1}
    assert find("$.a.length()", {"a": [1, 2, 3]}) == 3


def test_definite_probe_never_raises() -> None:
    probe = definite_probe(parsed("$.a[0].b"))
    assert probe({"a": [{"b": None}]}) is None
    assert probe({"a": [{"c": 1}]}) is UNDEFINED
    assert probe({"a": []}) is UNDEFINED
    assert probe({"a": "xyz"}) is UNDEFINED  # an index never reads a character
    assert probe({"a": {"0": {"b": 1}}}) is UNDEFINED  # nor a key named "0"
    assert probe(None) is UNDEFINED
    assert repr(UNDEFINED) == "UNDEFINED"


def test_definite_probe_merging_union_needs_an_object() -> None:
    probe = definite_probe(parsed("$.a['x','y']"))
    assert probe({"a": {"y": 2, "x": 1, "z": 3}}) == {"x": 1, "y": 2}
    assert probe({"a": [1]}) is UNDEFINED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$[1:3]", [1, 2]),
        ("$[:2]", [0, 1]),
        ("$[3:]", [3, 4]),
        ("$[-2:]", [3, 4]),  # "[a:]" counts a negative start from the end
        ("$[:-2]", [0, 1, 2]),  # "[:b]" counts a negative stop from the end
        ("$[-9:]", [0, 1, 2, 3, 4]),
        ("$[:9]", [0, 1, 2, 3, 4]),
        ("$[:-9]", []),
        ("$[2:99]", [2, 3, 4]),  # "[a:b]" clips b to the length
        ("$[-2:2]", [3, 4, 0, 1]),  # ... and reads a..b-1 one by one, negatives from the end
        ("$[3:1]", []),
        ("$[0,4,9,-1]", [0, 4, 4]),
    ],
)
def test_slices_and_index_unions_as_jayway_reads_them(text: str, expected: list[int]) -> None:
    assert find(text, ARRAY) == expected


def test_slices_of_what_is_not_a_list_are_empty() -> None:
    assert find("$[0:2]", "abc") == []
    assert find("$[0:2]", []) == []
    assert find("$[0:2]", {"0": 1}) == []


def test_wildcards_read_object_values_and_array_elements() -> None:
    assert find("$.*", {"a": 1, "b": [2]}) == [1, [2]]
    assert find("$[*]", [3, 4]) == [3, 4]
    assert find("$[*]", "text") == []
    assert find("$.*.x", {"a": {"x": 1}, "b": {"y": 2}, "c": {"x": 3}}) == [1, 3]


def test_an_indefinite_path_over_missing_keys_is_an_empty_list() -> None:
    assert find("$.missing[*].x", {}) == []
    assert find("$.a[*]", {"a": None}) == []


def test_a_name_union_inside_a_path_yields_each_present_member() -> None:
    assert find("$['a','b','c'].v", {"a": {"v": 1}, "c": {"v": 3}}) == [1, 3]


DOC: dict[str, Any] = {
    "x": 1,
    "a": {"x": 2, "list": [{"x": 3}, [{"x": 4}]]},
    "b": [{"y": 5, "x": 6}],
}


def test_a_deep_scan_walks_depth_first_in_document_order() -> None:
    assert find("$..x", DOC) == [1, 2, 3, 4, 6]
    assert find("$..y", DOC) == [5]


def test_a_deep_scan_for_an_index_looks_at_arrays_only() -> None:
    assert find("$..[0]", {"a": [1, [2, 3]], "b": {"0": "no"}}) == [1, 2]


def test_a_deep_scan_name_union_needs_every_name() -> None:
    doc = {"p": {"a": 1, "b": 2}, "q": {"a": 3}}
    assert find("$..['a','b']", doc) == [{"a": 1, "b": 2}]


def test_a_deep_scan_wildcard_yields_every_member_below() -> None:
    assert find("$..*", {"a": {"b": 1}, "c": [2]}) == [{"b": 1}, [2], 1, 2]


def test_a_deep_scan_filter_tests_objects() -> None:
    doc = {"items": [{"p": 1}, {"p": 5, "sub": {"p": 9}}]}
    assert find("$..[?(@.p > 2)]", doc) == [{"p": 5, "sub": {"p": 9}}, {"p": 9}]


def test_a_function_after_a_scan_applies_to_the_whole_result() -> None:
    assert find("$..x.length()", DOC) == 5
    assert find("$..x.sum()", DOC) == 16.0


def test_a_function_after_another_indefinite_path_applies_to_each_match() -> None:
    assert find("$[*].length()", [[1, 2], [3], "s"]) == [2, 1, None]


def test_a_filter_tests_an_object_itself_and_each_element_of_an_array() -> None:
    assert find("$.a[?(@.x == 2)]", DOC) == [DOC["a"]]
    assert find("$.b[?(@.y)]", DOC) == [{"y": 5, "x": 6}]
    assert find("$.x[?(@)]", DOC) == []


def test_evaluators_read_the_root_the_path_names() -> None:
    scope = Scope({"in": 1}, variables={"count": {"n": 3}}, context={"Execution": {"Id": "arn:x"}})
    assert evaluator("$", lambda v: v)(scope) == {"in": 1}
    assert evaluator("$$", lambda v: v["Execution"]["Id"])(scope) == "arn:x"
    assert evaluator("count", lambda v: v["n"])(scope) == 3


def test_an_unknown_variable_is_a_runtime_error() -> None:
    with pytest.raises(EvaluationError) as raised:
        evaluator("nope", identity)(Scope({}))
    assert (raised.value.error, raised.value.cause) == (RUNTIME, "Variable 'nope' is not defined.")
