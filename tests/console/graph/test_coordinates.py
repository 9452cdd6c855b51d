"""Horizontal placement: isotonic regression with gaps, and the sweeps that line layers up."""

from __future__ import annotations

import pytest

from stepwell.console.graph.coordinates import assign_x, isotonic_with_gaps


def test_isotonic_placement_keeps_order_and_gaps() -> None:
    placed = isotonic_with_gaps([10.0, 10.0, 10.0], [1.0, 1.0, 1.0], [5.0, 5.0])
    assert placed == pytest.approx([5.0, 10.0, 15.0])
    assert isotonic_with_gaps([0.0, 100.0], [1.0, 1.0], [10.0]) == [0.0, 100.0]
    # a heavy vertex stays, a light one steps aside
    placed = isotonic_with_gaps([0.0, 0.0], [100.0, 1.0], [10.0])
    assert placed[0] == pytest.approx(-10 / 101, abs=1e-9) and placed[1] - placed[0] == pytest.approx(10.0)


def test_isotonic_pools_violators_to_their_weighted_mean() -> None:
    # Both want 0 but must be 10 apart: the pooled block centres on the mean.
    assert isotonic_with_gaps([0.0, 0.0], [1.0, 1.0], [10.0]) == pytest.approx([-5.0, 5.0])
    # Order is kept even when the wanted places are reversed.
    placed = isotonic_with_gaps([30.0, 0.0, 60.0], [1.0, 1.0, 1.0], [10.0, 10.0])
    assert placed == pytest.approx([10.0, 20.0, 60.0])


def test_an_empty_layer_places_nothing() -> None:
    assert isotonic_with_gaps([], [], []) == []


def test_assign_x_stacks_a_chain_straight_and_starts_at_zero() -> None:
    # 0 -> 1 -> 2, one vertex a layer, widths 100, 40, 60.
    x = assign_x(
        layers=[[0], [1], [2]],
        widths=[100.0, 40.0, 60.0],
        dummy=[False, False, False],
        weights=[1.0, 1.0, 1.0],
        preds=[[], [0], [1]],
        succs=[[1], [2], []],
        state_gap=28.0,
        dummy_gap=12.0,
    )
    assert x == pytest.approx([50.0, 50.0, 50.0])  # the widest's left edge at 0


def test_assign_x_keeps_neighbours_apart_and_centres_a_parent_over_its_children() -> None:
    # 0 -> 1 and 0 -> 2: children 40 wide, a state gap of 20 between them.
    x = assign_x(
        layers=[[0], [1, 2]],
        widths=[40.0, 40.0, 40.0],
        dummy=[False, False, False],
        weights=[1.0, 1.0, 1.0],
        preds=[[], [0], [0]],
        succs=[[1, 2], [], []],
        state_gap=20.0,
        dummy_gap=4.0,
    )
    assert x[2] - x[1] == pytest.approx(60.0)
    assert x[0] == pytest.approx((x[1] + x[2]) / 2)
    assert min(x[1], x[2]) - 20.0 == pytest.approx(0.0)


def test_assign_x_uses_the_dummy_gap_next_to_a_dummy() -> None:
    x = assign_x(
        layers=[[0, 1]],
        widths=[40.0, 0.0],
        dummy=[False, True],
        weights=[1.0, 1.0],
        preds=[[], []],
        succs=[[], []],
        state_gap=20.0,
        dummy_gap=4.0,
    )
    assert x[1] - x[0] == pytest.approx(20.0 + 4.0)
