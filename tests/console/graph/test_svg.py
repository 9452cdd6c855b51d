from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from stepwell.console.graph.model import EdgeKind, build_graph
from stepwell.console.graph.style import STATUSES
from stepwell.console.graph.svg import render_svg
from tests.console.graph.fixtures import MIXED, ODD_NAME, all_definitions

SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _groups(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if css_class in (g.get("class") or "").split()]


@pytest.mark.parametrize(("name", "text"), all_definitions())
def test_every_state_and_edge_is_drawn_once(name: str, text: str) -> None:
    root = _tree(render_svg(text))
    graph = build_graph(text)
    states = _groups(root, "state")
    assert sorted(g.get("id") or "" for g in states) == sorted(n.id for n in graph.states())
    assert {g.get("data-state") for g in states} == {n.name for n in graph.states()}
    assert all(g.get("data-status") == "not_run" for g in states)
    edges = _groups(root, "edge")
    drawn = [(g.get("data-from"), g.get("data-to"), g.get("data-kind")) for g in edges if g.get("data-edge")]
    assert sorted(drawn) == sorted((e.source, e.target, e.kind.value) for e in graph.edges())
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_labels_titles_and_classes_of_edges() -> None:
    root = _tree(render_svg(MIXED))
    edges = {g.get("data-edge"): g for g in _groups(root, "edge") if g.get("data-edge")}
    graph = build_graph(MIXED)
    for edge in graph.edges():
        group = edges[edge.id]
        texts = [t.text for t in group.iter(f"{SVG}text")]
        assert texts == ([edge.label] if edge.label else [])
        path = group.find(f"{SVG}path")
        assert path is not None and path.get("d", "").startswith("M")
        assert path.get("marker-end", "").startswith("url(#sw:arrow")
        if edge.kind is EdgeKind.CATCH:
            title = group.find(f"{SVG}title")
            assert title is not None and title.text == "Catch: " + ", ".join(edge.errors)
    back = [g for g in _groups(root, "back") if g.get("data-edge")]
    assert {(g.get("data-from"), g.get("data-to")) for g in back} == {("Router", "Router"), ("Check", "Work")}


def test_odd_names_are_escaped_and_the_svg_parses() -> None:
    svg = render_svg(MIXED)
    assert ODD_NAME not in svg
    assert "&lt;b&gt;&quot;&amp;&#x27;" in svg
    root = _tree(svg)
    (group,) = [g for g in _groups(root, "state") if g.get("data-state") == ODD_NAME]
    assert group.get("id") == "~3cb~3e~22~26~27"
    assert next(t.text for t in group.iter(f"{SVG}text")) == ODD_NAME


def test_control_characters_cannot_break_the_xml() -> None:
    definition = {"StartAt": "a\x01b", "States": {"a\x01b": {"Type": "Succeed"}}}
    root = _tree(render_svg(definition))
    (group,) = _groups(root, "state")
    assert group.get("data-state") == "a\ufffdb"


def test_statuses_by_id_or_name() -> None:
    svg = render_svg(
        MIXED, {"Work": "FAILED", "Fan/0/B1": "in_progress", "Deep3": "succeeded", "Gone": "failed"}
    )
    status = {g.get("data-state"): g.get("data-status") for g in _groups(_tree(svg), "state")}
    assert status["Work"] == "failed"
    assert status["B1"] == "in_progress"
    assert status["Deep3"] == "succeeded"
    assert status["Router"] == "not_run"


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        render_svg(MIXED, {"Work": "exploded"})


def test_same_definition_same_svg() -> None:
    text = json.dumps(MIXED)
    assert render_svg(text) == render_svg(json.loads(text)) == render_svg(build_graph(text))


def test_containers_nest_their_scopes_and_draw_a_legend() -> None:
    root = _tree(render_svg(MIXED))
    (fan,) = [g for g in _groups(root, "container") if g.get("data-state") == "Fan"]
    scopes = [g.get("data-scope") for g in fan.findall(f"{SVG}g") if "scope" in (g.get("class") or "")]
    assert scopes == ["Fan/0", "Fan/1"]
    inner = {g.get("data-state") for g in _groups(fan, "state")}
    assert {"B1", "B2", "Each", "Inner", "Deep", "Deep2", "Deep3", "Fan"} == inner
    legend = [g.get("data-status") for g in _groups(root, "legend-item") if g.get("data-status")]
    assert legend == list(STATUSES)


def test_no_script_and_a_style_per_status() -> None:
    svg = render_svg(MIXED)
    assert "<script" not in svg and "javascript:" not in svg
    assert not re.search(r"\son[a-z]+=", svg)  # no event handler attributes
    for status in STATUSES:
        assert f'.state[data-status="{status}"] > .box' in svg
