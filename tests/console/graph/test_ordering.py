"""Crossing reduction: counting crossings between layers and the barycenter sweeps."""

from __future__ import annotations

from stepwell.console.graph.ordering import count_crossings, order_layers


def test_barycenter_sweeps_remove_a_crossing() -> None:
    # 0 -> 3, 1 -> 2 cross when layer 1 is [2, 3]
    layers = [[0, 1], [2, 3]]
    preds = [[], [], [1], [0]]
    succs = [[3], [2], [], []]
    assert count_crossings(layers, succs) == 1
    ordered = order_layers(layers, preds, succs)
    assert count_crossings(ordered, succs) == 0


def test_count_crossings() -> None:
    # Two layers of three, edges 0->5, 1->4, 2->3: every pair crosses.
    layers = [[0, 1, 2], [3, 4, 5]]
    succs = [[5], [4], [3], [], [], []]
    assert count_crossings(layers, succs) == 3
    assert count_crossings([[0, 1, 2], [5, 4, 3]], succs) == 0
    # Edges sharing an end never cross.
    assert count_crossings([[0], [1, 2]], [[1, 2], [], []]) == 0
    assert count_crossings([], []) == 0


def test_order_layers_never_returns_more_crossings_than_it_was_given() -> None:
    layers = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    succs = [[5], [4], [3], [8], [7], [6], [], [], []]
    preds = [[], [], [], [2], [1], [0], [5], [4], [3]]
    before = count_crossings(layers, succs)
    ordered = order_layers(layers, preds, succs)
    assert before == 6
    assert count_crossings(ordered, succs) == 0
    assert sorted(map(sorted, ordered)) == sorted(map(sorted, layers))


def test_order_layers_is_deterministic_and_keeps_a_crossing_free_order() -> None:
    layers = [[0, 1], [2, 3]]
    succs = [[2], [3], [], []]
    preds = [[], [], [0], [1]]
    assert order_layers(layers, preds, succs) == [[0, 1], [2, 3]]
    assert order_layers(layers, preds, succs) == order_layers(layers, preds, succs)


def test_a_vertex_without_neighbours_keeps_its_place() -> None:
    layers = [[0, 1], [4, 2, 3]]
    succs = [[3], [2], [], [], []]
    preds = [[], [], [1], [0], []]
    ordered = order_layers(layers, preds, succs)
    assert count_crossings(ordered, succs) == 0
    assert ordered[1][0] == 4
