"""Evaluating a parsed JSONPath, as Jayway does.

A *definite* path (names and single indices only) yields one value or raises ``PathNotFound``;
its evaluation is a tight loop over pre-split keys: it is the engine's hot path. An *indefinite*
path (``[*]``, ``..``, slices, filters, index unions) yields the list of every match, ``[]`` when
nothing matches, even when intermediate keys are missing: "Wildcards and slices on missing input
return []" (recorded against AWS).

Everything here runs once per path, at compile time, and returns closures; filters are compiled by
the ``FilterCompiler`` the caller passes in (``path_filters``, which evaluates paths itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stepwell.asl.paths import tree as tree
from stepwell.asl.paths.errors import PathNotFound, not_found_detail
from stepwell.asl.scope import Scope


class _Undefined:
    """The value of a definite path that matches nothing, where no exception is wanted (a filter
    operand, Jayway's UNDEFINED; a missing key while placing a result)."""

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Any = _Undefined()


def evaluator(root: str, find: Callable[[Any], Any]) -> Callable[[Scope], Any]:
    if root == "$":
        return lambda scope: find(scope.input)
    if root == "$$":
        return lambda scope: find(scope.context())
    return lambda scope: find(scope.variable(root))


def finder(parsed: tree.ParsedPath, text: str, compile_filter: tree.FilterCompiler) -> Callable[[Any], Any]:
    """Build the fastest evaluation function this path allows."""
    if not parsed.selectors and parsed.function is None:
        return identity
    if parsed.is_definite:
        return _definite_finder(parsed, text)
    return indefinite_finder(parsed, compile_filter)


def identity(value: Any) -> Any:
    return value


def _split_definite(parsed: tree.ParsedPath) -> tuple[tuple[str | int, ...], tuple[str, ...] | None]:
    """A definite path's keys (names and indices) and the names of a final merging union."""
    steps = parsed.selectors
    merged: tuple[str, ...] | None = None
    if steps and isinstance(steps[-1], tree.NameUnion):
        merged, steps = steps[-1].keys, steps[:-1]
    keys: list[str | int] = []
    for step in steps:
        assert isinstance(step, tree.Name | tree.Index)
        keys.append(step.key if isinstance(step, tree.Name) else step.index)
    return tuple(keys), merged


def definite_probe(parsed: tree.ParsedPath) -> Callable[[Any], Any]:
    """A definite path's value, or UNDEFINED when it matches nothing (never raises)."""
    keys, merged = _split_definite(parsed)
    function = parsed.function

    def probe(value: Any) -> Any:
        try:
            for key in keys:
                # An integer key must meet a list: a string would yield a character. A list
                # indexed by a string raises TypeError, an index out of range IndexError.
                if type(key) is int and type(value) is not list:
                    return UNDEFINED
                value = value[key]
        except (KeyError, TypeError, IndexError):
            return UNDEFINED
        if merged is not None:
            if type(value) is not dict:
                return UNDEFINED
            value = {k: value[k] for k in merged if k in value}
        return tree.apply_function(function, value) if function is not None else value

    return probe


def _definite_finder(parsed: tree.ParsedPath, text: str) -> Callable[[Any], Any]:
    keys, merged = _split_definite(parsed)
    if merged is None and parsed.function is None and all(type(k) is str for k in keys):
        # The hot path: names only. A dict missing the key raises KeyError and any other JSON
        # value indexed by a string raises TypeError, so the loop needs no type test.
        def walk(value: Any) -> Any:
            root = value
            try:
                for key in keys:
                    value = value[key]
            except (KeyError, TypeError):
                raise PathNotFound(text, not_found_detail(parsed, root)) from None
            return value

        return walk
    probe = definite_probe(parsed)

    def find(value: Any) -> Any:
        found = probe(value)
        if found is UNDEFINED:
            raise PathNotFound(text, not_found_detail(parsed, value))
        return found

    return find


def indefinite_finder(parsed: tree.ParsedPath, compile_filter: tree.FilterCompiler) -> Callable[[Any], Any]:
    steps = [_step(s, compile_filter) for s in parsed.selectors]
    function = parsed.function
    aggregate = any(isinstance(s, tree.Scan) for s in parsed.selectors)

    def find(value: Any) -> Any:
        nodes = [value]
        for step in steps:
            nodes = step(nodes, value)
            if not nodes:
                break
        if function is None:
            return nodes
        # Jayway applies a function after a deep scan to the whole result ("$..book.length()" is
        # the number of books), otherwise to each match.
        if aggregate:
            return tree.apply_function(function, nodes)
        return [tree.apply_function(function, n) for n in nodes]

    return find


Step = Callable[[list[Any], Any], list[Any]]


def _step(selector: tree.Selector, compile_filter: tree.FilterCompiler) -> Step:
    """A function from the nodes matched so far to the nodes this selector matches."""
    if isinstance(selector, tree.Scan):
        return _scan_step(selector.target, compile_filter)
    apply = _applier(selector, compile_filter)

    def step(nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            apply(node, root, out)
        return out

    return step


Applier = Callable[[Any, Any, list[Any]], None]


def _applier(selector: tree.Selector, compile_filter: tree.FilterCompiler) -> Applier:
    """A function appending the matches of ``selector`` on one node to ``out``."""
    if isinstance(selector, tree.Name):
        key = selector.key

        def name(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is dict and key in node:
                out.append(node[key])

        return name
    if isinstance(selector, tree.NameUnion):
        keys = selector.keys
        merge = selector.merge

        def names(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is dict:
                if merge:
                    out.append({k: node[k] for k in keys if k in node})
                else:
                    out.extend(node[k] for k in keys if k in node)

        return names
    if isinstance(selector, tree.Index | tree.IndexUnion):
        indices = (selector.index,) if isinstance(selector, tree.Index) else selector.indices

        def index(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is list:
                n = len(node)
                out.extend(node[i] for i in indices if -n <= i < n)

        return index
    if isinstance(selector, tree.Slice):
        return _slice_applier(selector)
    if isinstance(selector, tree.Wildcard):

        def wildcard(node: Any, root: Any, out: list[Any]) -> None:
            if type(node) is dict:
                out.extend(node.values())
            elif type(node) is list:
                out.extend(node)

        return wildcard
    if isinstance(selector, tree.Filter):
        accept = compile_filter(selector.expression)

        def filtered(node: Any, root: Any, out: list[Any]) -> None:
            # Jayway tests an object itself, and each element of an array.
            if type(node) is dict:
                if accept(node, root):
                    out.append(node)
            elif type(node) is list:
                out.extend(item for item in node if accept(item, root))

        return filtered
    raise AssertionError(f"unexpected selector {selector!r}")


def _slice_applier(selector: tree.Slice) -> Applier:
    start, stop = selector.start, selector.stop

    def take(node: Any, root: Any, out: list[Any]) -> None:
        if type(node) is not list or not node:
            return
        n = len(node)
        # Jayway: "[a:]" and "[:b]" count negative bounds from the end; "[a:b]" clips b to the
        # length and reads indices a..b-1 one by one, a negative index counting from the end.
        if stop is None:
            assert start is not None
            first = max(0, n + start if start < 0 else start)
            out.extend(node[first:])
        elif start is None:
            last = min(n, n + stop if stop < 0 else stop)
            out.extend(node[: max(0, last)])
        else:
            last = min(n, stop)
            out.extend(node[i] for i in range(start, last) if -n <= i < n)

    return take


def _scan_step(target: tree.Selector, compile_filter: tree.FilterCompiler) -> Step:
    """``..x``: every object and array below (and including) each node, in document order, tested
    against ``x``: a name matches objects holding it, an index or slice matches arrays, a wildcard
    or filter matches everything it can apply to."""
    apply = _applier(target, compile_filter)
    if isinstance(target, tree.Name):
        key = target.key

        def applies(node: Any) -> bool:
            return type(node) is dict and key in node
    elif isinstance(target, tree.NameUnion):
        wanted = target.keys

        def applies(node: Any) -> bool:
            return type(node) is dict and all(k in node for k in wanted)
    elif isinstance(target, tree.Index | tree.IndexUnion | tree.Slice):

        def applies(node: Any) -> bool:
            return type(node) is list
    elif isinstance(target, tree.Filter):
        # Jayway walks every object and array; objects are tested themselves, while an array
        # node would have its elements tested, which the walk reaches anyway.
        def applies(node: Any) -> bool:
            return type(node) is dict
    else:

        def applies(node: Any) -> bool:
            return True

    def step(nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        # Depth-first, children in document order; only objects and arrays are visited.
        stack = [n for n in reversed(nodes) if type(n) is dict or type(n) is list]
        while stack:
            node = stack.pop()
            if applies(node):
                apply(node, root, out)
            inner = [c for c in (node.values() if type(node) is dict else node) if type(c) in _CONTAINERS]
            if inner:
                inner.reverse()
                stack.extend(inner)
        return out

    return step


_CONTAINERS = (dict, list)
