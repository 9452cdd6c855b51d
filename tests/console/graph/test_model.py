from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from stepwell.console.graph.model import EdgeKind, NodeKind, build_graph, encode_name
from tests.console.graph.fixtures import ITERATOR, MIXED, ODD_NAME, all_definitions, raw_transitions

SAFE_ID = re.compile(r"^[A-Za-z0-9_.~/@-]+$")


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_every_transition_is_an_edge_exactly_once(name: str, text: str) -> None:
    graph = build_graph(text)
    names = {node.id: node.name for node in graph.states()}
    drawn = Counter(
        (names[e.source], names[e.target], e.kind.value, e.errors)
        for e in graph.edges()
        if e.kind not in (EdgeKind.START, EdgeKind.END)
    )
    assert drawn == Counter(raw_transitions(json.loads(text)))


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_each_scope_starts_once_and_ends_from_each_terminal(name: str, text: str) -> None:
    graph = build_graph(text)
    for scope in graph.scopes():
        starts = [e for e in scope.edges if e.kind is EdgeKind.START]
        assert len(starts) == 1 and starts[0].source == scope.start.id
        ends = {e.source for e in scope.edges if e.kind is EdgeKind.END}
        terminals = {n.id for n in scope.nodes if n.type in ("Succeed", "Fail")}
        assert terminals <= ends
        assert all(e.target == scope.end.id for e in scope.edges if e.kind is EdgeKind.END)
        # ASL: no transition leaves its scope
        ids = {n.id for n in scope.nodes}
        assert all(e.source in ids and e.target in ids for e in scope.edges)


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_ids_are_unique_html_safe_and_stable(name: str, text: str) -> None:
    first, second = build_graph(text), build_graph(text)
    ids = [node.id for node in first.nodes()]
    assert len(ids) == len(set(ids))
    assert all(SAFE_ID.match(i) for i in ids)
    assert ids == [node.id for node in second.nodes()]
    assert [e.id for e in first.edges()] == [e.id for e in second.edges()]
    assert first == second


def test_nested_ids_follow_the_scope_path() -> None:
    graph = build_graph(MIXED)
    ids = {node.name: node.id for node in graph.states()}
    assert ids["B1"] == "Fan/0/B1"
    assert ids["Each"] == "Fan/1/Each"
    assert ids["Inner"] == "Fan/1/Each/0/Inner"
    assert ids["Deep3"] == "Fan/1/Each/0/Inner/1/Deep3"
    assert ids[ODD_NAME] == "~3cb~3e~22~26~27"
    scopes = [scope.id for scope in graph.scopes()]
    assert scopes == ["", "Fan/0", "Fan/1", "Fan/1/Each/0", "Fan/1/Each/0/Inner/0", "Fan/1/Each/0/Inner/1"]
    assert {n.id for n in graph.nodes() if n.kind is NodeKind.START} >= {"@start", "Fan/0/@start"}


def test_iterator_is_the_item_processor() -> None:
    graph = build_graph(ITERATOR)
    ids = {node.name: node.id for node in graph.states()}
    assert ids == {"Outer": "Outer", "P": "Outer/0/P", "M": "Outer/0/P/0/M", "Leaf": "Outer/0/P/0/M/0/Leaf"}
    outer = next(n for n in graph.states() if n.name == "Outer")
    assert [child.title for child in outer.children] == ["Item processor"]


def test_name_encoding_is_reversible_and_never_spells_a_separator() -> None:
    for name in ("a/b", "a b", "~", "x@start", "é", "日本", "a~2fb"):
        encoded = encode_name(name)
        assert "/" not in encoded and "@" not in encoded and " " not in encoded
    assert encode_name("a/b") != encode_name("a~2fb")
    assert encode_name("Plain-name_1.0") == "Plain-name_1.0"


def test_labels_of_the_mixed_definition() -> None:
    graph = build_graph(MIXED)
    labels = {(e.kind.value, e.label) for e in graph.edges() if e.label}
    assert labels == {
        ("choice", '$.x == "a"'),
        ("choice", "And($.n > 5, $.m is present)"),
        ("choice", "Not($.t < $.now)"),
        ("default", "Default"),
        ("choice", "$states.input.again = true"),
        ("catch", "States.ALL"),
        ("catch", "States.Timeout, Custom.Error"),
    }
    catches = [e for e in graph.edges() if e.kind is EdgeKind.CATCH]
    assert ("States.Timeout", "Custom.Error") in [e.errors for e in catches]


def test_digest_tells_definitions_apart() -> None:
    assert build_graph(MIXED).digest != build_graph(ITERATOR).digest
    assert build_graph(MIXED).digest == build_graph(json.dumps(MIXED)).digest


def test_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown state"):
        build_graph({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
