from __future__ import annotations

import json
import re

import pytest

from stepwell.console.graph.export import to_dot, to_json, to_mermaid
from stepwell.console.graph.model import EdgeKind, build_graph
from tests.console.graph.fixtures import MIXED, ODD_NAME, all_definitions


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_dot_has_every_node_and_edge(name: str, text: str) -> None:
    dot = to_dot(text)
    graph = build_graph(text)
    assert dot.startswith("digraph stepwell {") and dot.rstrip().endswith("}")
    assert len(re.findall(r" -> ", dot)) == len(list(graph.edges()))
    containers = [n for n in graph.states() if n.is_container]
    for node in graph.nodes():
        if node.is_container:
            assert f'subgraph "cluster_{node.id}"' in dot
        else:
            assert f'"{node.id}" [' in dot
    assert dot.count("lhead=") == sum(1 for e in graph.edges() if e.target in {c.id for c in containers})


def test_dot_escapes_and_styles_catches() -> None:
    dot = to_dot(MIXED)
    assert 'label="<b>\\"&\'\\nPass"' in dot
    assert 'label="States.Timeout, Custom.Error", style=dashed' in dot
    assert 'label="$.x == \\"a\\""' in dot


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_mermaid_has_every_edge_and_quotes_nothing_raw(name: str, text: str) -> None:
    mermaid = to_mermaid(text)
    graph = build_graph(text)
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart TD"
    edges = [line for line in lines if re.match(r"\s*n\d+ (-->|-\.->)", line)]
    assert len(edges) == len(list(graph.edges()))
    catches = [line for line in edges if "-.->" in line]
    assert len(catches) == sum(1 for e in graph.edges() if e.kind is EdgeKind.CATCH)
    for line in lines:
        for quoted in re.findall(r'"([^"]*)"', line):
            assert "<" not in quoted and ">" not in quoted


def test_mermaid_subgraphs_for_parallel_and_map() -> None:
    mermaid = to_mermaid(MIXED)
    assert mermaid.count("subgraph ") == 1 + 2 + 1 + 1 + 2  # Fan + its branches, Each, Inner + branches
    assert '["Fan (Parallel)"]' in mermaid and '["Each (Map)"]' in mermaid
    assert '["Branch 1"]' in mermaid
    assert "#60;b#62;#34;#38;'" in mermaid  # the odd name, entity-escaped
    assert ODD_NAME not in mermaid


def test_json_has_boxes_scopes_and_routes() -> None:
    data = json.loads(to_json(MIXED))
    graph = build_graph(MIXED)
    assert {n["id"] for n in data["nodes"]} == {n.id for n in graph.nodes()}
    assert [s["id"] for s in data["scopes"]] == [s.id for s in graph.scopes()]
    for node in data["nodes"]:
        assert {"x", "y", "w", "h", "scope", "name", "type", "kind"} <= node.keys()
    by_id = {e["id"]: e for e in data["edges"]}
    for edge in graph.edges():
        exported = by_id[edge.id]
        assert (exported["from"], exported["to"], exported["kind"]) == (edge.source, edge.target, edge.kind)
        assert exported["text"] == edge.label and len(exported["points"]) >= 2
    assert sorted((e["from"], e["to"]) for e in data["edges"] if e["back"]) == [
        ("Check", "Work"),
        ("Router", "Router"),
    ]
    nested = next(n for n in data["nodes"] if n["name"] == "Deep3")
    assert nested["scope"] == "Fan/1/Each/0/Inner/1"
