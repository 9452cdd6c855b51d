from __future__ import annotations

import json
import math
from itertools import combinations

import pytest

from stepwell.console.graph.export import layout_dict
from stepwell.console.graph.geometry import Box
from stepwell.console.graph.layout import GraphLayout, PlacedScope, layout_definition, layout_graph
from stepwell.console.graph.model import EdgeKind, build_graph
from stepwell.console.graph.sample import mixed_definition
from tests.console.graph.fixtures import MIXED, all_definitions, example_texts


def _layout(text: str) -> GraphLayout:
    return layout_graph(build_graph(text))


def _boxes_in(scope: PlacedScope) -> list[tuple[str, Box]]:
    """Every box drawn in one scope: its nodes and its edges' labels."""
    boxes = [(item.node.id, item.box) for item in scope.nodes]
    boxes += [(f"label of {e.edge.id}", e.label_box) for e in scope.edges if e.label_box is not None]
    return boxes


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_no_two_boxes_overlap_within_a_scope(name: str, text: str) -> None:
    for scope in _layout(text).scopes():
        for (a, box_a), (b, box_b) in combinations(_boxes_in(scope), 2):
            assert not box_a.overlaps(box_b), f"{a} {box_a} overlaps {b} {box_b} in scope {scope.scope.id!r}"


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_children_lie_inside_their_container_and_scope(name: str, text: str) -> None:
    layout = _layout(text)
    assert Box(0, 0, layout.width, layout.height).contains(layout.root.box)
    for scope in layout.scopes():
        for item in scope.nodes:
            assert scope.box.contains(item.box), f"{item.node.id} outside scope {scope.scope.id!r}"
            for child in item.scopes:
                assert item.box.contains(child.box), f"{child.scope.id} outside {item.node.id}"
            for a, b in combinations(item.scopes, 2):
                assert not a.box.overlaps(b.box), f"branches {a.scope.id} and {b.scope.id} overlap"
        for edge in scope.edges:
            for x, y in edge.points:
                assert scope.box.x <= x <= scope.box.right and scope.box.y <= y <= scope.box.bottom


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_every_edge_is_routed_from_its_source_to_its_target(name: str, text: str) -> None:
    layout = _layout(text)
    boxes = {item.node.id: item.box for item in layout.nodes()}
    edges = list(layout.edges())
    assert [e.edge for e in edges] == list(layout.graph.edges())
    for routed in edges:
        source, target = boxes[routed.edge.source], boxes[routed.edge.target]
        (x0, y0), (x1, y1) = routed.points[0], routed.points[-1]
        assert y0 == pytest.approx(source.bottom) and source.x <= x0 <= source.right
        assert y1 == pytest.approx(target.y) and target.x <= x1 <= target.right
        assert all(math.isfinite(c) for point in routed.points for c in point)
        if routed.edge.label:
            assert routed.label and routed.label_box is not None
        else:
            assert routed.label_box is None


def test_forward_edges_go_down_and_loops_are_back_edges() -> None:
    layout = _layout(json.dumps(MIXED))
    boxes = {item.node.name or item.node.id: item.box for item in layout.nodes()}
    back = {(e.edge.source, e.edge.target) for e in layout.edges() if e.back}
    assert back == {("Router", "Router"), ("Check", "Work")}
    for routed in layout.edges():
        if not routed.back:
            ys = [y for _, y in routed.points]
            assert ys == sorted(ys), routed.edge
    # a back edge runs on the right of both ends
    loop = next(e for e in layout.edges() if e.edge.source == "Check")
    lane = max(x for x, _ in loop.points)
    assert lane > boxes["Check"].right and lane > boxes["Work"].right


def test_job_poller_loop_is_drawn_as_a_back_edge() -> None:
    (text,) = [t for name, t in example_texts() if name == "job-poller"]
    layout = _layout(text)
    back = [e for e in layout.edges() if e.back]
    assert [(e.edge.kind, e.label) for e in back] == [(EdgeKind.DEFAULT, "Default")]


def test_states_run_top_down_along_a_chain() -> None:
    (text,) = [t for name, t in example_texts() if name == "stock-trading"]
    layout = _layout(text)
    top = {item.node.name: item.box.y for item in layout.root.nodes if item.node.name}
    assert top["Check Stock Price"] < top["Generate Buy/Sell recommendation"] < top["Buy or Sell?"]
    assert top["Buy Stock"] == top["Sell Stock"] < top["Report Result"]


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_layout_is_deterministic(name: str, text: str) -> None:
    assert layout_dict(_layout(text)) == layout_dict(_layout(text))


def test_a_generated_200_state_definition_lays_out_sanely() -> None:
    layout = _layout(json.dumps(mixed_definition(200)))
    states = [item for item in layout.nodes() if item.node.name]
    assert len(states) == 200
    assert len(list(layout.edges())) == len(list(layout.graph.edges()))
    # a top-down picture: taller than wide, and not absurdly wide
    assert layout.width < layout.height
    assert layout.width < 3000


def test_layouts_are_cached_per_definition() -> None:
    text = json.dumps(mixed_definition(30))
    assert layout_definition(text) is layout_definition(text)
    assert layout_definition(text) is not layout_definition(json.dumps(mixed_definition(31)))
