"""Edge routes of a laid-out flat scope: ports on the boxes, forward polylines, back-edge lanes.

Edges leave from the bottom of a box and enter through its top. Several edges on one side are
spread out (ordered by where they head, back edges rightmost) so their arrowheads stay apart.
A route's points bend only in the gaps between rank bands; renderers may smooth those bends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from stepwell.console.graph.geometry import Box, Point

PORT_STEP = 12.0  # between neighbouring ports
PORT_INSET = 10.0  # keep ports off a box's rounded corners
LANE_LABEL_GAP = 4.0


class _Edge(Protocol):
    @property
    def source(self) -> int: ...
    @property
    def target(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Bands:
    """The vertical extent of each rank."""

    tops: tuple[float, ...]
    bottoms: tuple[float, ...]

    def top(self, rank: int) -> float:
        return self.tops[rank]

    def bottom(self, rank: int) -> float:
        return self.bottoms[rank]

    def middle(self, rank: int) -> float:
        return (self.tops[rank] + self.bottoms[rank]) / 2


def spread_ports(
    count: int,
    edges: Sequence[_Edge],
    chains: Sequence[Sequence[int]],
    back: Sequence[bool],
    boxes: Sequence[Box],
) -> tuple[list[float], list[float]]:
    """The x where each edge leaves its source and where it enters its target."""
    leaving: list[list[tuple[float, int]]] = [[] for _ in range(count)]
    entering: list[list[tuple[float, int]]] = [[] for _ in range(count)]
    for index, edge in enumerate(edges):
        chain = chains[index]
        towards = math.inf if back[index] else boxes[chain[1]].cx
        leaving[edge.source].append((towards, index))
        coming_from = math.inf if back[index] else boxes[chain[-2]].cx
        entering[edge.target].append((coming_from, index))
    out = [0.0] * len(edges)
    into = [0.0] * len(edges)
    for node in range(count):
        _assign(sorted(leaving[node]), boxes[node], out)
        _assign(sorted(entering[node]), boxes[node], into)
    return out, into


def _assign(ordered: Sequence[tuple[float, int]], box: Box, ports: list[float]) -> None:
    if not ordered:
        return
    spread = min(box.w - 2 * PORT_INSET, (len(ordered) - 1) * PORT_STEP)
    if len(ordered) == 1 or spread <= 0:
        for _, index in ordered:
            ports[index] = box.cx
        return
    step = spread / (len(ordered) - 1)
    for i, (_, index) in enumerate(ordered):
        ports[index] = box.cx - spread / 2 + i * step


def forward_route(
    chain: Sequence[int], boxes: Sequence[Box], rank: Sequence[int], bands: Bands, out_x: float, in_x: float
) -> tuple[Point, ...]:
    """Down from the source's port, vertically through each dummy's band, into the target's port."""
    source, target = boxes[chain[0]], boxes[chain[-1]]
    points: list[Point] = [(out_x, source.bottom), (out_x, bands.bottom(rank[chain[0]]))]
    for dummy in chain[1:-1]:
        x = boxes[dummy].cx
        points.append((x, bands.top(rank[dummy])))
        points.append((x, bands.bottom(rank[dummy])))
    points.append((in_x, bands.top(rank[chain[-1]])))
    points.append((in_x, target.y))
    return _deduplicated(points)


def back_route(
    source: Box,
    target: Box,
    source_rank: int,
    target_rank: int,
    bands: Bands,
    lane_x: float,
    out_x: float,
    in_x: float,
    label_size: tuple[float, float] | None,
    lane_number: int,
) -> tuple[tuple[Point, ...], Box | None]:
    """Out of the source's bottom, right to the lane, up it, left above the target, into its top.

    The horizontal runs sit in the gaps below the source's band and above the target's, staggered
    by lane so that two loops leaving one band do not draw over each other."""
    stagger = 5.0 + 4.0 * (lane_number % 4)
    y_out = bands.bottom(source_rank) + stagger
    y_in = bands.top(target_rank) - stagger
    points = (
        (out_x, source.bottom),
        (out_x, y_out),
        (lane_x, y_out),
        (lane_x, y_in),
        (in_x, y_in),
        (in_x, target.y),
    )
    label = None
    if label_size is not None:
        w, h = label_size
        label = Box(lane_x + LANE_LABEL_GAP, (y_out + y_in) / 2 - h / 2, w, h)
    return _deduplicated(list(points)), label


def _deduplicated(points: list[Point]) -> tuple[Point, ...]:
    out: list[Point] = []
    for point in points:
        if not out or out[-1] != point:
            out.append(point)
    return tuple(out)
