"""The graph as the console pages embed it: laid out once per definition (graph_layout's cache),
drawn without its own <style> (the page links /graph.css: the Content-Security-Policy forbids inline
styles)."""

from __future__ import annotations

from collections.abc import Mapping

from stepwell.console.graph.layout import layout_definition
from stepwell.console.graph.svg import render_svg


def machine_graph(definition: str, statuses: Mapping[str, str] | None = None) -> str:
    return render_svg(layout_definition(definition), statuses, embed_style=False)
