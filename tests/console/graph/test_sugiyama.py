"""The layered layout of one flat scope, numbers in and numbers out: ranks, back edges, dummies
carrying labels, and lanes for loops."""

from __future__ import annotations

from itertools import combinations

from stepwell.console.graph.sugiyama import GAP, MARGIN, FlatEdge, layout_flat

SIZE = (60.0, 30.0)


def test_a_single_node() -> None:
    layout = layout_flat([SIZE], [])
    assert len(layout.boxes) == 1
    box = layout.boxes[0]
    assert (box.x, box.y, box.w, box.h) == (MARGIN, MARGIN, 60.0, 30.0)
    assert (layout.width, layout.height) == (MARGIN + 60.0 + MARGIN, MARGIN + 30.0 + MARGIN)
    assert layout.routes == ()


def test_a_chain_runs_top_down_in_a_straight_line() -> None:
    layout = layout_flat([SIZE] * 3, [FlatEdge(0, 1), FlatEdge(1, 2)])
    a, b, c = layout.boxes
    assert a.bottom < b.y and b.bottom < c.y
    assert a.cx == b.cx == c.cx
    # An empty label rank sits between two states: two gaps and no height.
    assert b.y - a.bottom == 2 * GAP
    for route in layout.routes:
        assert not route.back
        xs = {x for x, _ in route.points}
        assert xs == {a.cx}


def test_an_edge_label_takes_a_place_in_the_rank_between() -> None:
    layout = layout_flat([SIZE] * 2, [FlatEdge(0, 1, label_size=(50.0, 16.0))])
    top, bottom = layout.boxes
    [route] = layout.routes
    assert route.label is not None
    assert (route.label.w, route.label.h) == (50.0, 16.0)
    assert top.bottom < route.label.y and route.label.bottom < bottom.y


def test_a_loop_is_a_back_edge_drawn_on_the_right() -> None:
    # 0 -> 1 -> 2 -> 1 (a polling loop), 2 -> 3.
    edges = [FlatEdge(0, 1), FlatEdge(1, 2), FlatEdge(2, 1), FlatEdge(2, 3)]
    layout = layout_flat([SIZE] * 4, edges)
    assert [route.back for route in layout.routes] == [False, False, True, False]
    loop = layout.routes[2]
    lane_x = max(x for x, _ in loop.points)
    assert lane_x > max(box.right for box in layout.boxes)
    assert loop.points[0][1] == layout.boxes[2].bottom  # leaves the bottom of its source
    assert loop.points[-1][1] == layout.boxes[1].y  # enters the top of its target
    assert layout.width >= lane_x


def test_a_self_loop_is_a_back_edge() -> None:
    layout = layout_flat([SIZE] * 2, [FlatEdge(0, 0), FlatEdge(0, 1)])
    assert [route.back for route in layout.routes] == [True, False]


def test_nested_loops_get_separate_lanes_shortest_innermost() -> None:
    edges = [FlatEdge(0, 1), FlatEdge(1, 2), FlatEdge(2, 3), FlatEdge(3, 0), FlatEdge(3, 2)]
    layout = layout_flat([SIZE] * 4, edges)
    long_loop, short_loop = layout.routes[3], layout.routes[4]
    assert long_loop.back and short_loop.back
    assert max(x for x, _ in short_loop.points) < max(x for x, _ in long_loop.points)


def test_branches_sit_side_by_side_without_overlap() -> None:
    edges = [FlatEdge(0, 1), FlatEdge(0, 2), FlatEdge(0, 3), FlatEdge(1, 4), FlatEdge(2, 4), FlatEdge(3, 4)]
    layout = layout_flat([SIZE] * 5, edges)
    middle = layout.boxes[1:4]
    assert len({box.y for box in middle}) == 1
    for first, second in combinations(layout.boxes, 2):
        assert not first.overlaps(second)
    assert layout.boxes[0].cx == layout.boxes[2].cx  # the parent centred over the middle branch


def test_the_sink_is_forced_to_the_last_rank() -> None:
    # 0 -> 2 (the sink) directly, and 0 -> 1 -> 3: without forcing, 2 would sit beside 1.
    edges = [FlatEdge(0, 2), FlatEdge(0, 1), FlatEdge(1, 3)]
    layout = layout_flat([SIZE] * 4, edges, sink=2)
    assert layout.boxes[2].y > layout.boxes[3].y
    free = layout_flat([SIZE] * 4, edges)
    assert free.boxes[2].y == free.boxes[1].y


def test_the_layout_is_deterministic() -> None:
    edges = [FlatEdge(0, 1), FlatEdge(0, 2), FlatEdge(2, 0), FlatEdge(1, 3), FlatEdge(2, 3, (30.0, 10.0))]
    assert layout_flat([SIZE] * 4, edges) == layout_flat([SIZE] * 4, edges)
