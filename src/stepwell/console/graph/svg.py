"""A laid-out state graph as SVG text: one ``<g class="state">`` per state, readable by scripts.

Every state is ``<g class="state" id="ID" data-state="NAME" data-status="STATUS" data-type="TYPE">``
holding its box and name; a Parallel or Map group (class ``container``) also holds its branches'
``<g class="scope" data-scope="ID/i">``, each with that scope's edges and states. Edges are
``<g class="edge KIND" data-from="ID" data-to="ID" data-kind="KIND">`` around a ``<path>`` with an
arrowhead and, when labelled, the label; Catch edges are dashed orange and their ``<title>`` lists the
errors; loops are drawn on the right (class ``back``). A status legend closes the picture. No script.

Statuses: ``render_svg(graph, statuses)`` takes a mapping from **state id** (``console.ids``: what
``state_status.state_statuses`` returns, e.g. ``Fan/0/B1``) **or state name** (names are unique across
a whole definition, nested ones included, and are what the history reports) to one of
``succeeded, failed, caught_error, in_progress, cancelled, not_run`` (case-insensitive, so
``"SUCCEEDED"`` works too). A state's id is looked up first, then its name; states the mapping does
not mention are ``not_run``, keys matching no state are ignored. The layout is computed once per
definition (``graph_layout``'s LRU); only the text is rebuilt per call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from itertools import pairwise
from typing import Any

from stepwell.console.graph.geometry import Box, Point, text_width
from stepwell.console.graph.layout import (
    NAME_FONT,
    GraphLayout,
    PlacedEdge,
    PlacedNode,
    PlacedScope,
    cached_layout,
    layout_definition,
)
from stepwell.console.graph.model import EdgeKind, NodeKind, StateGraph
from stepwell.console.graph.style import NOT_RUN, STATUS_LABELS, STATUSES, stylesheet

LEGEND_HEIGHT = 34.0
CORNER = 8.0  # radius of a back edge's corners
ARROW = "sw:arrow"  # ids with ':' cannot collide with a state id (':' is escaped in names)
CATCH_ARROW = "sw:arrow-catch"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Graph = GraphLayout | StateGraph | str | Mapping[str, Any]


def render_svg(graph: Graph, statuses: Mapping[str, str] | None = None, *, embed_style: bool = True) -> str:
    """The SVG of ``graph`` (a layout, a graph, or a definition's text or object) with ``statuses``
    by state id or name (see the module docstring). ``embed_style=False`` leaves out the
    ``<style>`` element: a page with a strict Content-Security-Policy links ``stylesheet()`` instead."""
    layout = _layout_of(graph)
    known = _normalised(statuses or {})
    width, height = layout.width, layout.height
    legend_width = _legend_width()
    total_width = max(width, legend_width)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="stepwell-graph" '
        f'width="{_n(total_width)}" height="{_n(height + LEGEND_HEIGHT)}" '
        f'viewBox="0 0 {_n(total_width)} {_n(height + LEGEND_HEIGHT)}" '
        f'data-definition="{layout.graph.digest[:16]}" role="img" aria-label="State machine graph">',
        _defs(),
    ]
    if embed_style:
        out.insert(1, f"<style>\n{stylesheet()}\n</style>")
    _scope(layout.root, known, out)
    _legend(height, out)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _layout_of(graph: Graph) -> GraphLayout:
    if isinstance(graph, GraphLayout):
        return graph
    if isinstance(graph, StateGraph):
        return cached_layout(graph)
    return layout_definition(graph)


def _normalised(statuses: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for name, status in statuses.items():
        value = status.lower()
        if value not in STATUSES:
            raise ValueError(f"unknown status {status!r} for {name!r}: expected one of {', '.join(STATUSES)}")
        out[name] = value
    return out


def _defs() -> str:
    def marker(marker_id: str, css_class: str) -> str:
        return (
            f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path class="{css_class}" d="M0,1 L10,5 L0,9 Z"/></marker>'
        )

    return f"<defs>{marker(ARROW, 'arrowhead')}{marker(CATCH_ARROW, 'arrowhead catch')}</defs>"


def _scope(scope: PlacedScope, statuses: Mapping[str, str], out: list[str]) -> None:
    out.append(f'<g class="scope" data-scope="{_a(scope.scope.id)}">')
    for edge in scope.edges:
        _edge(edge, out)
    for node in scope.nodes:
        _node(node, statuses, out)
    out.append("</g>")


def _node(placed: PlacedNode, statuses: Mapping[str, str], out: list[str]) -> None:
    node, box = placed.node, placed.box
    if node.kind is not NodeKind.STATE:
        _terminal(placed, out)
        return
    status = statuses.get(node.id) or statuses.get(node.name, NOT_RUN)
    classes = "state container" if node.is_container else "state"
    out.append(
        f'<g class="{classes}" id="{_a(node.id)}" data-state="{_a(node.name)}" '
        f'data-status="{status}" data-type="{_a(node.type)}">'
    )
    out.append(f"<title>{_t(node.name)} ({_t(node.type)})</title>")
    out.append(f'<rect class="box" {_rect(box)} rx="{8 if node.is_container else 6}"/>')
    if node.is_container:
        type_x = box.x + 10 + text_width(node.name, NAME_FONT) + 8
        out.append(f'<text class="name" x="{_n(box.x + 10)}" y="{_n(box.y + 16)}">{_t(node.name)}</text>')
        out.append(f'<text class="type" x="{_n(type_x)}" y="{_n(box.y + 16)}">{_t(node.type)}</text>')
        for child in placed.scopes:
            if node.type == "Parallel":
                title = f"<title>{_t(child.scope.title)}</title>"
                out.append(f'<rect class="frame" {_rect(child.box)} rx="6">{title}</rect>')
            _scope(child, statuses, out)
    else:
        out.append(f'<text class="name" x="{_n(box.cx)}" y="{_n(box.cy - 6)}">{_t(node.name)}</text>')
        out.append(f'<text class="type" x="{_n(box.cx)}" y="{_n(box.cy + 10)}">{_t(node.type)}</text>')
    out.append("</g>")


def _terminal(placed: PlacedNode, out: list[str]) -> None:
    node, box = placed.node, placed.box
    which = "start" if node.kind is NodeKind.START else "end"
    nested = " nested" if node.scope else ""
    out.append(f'<g class="terminal {which}{nested}" id="{_a(node.id)}" data-scope="{_a(node.scope)}">')
    out.append(f"<title>{node.type}</title>")
    radius = box.h / 2
    out.append(f'<rect class="box" {_rect(box)} rx="{_n(radius)}"/>')
    if not nested:
        out.append(f'<text class="name" x="{_n(box.cx)}" y="{_n(box.cy)}">{node.type}</text>')
    elif which == "end":
        out.append(f'<circle class="dot" cx="{_n(box.cx)}" cy="{_n(box.cy)}" r="{_n(radius / 2)}"/>')
    out.append("</g>")


def _edge(placed: PlacedEdge, out: list[str]) -> None:
    edge = placed.edge
    kind = edge.kind.value
    classes = f"edge {kind} back" if placed.back else f"edge {kind}"
    out.append(
        f'<g class="{classes}" data-edge="{edge.id}" data-from="{_a(edge.source)}" '
        f'data-to="{_a(edge.target)}" data-kind="{kind}">'
    )
    title = _edge_title(placed)
    if title:
        out.append(f"<title>{_t(title)}</title>")
    marker = CATCH_ARROW if edge.kind is EdgeKind.CATCH else ARROW
    path = _rounded(placed.points) if placed.back else _smooth(placed.points)
    out.append(f'<path class="line" d="{path}" marker-end="url(#{marker})"/>')
    if placed.label and placed.label_box is not None:
        box = placed.label_box
        out.append(
            f'<g class="label"><rect {_rect(box)} rx="3"/>'
            f'<text x="{_n(box.cx)}" y="{_n(box.cy)}">{_t(placed.label)}</text></g>'
        )
    out.append("</g>")


def _edge_title(placed: PlacedEdge) -> str:
    edge = placed.edge
    if edge.kind is EdgeKind.CATCH:
        return "Catch: " + ", ".join(edge.errors)
    if edge.kind is EdgeKind.CHOICE:
        return "Choice: " + edge.label
    if edge.kind is EdgeKind.DEFAULT:
        return "Default"
    return ""


def _legend(top: float, out: list[str]) -> None:
    out.append(f'<g class="legend" transform="translate(12,{_n(top + 8)})">')
    x = 0.0
    for status in STATUSES:
        label = STATUS_LABELS[status]
        out.append(
            f'<g class="legend-item" data-status="{status}"><rect class="box" x="{_n(x)}" y="2" '
            f'width="14" height="14" rx="3"/><text x="{_n(x + 19)}" y="9">{label}</text></g>'
        )
        x += _legend_item_width(label)
    out.append(
        f'<g class="legend-item edge catch"><path class="line" d="M{_n(x)},9 L{_n(x + 28)},9"/>'
        f'<text x="{_n(x + 33)}" y="9">Catch</text></g>'
    )
    out.append("</g>")


def _legend_item_width(label: str) -> float:
    return 19 + len(label) * 6.2 + 16


def _legend_width() -> float:
    return 12 + sum(_legend_item_width(STATUS_LABELS[s]) for s in STATUSES) + 33 + 40 + 12


def _smooth(points: tuple[Point, ...]) -> str:
    """Straight along bands, S-curves (vertical tangents) where the route changes column in a gap."""
    parts = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x0 == x1 or y0 == y1:
            parts.append(f"L{_n(x1)},{_n(y1)}")
        else:
            middle = (y0 + y1) / 2
            parts.append(f"C{_n(x0)},{_n(middle)} {_n(x1)},{_n(middle)} {_n(x1)},{_n(y1)}")
    return " ".join(parts)


def _rounded(points: tuple[Point, ...]) -> str:
    """An orthogonal route with its corners rounded."""
    parts = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for previous, corner, following in zip(points, points[1:], points[2:], strict=False):
        before = _towards(corner, previous, CORNER)
        after = _towards(corner, following, CORNER)
        parts.append(f"L{_n(before[0])},{_n(before[1])}")
        parts.append(f"Q{_n(corner[0])},{_n(corner[1])} {_n(after[0])},{_n(after[1])}")
    parts.append(f"L{_n(points[-1][0])},{_n(points[-1][1])}")
    return " ".join(parts)


def _towards(start: Point, end: Point, distance: float) -> Point:
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = (dx * dx + dy * dy) ** 0.5
    if length == 0:
        return start
    step = min(distance, length / 2) / length
    return (start[0] + dx * step, start[1] + dy * step)


def _rect(box: Box) -> str:
    return f'x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}"'


def _n(value: float) -> str:
    """A coordinate with at most one decimal: compact, and identical from run to run."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _t(text: str) -> str:
    """Text content: XML-escaped, with characters XML 1.0 cannot hold replaced."""
    return escape(_NOT_XML.sub("\ufffd", text), quote=False)


def _a(text: str) -> str:
    """An attribute value (double-quoted): XML-escaped, quotes included."""
    return escape(_NOT_XML.sub("\ufffd", text), quote=True)
