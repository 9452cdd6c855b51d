"""Layout of a whole state graph: each scope laid out flat, nested scopes boxed inside their state.

ASL forbids transitions across scopes, so the compound layout is recursive: lay out each child scope
(a Parallel's branches, a Map's item processor) first, size its Parallel/Map node to hold them (the
branches side by side under the state's title), lay out the parent with that node as one big box,
then move the children to where their container landed. Everything is deterministic: the same
definition always gives the same coordinates.

Layouts are cached per definition (an LRU keyed by the definition's sha256), so a page showing
a machine's executions lays its graph out once: ``layout_definition`` / ``cached_layout``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stepwell.console.graph.geometry import Box, Point, text_width
from stepwell.console.graph.labels import shorten
from stepwell.console.graph.model import Edge, Node, NodeKind, Scope, StateGraph, build_graph
from stepwell.console.graph.model import definition_digest as _digest
from stepwell.console.graph.sugiyama import FlatEdge, FlatLayout, layout_flat

NAME_FONT = 13.0
TYPE_FONT = 10.0
LABEL_FONT = 11.0
LABEL_LIMIT = 30  # characters of an edge label drawn; the whole text goes in a tooltip
STATE_HEIGHT = 42.0
STATE_MIN_WIDTH = 96.0
STATE_PADDING = 14.0
TERMINAL_SIZE = (58.0, 26.0)  # the top level's Start / End
NESTED_TERMINAL_SIZE = (14.0, 14.0)  # a branch's start / end dots
LABEL_HEIGHT = 16.0
LABEL_PADDING = 5.0
CONTAINER_TITLE = 30.0
CONTAINER_PADDING = 10.0
CHILD_GAP = 12.0
CACHE_SIZE = 128


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    edge: Edge
    points: tuple[Point, ...]
    label: str  # what is drawn (the edge's label, shortened)
    label_box: Box | None
    back: bool  # drawn against the flow (a loop)


@dataclass(frozen=True, slots=True)
class PlacedNode:
    node: Node
    box: Box
    scopes: tuple[PlacedScope, ...] = ()  # a container's children


@dataclass(frozen=True, slots=True)
class PlacedScope:
    scope: Scope
    box: Box  # the area its nodes and edges lie in (a child's frame inside its container)
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]


@dataclass(frozen=True, slots=True)
class GraphLayout:
    graph: StateGraph
    root: PlacedScope
    width: float
    height: float

    def scopes(self) -> Iterator[PlacedScope]:
        pending = [self.root]
        while pending:
            scope = pending.pop()
            yield scope
            for node in reversed(scope.nodes):
                pending.extend(reversed(node.scopes))

    def nodes(self) -> Iterator[PlacedNode]:
        for scope in self.scopes():
            yield from scope.nodes

    def edges(self) -> Iterator[PlacedEdge]:
        for scope in self.scopes():
            yield from scope.edges


def layout_graph(graph: StateGraph) -> GraphLayout:
    """Lay a graph out (uncached)."""
    root = _place(_measure(graph.root), 0.0, 0.0)
    return GraphLayout(graph, root, root.box.w, root.box.h)


def cached_layout(graph: StateGraph) -> GraphLayout:
    """``layout_graph``, remembered per definition digest."""
    return _CACHE.get(graph.digest, lambda: layout_graph(graph))


def layout_definition(definition: str | Mapping[str, Any]) -> GraphLayout:
    """The graph of a valid definition, laid out; remembered per definition text."""
    return _CACHE.get(_digest(definition), lambda: layout_graph(build_graph(definition)))


def node_size(node: Node) -> tuple[float, float]:
    """A leaf node's size: its name and type fit, never narrower than the minimum."""
    if node.kind is not NodeKind.STATE:
        return TERMINAL_SIZE if not node.scope else NESTED_TERMINAL_SIZE
    width = max(text_width(node.name, NAME_FONT), text_width(node.type, TYPE_FONT)) + 2 * STATE_PADDING
    return max(STATE_MIN_WIDTH, round(width)), STATE_HEIGHT


def edge_label(edge: Edge) -> str:
    return shorten(edge.label, LABEL_LIMIT) if edge.label else ""


def label_size(text: str) -> tuple[float, float]:
    return round(text_width(text, LABEL_FONT) + 2 * LABEL_PADDING), LABEL_HEIGHT


@dataclass(frozen=True, slots=True)
class _Measured:
    """A scope laid out at the origin, with its containers' children laid out relative to the
    container's top-left corner."""

    scope: Scope
    flat: FlatLayout
    children: Mapping[int, tuple[tuple[_Measured, float, float], ...]]  # node index -> (child, dx, dy)


def _measure(scope: Scope) -> _Measured:
    index = {node.id: i for i, node in enumerate(scope.nodes)}
    sizes: list[tuple[float, float]] = []
    children: dict[int, tuple[tuple[_Measured, float, float], ...]] = {}
    for i, node in enumerate(scope.nodes):
        if node.is_container:
            size, placed = _measure_container(node)
            children[i] = placed
            sizes.append(size)
        else:
            sizes.append(node_size(node))
    edges = [
        FlatEdge(index[e.source], index[e.target], label_size(edge_label(e)) if e.label else None)
        for e in scope.edges
    ]
    flat = layout_flat(sizes, edges, sink=len(scope.nodes) - 1)
    return _Measured(scope, flat, children)


def _measure_container(node: Node) -> tuple[tuple[float, float], tuple[tuple[_Measured, float, float], ...]]:
    """A Parallel's branches side by side (a Map's processor alone) under the title, centred."""
    inner = [_measure(child) for child in node.children]
    content_w = sum(m.flat.width for m in inner) + CHILD_GAP * (len(inner) - 1)
    content_h = max(m.flat.height for m in inner)
    title_w = text_width(node.name, NAME_FONT) + 8 + text_width(node.type, TYPE_FONT) + 2 * CONTAINER_PADDING
    width = max(content_w + 2 * CONTAINER_PADDING, title_w, STATE_MIN_WIDTH)
    x = (width - content_w) / 2
    placed = []
    for measured in inner:
        placed.append((measured, x, CONTAINER_TITLE))
        x += measured.flat.width + CHILD_GAP
    return (round(width), round(CONTAINER_TITLE + content_h + CONTAINER_PADDING)), tuple(placed)


def _place(measured: _Measured, dx: float, dy: float, height: float | None = None) -> PlacedScope:
    flat = measured.flat
    nodes = []
    for i, node in enumerate(measured.scope.nodes):
        box = flat.boxes[i].moved(dx, dy)
        placed_children: tuple[PlacedScope, ...] = ()
        if i in measured.children:
            siblings = measured.children[i]
            tallest = max(child.flat.height for child, _, _ in siblings)
            placed_children = tuple(
                _place(child, box.x + cx, box.y + cy, tallest) for child, cx, cy in siblings
            )
        nodes.append(PlacedNode(node, box, placed_children))
    edges = []
    for edge, route in zip(measured.scope.edges, flat.routes, strict=True):
        points = tuple((x + dx, y + dy) for x, y in route.points)
        label_box = route.label.moved(dx, dy) if route.label else None
        edges.append(PlacedEdge(edge, points, edge_label(edge), label_box, route.back))
    frame = Box(dx, dy, flat.width, flat.height if height is None else height)
    return PlacedScope(measured.scope, frame, tuple(nodes), tuple(edges))


class _LruCache:
    """A small thread-safe LRU: the console serves pages from several threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, GraphLayout] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], GraphLayout]) -> GraphLayout:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value: GraphLayout = compute()  # outside the lock: a slow layout must not block the others
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_CACHE = _LruCache(CACHE_SIZE)
