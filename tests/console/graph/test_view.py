"""The graph the console pages embed: laid out through the cache, with statuses, without <style>."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from stepwell.console.graph.svg import render_svg
from stepwell.console.graph.view import machine_graph

SVG = "{http://www.w3.org/2000/svg}"
DEFINITION = json.dumps(
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
)


def test_the_page_graph_has_no_style_element() -> None:
    svg = machine_graph(DEFINITION)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f".//{SVG}style") is None
    assert ET.fromstring(render_svg(DEFINITION)).find(f".//{SVG}style") is not None


def test_statuses_mark_the_states() -> None:
    svg = machine_graph(DEFINITION, {"A": "succeeded", "B": "in_progress"})
    root = ET.fromstring(svg)
    statuses = {g.get("data-status") for g in root.iter(f"{SVG}g") if g.get("data-status")}
    assert {"succeeded", "in_progress"} <= statuses


def test_the_same_definition_draws_the_same_graph() -> None:
    assert machine_graph(DEFINITION) == machine_graph(DEFINITION)
    assert machine_graph(DEFINITION) == render_svg(DEFINITION, None, embed_style=False)
