"""Horizontal coordinates for ordered layers: each vertex as close as it can get to its neighbours.

A layer's vertices keep their order and a minimum separation, and each wants to sit at the mean x
of its neighbours in the adjacent layer. Minimising sum(weight * (x - wanted)^2) under
``x[i+1] >= x[i] + gap[i]`` is an isotonic regression once the cumulative gaps are subtracted, which
pool-adjacent-violators solves exactly in linear time; so no layer ever overlaps and chains come out
straight. Sweeps alternate downwards and upwards, ending with a downward one. The caller weighs
each vertex: how strongly it holds its wanted place against its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

ROUNDS = 4


def assign_x(
    layers: Sequence[Sequence[int]],
    widths: Sequence[float],
    dummy: Sequence[bool],
    weights: Sequence[float],
    preds: Sequence[Sequence[int]],
    succs: Sequence[Sequence[int]],
    state_gap: float,
    dummy_gap: float,
) -> list[float]:
    """The centre x of every vertex; the leftmost left edge is at 0."""
    x = [0.0] * len(widths)
    gaps = [_gaps(layer, widths, dummy, state_gap, dummy_gap) for layer in layers]
    for layer, layer_gaps in zip(layers, gaps, strict=True):
        at = 0.0
        for i, v in enumerate(layer):
            x[v] = at
            if i < len(layer_gaps):
                at += layer_gaps[i]
    for _ in range(ROUNDS):
        for i in range(1, len(layers)):
            _place(layers[i], gaps[i], x, weights, preds)
        for i in range(len(layers) - 2, -1, -1):
            _place(layers[i], gaps[i], x, weights, succs)
    # A last downward sweep: a dummy then sits exactly under its predecessor unless something is in
    # the way, so long edges come out straight (balancing both sides would leave them jittery).
    for i in range(1, len(layers)):
        _place(layers[i], gaps[i], x, weights, preds)
    left = min((x[v] - widths[v] / 2 for layer in layers for v in layer), default=0.0)
    return [value - left for value in x]


def _gaps(
    layer: Sequence[int], widths: Sequence[float], dummy: Sequence[bool], state_gap: float, dummy_gap: float
) -> list[float]:
    """Minimum centre-to-centre distances between neighbours in a layer."""
    out = []
    for a, b in pairwise(layer):
        gap = state_gap if not (dummy[a] or dummy[b]) else dummy_gap
        out.append((widths[a] + widths[b]) / 2 + gap)
    return out


def _place(
    layer: Sequence[int],
    gaps: Sequence[float],
    x: list[float],
    weights: Sequence[float],
    neighbours: Sequence[Sequence[int]],
) -> None:
    wanted = []
    for v in layer:
        around = neighbours[v]
        wanted.append(sum(x[w] for w in around) / len(around) if around else x[v])
    placed = isotonic_with_gaps(wanted, [weights[v] for v in layer], gaps)
    for v, value in zip(layer, placed, strict=True):
        x[v] = value


def isotonic_with_gaps(
    wanted: Sequence[float], weights: Sequence[float], gaps: Sequence[float]
) -> list[float]:
    """argmin sum(w_i (x_i - wanted_i)^2) subject to x[i+1] - x[i] >= gaps[i] (pool adjacent violators)."""
    if not wanted:  # an empty layer (a forced sink with no edge into it): nothing to place
        return []
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    # blocks of pooled values: [weighted sum, total weight, count]
    blocks: list[list[float]] = []
    for target, offset, weight in zip(wanted, offsets, weights, strict=True):
        blocks.append([(target - offset) * weight, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, mass, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += mass
            blocks[-1][2] += count
    out: list[float] = []
    for total, mass, count in blocks:
        level = total / mass
        out.extend([level] * int(count))
    return [level + offset for level, offset in zip(out, offsets, strict=True)]
