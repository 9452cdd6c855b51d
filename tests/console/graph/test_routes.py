"""Edge routes of a flat scope: ports spread on a box side, forward polylines through the rank
bands, and back-edge lanes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stepwell.console.graph.geometry import Box
from stepwell.console.graph.routes import (
    LANE_LABEL_GAP,
    PORT_INSET,
    PORT_STEP,
    Bands,
    back_route,
    forward_route,
    spread_ports,
)


@dataclass(frozen=True)
class Edge:
    source: int
    target: int


BANDS = Bands(tops=(0.0, 50.0, 100.0, 150.0, 200.0), bottoms=(40.0, 60.0, 140.0, 160.0, 240.0))


def test_bands() -> None:
    assert (BANDS.top(2), BANDS.bottom(2), BANDS.middle(2)) == (100.0, 140.0, 120.0)


def test_one_edge_leaves_and_enters_at_the_centre() -> None:
    boxes = [Box(0.0, 0.0, 100.0, 40.0), Box(0.0, 100.0, 100.0, 40.0)]
    out, into = spread_ports(2, [Edge(0, 1)], [[0, 1]], [False], boxes)
    assert (out, into) == ([50.0], [50.0])


def test_ports_are_spread_by_where_the_edges_head_back_edges_rightmost() -> None:
    source = Box(100.0, 0.0, 100.0, 40.0)
    left, right = Box(0.0, 100.0, 40.0, 40.0), Box(300.0, 100.0, 40.0, 40.0)
    boxes = [source, left, right]
    edges = [Edge(0, 2), Edge(0, 0), Edge(0, 1)]  # to the right, a self-loop (back), to the left
    out, _ = spread_ports(3, edges, [[0, 2], [0, 0], [0, 1]], [False, True, False], boxes)
    assert out == [150.0, 150.0 + PORT_STEP, 150.0 - PORT_STEP]


def test_ports_stay_off_the_corners_of_a_narrow_box() -> None:
    narrow = Box(0.0, 0.0, 2 * PORT_INSET + 6.0, 40.0)
    targets = [Box(x, 100.0, 10.0, 10.0) for x in (0.0, 50.0, 100.0)]
    boxes = [narrow, *targets]
    edges = [Edge(0, 1), Edge(0, 2), Edge(0, 3)]
    out, _ = spread_ports(4, edges, [[0, 1], [0, 2], [0, 3]], [False] * 3, boxes)
    assert out == pytest.approx([narrow.cx - 3.0, narrow.cx, narrow.cx + 3.0])
    too_narrow = Box(0.0, 0.0, 2 * PORT_INSET, 40.0)
    out, _ = spread_ports(4, edges, [[0, 1], [0, 2], [0, 3]], [False] * 3, [too_narrow, *targets])
    assert out == [too_narrow.cx] * 3


def test_a_forward_route_bends_only_between_bands() -> None:
    boxes = [Box(0.0, 0.0, 40.0, 40.0), Box(80.0, 50.0, 0.0, 10.0), Box(60.0, 100.0, 40.0, 40.0)]
    rank = [0, 1, 2]
    points = forward_route([0, 1, 2], boxes, rank, BANDS, out_x=20.0, in_x=80.0)
    assert points == ((20.0, 40.0), (80.0, 50.0), (80.0, 60.0), (80.0, 100.0))
    # Before dedup: (20,40) (20,40) (80,50) (80,60) (80,100) (80,100): repeated points are dropped.


def test_a_straight_forward_route_is_two_points() -> None:
    boxes = [Box(0.0, 0.0, 40.0, 40.0), Box(0.0, 100.0, 40.0, 40.0)]
    assert forward_route([0, 1], boxes, [0, 2], BANDS, 20.0, 20.0) == ((20.0, 40.0), (20.0, 100.0))


def test_a_back_route_runs_up_a_lane_with_its_label_beside_it() -> None:
    source, target = Box(0.0, 200.0, 40.0, 40.0), Box(0.0, 100.0, 40.0, 40.0)
    points, label = back_route(
        source,
        target,
        4,
        2,
        BANDS,
        lane_x=90.0,
        out_x=25.0,
        in_x=30.0,
        label_size=(20.0, 10.0),
        lane_number=0,
    )
    assert points == ((25.0, 240.0), (25.0, 245.0), (90.0, 245.0), (90.0, 95.0), (30.0, 95.0), (30.0, 100.0))
    assert label == Box(90.0 + LANE_LABEL_GAP, 170.0 - 5.0, 20.0, 10.0)


def test_back_routes_are_staggered_by_lane() -> None:
    source, target = Box(0.0, 200.0, 40.0, 40.0), Box(0.0, 100.0, 40.0, 40.0)
    first, _ = back_route(source, target, 4, 2, BANDS, 90.0, 20.0, 20.0, None, 0)
    second, no_label = back_route(source, target, 4, 2, BANDS, 110.0, 20.0, 20.0, None, 1)
    assert first[1][1] == 245.0 and second[1][1] == 249.0
    assert first[3][1] == 95.0 and second[3][1] == 91.0
    assert no_label is None
    fifth, _ = back_route(source, target, 4, 2, BANDS, 90.0, 20.0, 20.0, None, 4)
    assert fifth == first  # the stagger cycles every four lanes
