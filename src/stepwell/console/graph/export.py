"""The state graph in other formats: Graphviz DOT, Mermaid flowchart, and our layout as JSON.

DOT and Mermaid give the structure (nodes, labelled edges, Parallel/Map as clusters / subgraphs,
Catch edges dashed) and leave the drawing to their tools; JSON gives our own layout: every node's
box and scope, every edge's route points and label box, so a script can redraw or check it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stepwell.console.graph.geometry import Box
from stepwell.console.graph.layout import GraphLayout, PlacedScope, cached_layout, layout_definition
from stepwell.console.graph.model import Edge, EdgeKind, Node, NodeKind, Scope, StateGraph, build_graph
from stepwell.console.graph.style import CATCH_COLOUR

Graph = GraphLayout | StateGraph | str | Mapping[str, Any]


def as_graph(graph: Graph) -> StateGraph:
    if isinstance(graph, GraphLayout):
        return graph.graph
    if isinstance(graph, StateGraph):
        return graph
    return build_graph(graph)


def as_layout(graph: Graph) -> GraphLayout:
    if isinstance(graph, GraphLayout):
        return graph
    if isinstance(graph, StateGraph):
        return cached_layout(graph)
    return layout_definition(graph)


# --- DOT -------------------------------------------------------------------------------------------


def to_dot(graph: Graph) -> str:
    """Graphviz DOT: ``dot -Tsvg`` draws it. Containers are clusters; an edge into or out of one is
    drawn to its boundary (``compound=true`` with ``lhead``/``ltail`` on its first inner node)."""
    model = as_graph(graph)
    containers = {node.id: node for node in model.nodes() if node.is_container}
    lines = [
        "digraph stepwell {",
        "  rankdir=TB; compound=true; fontname=Helvetica;",
        '  node [shape=box, style="rounded,filled", fillcolor="#fafafa", color="#aab7b8",'
        " fontname=Helvetica];",
        '  edge [color="#545b64", fontname=Helvetica, fontsize=10];',
    ]
    _dot_scope(model.root, "  ", lines)
    for edge in model.edges():
        lines.append("  " + _dot_edge(edge, containers))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_scope(scope: Scope, indent: str, lines: list[str]) -> None:
    for node in scope.nodes:
        if node.kind is NodeKind.START or node.kind is NodeKind.END:
            text = node.type if not scope.id else ""
            shape = "oval" if not scope.id else "circle"
            size = "" if not scope.id else ", width=0.15, fixedsize=true"
            lines.append(
                f"{indent}{_dot_id(node.id)} [label={_dot_string(text)}, shape={shape}, "
                f'fillcolor="#545b64", fontcolor=white{size}];'
            )
        elif node.is_container:
            lines.append(f"{indent}subgraph {_dot_id('cluster_' + node.id)} {{")
            lines.append(f"{indent}  label={_dot_string(f'{node.name} ({node.type})')}; style=dashed;")
            for child in node.children:
                lines.append(f"{indent}  subgraph {_dot_id('cluster_' + child.id)} {{")
                lines.append(f"{indent}    label={_dot_string(child.title)}; style=dotted;")
                _dot_scope(child, indent + "    ", lines)
                lines.append(f"{indent}  }}")
            lines.append(f"{indent}}}")
        else:
            label = f"{node.name}\n{node.type}"
            lines.append(f"{indent}{_dot_id(node.id)} [label={_dot_string(label)}];")


def _dot_edge(edge: Edge, containers: Mapping[str, Node]) -> str:
    attributes = []
    source, target = edge.source, edge.target
    if source in containers:
        attributes.append(f"ltail={_dot_id('cluster_' + source)}")
        source = containers[source].children[0].end.id
    if target in containers:
        attributes.append(f"lhead={_dot_id('cluster_' + target)}")
        target = containers[target].children[0].start.id
    if edge.label:
        attributes.append(f"label={_dot_string(edge.label)}")
    if edge.kind is EdgeKind.CATCH:
        attributes.append(f'style=dashed, color="{CATCH_COLOUR}", fontcolor="{CATCH_COLOUR}"')
    suffix = f" [{', '.join(attributes)}]" if attributes else ""
    return f"{_dot_id(source)} -> {_dot_id(target)}{suffix};"


def _dot_id(text: str) -> str:
    return _dot_string(text)


def _dot_string(text: str) -> str:
    """A double-quoted DOT string: backslashes doubled (so Graphviz's ``\\N``-style escapes stay
    literal), quotes escaped, newlines as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{escaped}"'


# --- Mermaid ---------------------------------------------------------------------------------------


def to_mermaid(graph: Graph) -> str:
    """A Mermaid ``flowchart TD``: Parallel/Map states are subgraphs (each Parallel branch a nested
    one), Catch edges dotted. Mermaid ids are ``n<i>`` in graph order: stable, and free of the
    characters state names may hold; names appear only inside quoted, entity-escaped labels."""
    model = as_graph(graph)
    ids = {node.id: f"n{i}" for i, node in enumerate(model.nodes())}
    lines = ["flowchart TD"]
    _mermaid_scope(model.root, ids, "  ", lines)
    for edge in model.edges():
        arrow = "-.->" if edge.kind is EdgeKind.CATCH else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
    lines.append("  classDef terminal fill:#545b64,color:#ffffff,stroke:#545b64")
    lines.append("  classDef state fill:#fafafa,stroke:#aab7b8")
    terminals = [ids[n.id] for n in model.nodes() if n.kind is not NodeKind.STATE]
    leaves = [ids[n.id] for n in model.states() if not n.is_container]
    lines.append(f"  class {','.join(terminals)} terminal")
    if leaves:
        lines.append(f"  class {','.join(leaves)} state")
    return "\n".join(lines) + "\n"


def _mermaid_scope(scope: Scope, ids: Mapping[str, str], indent: str, lines: list[str]) -> None:
    for node in scope.nodes:
        own = ids[node.id]
        if node.kind is not NodeKind.STATE:
            lines.append(f'{indent}{own}(["{node.type}"])' if not scope.id else f'{indent}{own}((" "))')
        elif node.is_container:
            lines.append(f'{indent}subgraph {own}["{_mermaid_text(f"{node.name} ({node.type})")}"]')
            lines.append(f"{indent}  direction TB")
            for i, child in enumerate(node.children):
                if node.type == "Parallel":
                    lines.append(f'{indent}  subgraph {own}_{i}["{_mermaid_text(child.title)}"]')
                    lines.append(f"{indent}    direction TB")
                    _mermaid_scope(child, ids, indent + "    ", lines)
                    lines.append(f"{indent}  end")
                else:
                    _mermaid_scope(child, ids, indent + "  ", lines)
            lines.append(f"{indent}end")
        else:
            lines.append(f'{indent}{own}["{_mermaid_text(node.name)}"]')


def _mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: its markup characters as Mermaid entity codes."""
    out = []
    for char in " ".join(text.split()):
        if char in '"#&<>`|':
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


# --- JSON ------------------------------------------------------------------------------------------


def to_json(graph: Graph, indent: int | None = 2) -> str:
    """Our layout as JSON (see ``layout_dict``)."""
    return json.dumps(layout_dict(as_layout(graph)), indent=indent, ensure_ascii=False) + "\n"


def layout_dict(layout: GraphLayout) -> dict[str, Any]:
    """``{width, height, digest, scopes: [...], nodes: [...], edges: [...]}``: nodes with
    ``id, name, type, kind, scope, container, x, y, w, h``; edges with ``id, from, to, kind, label``
    (as drawn), ``text`` (whole), ``errors``, ``back``, ``points`` and ``label_box``; scopes with
    ``id, title, parent`` and their frame. Coordinates are absolute, y downwards."""
    scopes: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    _json_scope(layout.root, None, scopes, nodes, edges)
    return {
        "width": _n(layout.width),
        "height": _n(layout.height),
        "digest": layout.graph.digest,
        "scopes": scopes,
        "nodes": nodes,
        "edges": edges,
    }


def _json_scope(
    placed: PlacedScope,
    parent: str | None,
    scopes: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
) -> None:
    scope = placed.scope
    scopes.append({"id": scope.id, "title": scope.title, "parent": parent, **_box(placed.box)})
    for item in placed.nodes:
        node = item.node
        nodes.append(
            {
                "id": node.id,
                "name": node.name,
                "type": node.type,
                "kind": node.kind.value,
                "scope": scope.id,
                "container": node.is_container,
                **_box(item.box),
            }
        )
    for routed in placed.edges:
        edge = routed.edge
        edges.append(
            {
                "id": edge.id,
                "from": edge.source,
                "to": edge.target,
                "kind": edge.kind.value,
                "label": routed.label,
                "text": edge.label,
                "errors": list(edge.errors),
                "back": routed.back,
                "points": [[_n(x), _n(y)] for x, y in routed.points],
                "label_box": _box(routed.label_box) if routed.label_box else None,
            }
        )
    for item in placed.nodes:
        for child in item.scopes:
            _json_scope(child, item.node.id, scopes, nodes, edges)


def _box(box: Box) -> dict[str, float]:
    return {"x": _n(box.x), "y": _n(box.y), "w": _n(box.w), "h": _n(box.h)}


def _n(value: float) -> float:
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded
