"""Crossing reduction for a layered graph: barycenter sweeps, keeping the best order seen.

Input: the vertices of each layer in a first order, and for every vertex its neighbours in the layer
above (``preds``) and below (``succs``) — every edge joins adjacent layers, long edges having been
cut by dummy vertices. Each down sweep sorts a layer by the mean position of its vertices' preds,
each up sweep by that of their succs; a vertex without neighbours on that side keeps its position.
Ties keep the current order, so the result depends only on the input: deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_ROUNDS = 12
PATIENCE = 3  # rounds without improvement before giving up


def order_layers(
    layers: Sequence[Sequence[int]], preds: Sequence[Sequence[int]], succs: Sequence[Sequence[int]]
) -> list[list[int]]:
    """The layers reordered to have few crossings (never more than the input order has)."""
    current = [list(layer) for layer in layers]
    position = [0] * (max((v for layer in layers for v in layer), default=-1) + 1)
    _index(current, position)
    best = [list(layer) for layer in current]
    best_crossings = count_crossings(current, succs, position)
    stale = 0
    for _ in range(MAX_ROUNDS):
        if best_crossings == 0 or stale >= PATIENCE:
            break
        for i in range(1, len(current)):
            _sort_layer(current[i], preds, position)
        for i in range(len(current) - 2, -1, -1):
            _sort_layer(current[i], succs, position)
        crossings = count_crossings(current, succs, position)
        if crossings < best_crossings:
            best, best_crossings, stale = [list(layer) for layer in current], crossings, 0
        else:
            stale += 1
    return best


def count_crossings(
    layers: Sequence[Sequence[int]], succs: Sequence[Sequence[int]], position: Sequence[int] | None = None
) -> int:
    """Edge crossings between every pair of adjacent layers."""
    if position is None:
        index = [0] * (max((v for layer in layers for v in layer), default=-1) + 1)
        _index(layers, index)
        position = index
    total = 0
    for i in range(len(layers) - 1):
        lower = [position[w] for v in layers[i] for w in sorted(succs[v], key=position.__getitem__)]
        total += _inversions(lower, len(layers[i + 1]))
    return total


def _sort_layer(layer: list[int], neighbours: Sequence[Sequence[int]], position: list[int]) -> None:
    def barycenter(v: int) -> float:
        around = neighbours[v]
        if not around:
            return float(position[v])
        return sum(position[w] for w in around) / len(around)

    keyed = sorted(layer, key=lambda v: (barycenter(v), position[v]))
    layer[:] = keyed
    for i, v in enumerate(layer):
        position[v] = i


def _index(layers: Sequence[Sequence[int]], position: list[int]) -> None:
    for layer in layers:
        for i, v in enumerate(layer):
            position[v] = i


def _inversions(sequence: Sequence[int], size: int) -> int:
    """Pairs i < j with sequence[i] > sequence[j], counted with a Fenwick tree in O(n log size).

    The edges leaving a layer, listed by their upper end's position (then lower end's), cross
    exactly where their lower ends are out of order."""
    tree = [0] * (size + 1)
    inversions = 0
    for seen, value in enumerate(sequence):
        # how many earlier values are <= value
        i, not_greater = value + 1, 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        inversions += seen - not_greater
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return inversions
