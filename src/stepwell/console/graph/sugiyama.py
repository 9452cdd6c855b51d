"""Layered (Sugiyama-style) layout of one flat scope, top to bottom. Numbers in, numbers out.

1. Cycles: a depth-first search from the start node marks back edges (to a node still on the DFS
   stack, self-loops included); they are left out of the layering and drawn afterwards on the right.
2. Ranks: longest path from the sources over the remaining DAG. States sit on even ranks; the odd rank
   between two state ranks holds the edge labels, so every edge crosses at least one odd rank.
3. Dummies: every edge spanning ranks gets a dummy vertex per rank crossed; the first one carries the
   edge's label (its size is the label's), so labels take part in the layout and never overlap.
4. Order: barycenter sweeps (``graph_ordering``). 5. x: ``graph_coordinates``; y: rank bands.
6. Routes: a forward edge runs through its dummies and bends only in the gaps between bands; a back
   edge leaves the bottom of its source, runs right to a lane beyond everything in the ranks it spans,
   up, and into the top of its target. Lanes never share x, and a lane's label sits to its right.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from stepwell.console.graph.coordinates import assign_x
from stepwell.console.graph.geometry import Box, Point
from stepwell.console.graph.ordering import order_layers
from stepwell.console.graph.routes import Bands, back_route, forward_route, spread_ports

MARGIN = 12.0
GAP = 22.0  # between rank bands: where edges bend
STATE_GAP = 28.0
DUMMY_GAP = 12.0
LANE_GAP = 14.0
# How firmly a vertex keeps its wanted x (see graph_coordinates). Points of edges weigh more than
# states, so edges stay straight and states step aside; but the first point of an edge that goes
# far weighs least, so where a state has a near and a far successor (a Choice's next step and its
# error exit) the near one stays in line and the far one swerves: the main path does not drift.
STATE_WEIGHT = 50.0
DUMMY_WEIGHT = 1.0
DEPARTURE_WEIGHT = 0.01


@dataclass(frozen=True, slots=True)
class FlatEdge:
    source: int
    target: int
    label_size: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Route:
    points: tuple[Point, ...]
    label: Box | None
    back: bool


@dataclass(frozen=True, slots=True)
class FlatLayout:
    boxes: tuple[Box, ...]  # per node, top-left origin of the scope
    routes: tuple[Route, ...]  # per edge
    width: float
    height: float


def layout_flat(
    sizes: Sequence[tuple[float, float]], edges: Sequence[FlatEdge], sink: int | None = None
) -> FlatLayout:
    """Lay out nodes ``0..len(sizes)-1`` (node 0 first in the DFS); ``sink`` is forced to the last rank."""
    count = len(sizes)
    back, preorder = _back_edges(count, edges)
    rank = _ranks(count, edges, back, sink)
    widths = [w for w, _ in sizes]
    heights = [h for _, h in sizes]
    dummy = [False] * count
    weights = [STATE_WEIGHT] * count
    preds: list[list[int]] = [[] for _ in range(count)]
    succs: list[list[int]] = [[] for _ in range(count)]
    chains: list[list[int]] = []
    order_key: list[float] = [float(p) for p in preorder]
    for index, edge in enumerate(edges):
        if back[index]:
            chains.append([edge.source, edge.target])
            continue
        chain = [edge.source]
        for r in range(rank[edge.source] + 1, rank[edge.target]):
            v = len(widths)
            w, h = edge.label_size if edge.label_size and r == rank[edge.source] + 1 else (0.0, 0.0)
            widths.append(w)
            heights.append(h)
            dummy.append(True)
            departing = r == rank[edge.source] + 1 and rank[edge.target] - rank[edge.source] > 2
            weights.append(DEPARTURE_WEIGHT if departing else DUMMY_WEIGHT)
            preds.append([])
            succs.append([])
            order_key.append(preorder[edge.source] + (index + 1) / (len(edges) + 1))
            rank.append(r)
            chain.append(v)
        chain.append(edge.target)
        for a, b in pairwise(chain):
            succs[a].append(b)
            preds[b].append(a)
        chains.append(chain)
    layers: list[list[int]] = [[] for _ in range(max(rank, default=0) + 1)]
    for v in sorted(range(len(rank)), key=order_key.__getitem__):
        layers[rank[v]].append(v)
    layers = order_layers(layers, preds, succs)
    x = assign_x(layers, widths, dummy, weights, preds, succs, STATE_GAP, DUMMY_GAP)
    bands = _bands(layers, heights)
    boxes = [
        Box(x[v] - widths[v] / 2 + MARGIN, bands.middle(rank[v]) - heights[v] / 2, widths[v], heights[v])
        for v in range(len(widths))
    ]
    ports_out, ports_in = spread_ports(count, edges, chains, back, boxes)
    routes: list[Route | None] = [None] * len(edges)
    right_edges = _layer_right_edges(layers, boxes)
    for index, edge in enumerate(edges):
        if not back[index]:
            points = forward_route(chains[index], boxes, rank, bands, ports_out[index], ports_in[index])
            label = boxes[chains[index][1]] if edge.label_size else None
            routes[index] = Route(points, label, back=False)
    lanes: list[tuple[int, int, float]] = []  # (first rank, last rank, x beyond lane and label)
    width = max((box.right for box in boxes), default=0.0)
    for lane_number, index in enumerate(_by_span(edges, back, rank)):
        edge = edges[index]
        top, bottom = max(rank[edge.target] - 1, 0), min(rank[edge.source] + 1, len(layers) - 1)
        base = max(right_edges[top : bottom + 1])
        base = max([base] + [end for first, last, end in lanes if first <= bottom and top <= last])
        lane_x = base + LANE_GAP
        points, label = back_route(
            boxes[edge.source], boxes[edge.target], rank[edge.source], rank[edge.target], bands, lane_x,
            ports_out[index], ports_in[index], edge.label_size, lane_number,
        )  # fmt: skip
        end = label.right if label else lane_x
        lanes.append((top, bottom, end))
        width = max(width, end)
        routes[index] = Route(points, label, back=True)
    assert all(route is not None for route in routes)
    return FlatLayout(
        boxes=tuple(boxes[:count]),
        routes=tuple(r for r in routes if r is not None),
        width=width + MARGIN,
        height=bands.bottom(len(layers) - 1) + MARGIN,
    )


def _back_edges(count: int, edges: Sequence[FlatEdge]) -> tuple[list[bool], list[int]]:
    """Which edges close a cycle in a DFS from node 0 (then from any node not yet reached), in edge
    order; and each node's DFS preorder number."""
    out: list[list[int]] = [[] for _ in range(count)]
    for index, edge in enumerate(edges):
        out[edge.source].append(index)
    back = [False] * len(edges)
    colour = [0] * count  # 0 unseen, 1 on the stack, 2 done
    preorder = [0] * count
    seen = 0
    for root in range(count):
        if colour[root]:
            continue
        colour[root], preorder[root], seen = 1, seen, seen + 1
        stack = [(root, 0)]
        while stack:
            node, next_out = stack[-1]
            if next_out == len(out[node]):
                colour[node] = 2
                stack.pop()
                continue
            stack[-1] = (node, next_out + 1)
            index = out[node][next_out]
            target = edges[index].target
            if colour[target] == 1:
                back[index] = True
            elif colour[target] == 0:
                colour[target], preorder[target], seen = 1, seen, seen + 1
                stack.append((target, 0))
    return back, preorder


def _ranks(count: int, edges: Sequence[FlatEdge], back: Sequence[bool], sink: int | None) -> list[int]:
    """Longest path from the sources, two ranks per step (Kahn's order, ties by node number)."""
    incoming = [0] * count
    out: list[list[int]] = [[] for _ in range(count)]
    for index, edge in enumerate(edges):
        if not back[index]:
            out[edge.source].append(edge.target)
            incoming[edge.target] += 1
    rank = [0] * count
    ready = deque(v for v in range(count) if incoming[v] == 0)
    while ready:
        v = ready.popleft()
        for w in out[v]:
            rank[w] = max(rank[w], rank[v] + 2)
            incoming[w] -= 1
            if incoming[w] == 0:
                ready.append(w)
    if sink is not None and count > 1:
        rank[sink] = max(r for v, r in enumerate(rank) if v != sink) + 2
    return rank


def _bands(layers: Sequence[Sequence[int]], heights: Sequence[float]) -> Bands:
    tops: list[float] = []
    bottoms: list[float] = []
    y = MARGIN
    for layer in layers:
        tops.append(y)
        y += max((heights[v] for v in layer), default=0.0)
        bottoms.append(y)
        y += GAP
    return Bands(tuple(tops), tuple(bottoms))


def _layer_right_edges(layers: Sequence[Sequence[int]], boxes: Sequence[Box]) -> list[float]:
    return [max((boxes[v].right for v in layer), default=0.0) for layer in layers]


def _by_span(edges: Sequence[FlatEdge], back: Sequence[bool], rank: Sequence[int]) -> list[int]:
    """Back edges, shortest span first: inner lanes for short loops."""
    indices = [i for i in range(len(edges)) if back[i]]
    return sorted(indices, key=lambda i: (rank[edges[i].source] - rank[edges[i].target], i))
