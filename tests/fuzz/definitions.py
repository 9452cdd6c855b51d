"""Mutations of recorded definitions: fields dropped, repeated, retyped; state types swapped;
transitions redirected; expressions (JSONPath, intrinsic functions, JSONata) replaced by random
and hostile ones; values nested deep or made huge; the machine wrapped in Parallel/Map levels.

A definition is a tree of JSON values; ``mutated_definition`` returns it (possibly holding
``Raw`` and ``Pairs``, which ``write_json`` writes) and what it did.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.fuzz import hostile
from tests.fuzz.model import WRONG_TYPES, summarize
from tests.fuzz.wire import Pairs, Raw

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Unknown", "pass")

JSONPATHS = (
    "$",
    "$.a",
    "$..a",
    "$[0]",
    "$[-1]",
    "$[*]",
    "$.a[0:2]",
    "$.a[::-1]",
    "$[?(@.a > 1)]",
    "$[?(@.x =~ /a+/)]",
    "$..*",
    "$['a']['b']",
    "$$.Execution.Id",
    "$$.Execution.Input",
    "$$.State.Name",
    "$$.Map.Item.Value",
    "$$.Map.Item.Index",
    "$$.Task.Token",
    "$.",
    "$[",
    "$..",
    "$.a.b.c.d.e.f.g",
    "$.\ud800",
    "$." + "a." * 500 + "a",
    "$" + "[0]" * 1000,
)
INTRINSICS = (
    "States.Format('{}', $.a)",
    "States.Format('{}{}{}', 1)",
    "States.StringToJson($.s)",
    "States.StringToJson('{\"a\": 18446744073709551616}')",
    "States.StringToJson('" + "[" * 300 + "]" * 300 + "')",
    "States.JsonToString($)",
    "States.Array(1, 2, 3)",
    "States.ArrayRange(1, 100000, 1)",
    "States.ArrayRange(1, 3, 0)",
    "States.ArrayRange(1, 1000000000, 1)",
    "States.ArrayPartition(States.ArrayRange(1, 1000, 1), 0)",
    "States.ArrayContains($.a, 1)",
    "States.ArrayUnique(States.Array(1, 1, 2))",
    "States.ArrayGetItem($.a, 99999999999)",
    "States.ArrayLength($)",
    "States.Hash($.a, 'SHA-1')",
    "States.Hash('x', 'MD4')",
    "States.Base64Encode('\ud800')",
    "States.Base64Decode('!!!')",
    "States.MathAdd(9223372036854775807, 1)",
    "States.MathAdd(1e400, 1)",
    "States.MathRandom(1, 0)",
    "States.MathRandom(18446744073709551616, 18446744073709551617)",
    "States.UUID()",
    "States.StringSplit($.a, '')",
    "States.StringSplit('" + "a," * 10000 + "', ',')",
    "States.Nope()",
    "States.Format(",
    "States.JsonToString(" * 200 + "$" + ")" * 200,
    "States.Array(" * 300 + ")" * 300,
)
JSONATA = (
    "{% $states.input %}",
    "{% $states.input.a.b %}",
    "{% $states.context %}",
    "{% $states.result %}",
    "{% $states.errorOutput %}",
    "{% $sum([1..100000]) %}",
    "{% [1..10000000] %}",
    "{% $count([1..10000000]) %}",
    "{% $string($states) %}",
    "{% $reduce([1..1000], function($a, $b){ $a + $b }) %}",
    "{% ($f := function($n){ $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(100000)) %}",
    "{% ($f := function($n){ $f($n) }; $f(1)) %}",
    "{% $pad('x', 1000000000) %}",
    "{% $match('aaaaaaaaaaaaaaaaaaaaaaaaaaaa!', /(a+)+$/) %}",
    "{% $replace('aaaaaaaaaaaaaaaaaaaaaaaaaaaa!', /(a|aa)+$/, 'b') %}",
    "{% $split('x' , '') %}",
    "{% 1/0 %}",
    "{% $number('1e400') %}",
    "{% 18446744073709551616 %}",
    "{% 1e400 %}",
    "{% $parse('" + "[" * 300 + "]" * 300 + "') %}",
    "{% $eval('1+1') %}",
    "{% $random() %}",
    "{% $now() %}",
    "{% $uuid() %}",
    "{% $partition([1..1000], 0) %}",
    "{% $range(1, 1000000000, 1) %}",
    "{% $hash('x', 'SHA-999') %}",
    "{% '\ud800' %}",
    "{% %}",
    "{% ( %}",
    "{%",
    "%}",
    "{% $x := 1 %}",
    "{% $states.input[$] %}",
    "{% " + "(" * 500 + "1" + ")" * 500 + " %}",
    "{% " + "[" * 500 + "]" * 500 + " %}",
)


def expressions() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(JSONPATHS),
        st.sampled_from(INTRINSICS),
        st.sampled_from(JSONATA),
        st.text(max_size=30).map(lambda t: "{% " + t + " %}"),
        st.text("$.[]*?@()'ab01:,", max_size=20),
    )


def _paths(
    tree: Any, path: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None
) -> list[tuple[Any, ...]]:
    """Every value's path in a definition tree (bounded: definitions are small)."""
    out = [] if out is None else out
    out.append(path)
    if len(out) > 2000:
        return out
    if isinstance(tree, dict):
        for key, child in tree.items():
            _paths(child, (*path, key), out)
    elif isinstance(tree, list):
        for index, child in enumerate(tree[:50]):
            _paths(child, (*path, index), out)
    return out


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def _set(tree: Any, path: tuple[Any, ...], value: Any, drop: bool = False) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, list):
        copy = list(tree)
        if drop and not rest:
            del copy[head]
        else:
            copy[head] = _set(copy[head], rest, value, drop)
        return copy
    copy_dict = dict(tree)
    if drop and not rest:
        copy_dict.pop(head, None)
    elif not rest:
        copy_dict[head] = value
    else:
        copy_dict[head] = _set(copy_dict[head], rest, value, drop)
    return copy_dict


def _state_maps(tree: Any) -> list[tuple[Any, ...]]:
    """Paths of every ``States`` object (top level, Parallel branches, Map processors)."""
    return [p for p in _paths(tree) if p and p[-1] == "States" and isinstance(_get(tree, p), dict)]


def _where(path: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(p) for p in path)


@st.composite
def _one_mutation(draw: st.DrawFn, tree: Any) -> tuple[Any, str]:
    paths = _paths(tree)
    kind = draw(st.integers(0, 11))
    state_maps = _state_maps(tree)
    if kind == 0 and len(paths) > 1:  # drop a field
        path = draw(st.sampled_from(paths[1:]))
        return _set(tree, path, None, drop=True), f"drop {_where(path)}"
    if kind == 1:  # retype a value
        path = draw(st.sampled_from(paths))
        value = draw(st.sampled_from(WRONG_TYPES))
        return _set(tree, path, value), f"retype {_where(path)} = {summarize(value)}"
    if kind == 2 and state_maps:  # swap a state's type
        states_path = draw(st.sampled_from(state_maps))
        states = _get(tree, states_path)
        if states:
            name = draw(st.sampled_from(sorted(states)))
            new_type = draw(st.sampled_from(STATE_TYPES))
            if isinstance(states[name], dict):
                return _set(tree, (*states_path, name, "Type"), new_type), f"{name}.Type = {new_type}"
    if kind == 3:  # redirect a transition
        targets = [p for p in paths if p and p[-1] in ("Next", "Default", "StartAt")]
        if targets:
            path = draw(st.sampled_from(targets))
            names = sorted({n for sp in state_maps for n in _get(tree, sp)})
            target = draw(st.sampled_from([*names, "Nowhere", "", _get(tree, path[:-1]).get("Comment", "x")]))
            return _set(tree, path, target), f"{_where(path)} -> {target!r}"
    if kind == 4:  # an expression where a string was
        strings = [p for p in paths if isinstance(_get(tree, p), str)]
        if strings:
            path = draw(st.sampled_from(strings))
            expression = draw(expressions())
            return _set(tree, path, expression), f"{_where(path)} = {summarize(expression)}"
    if kind == 5 and state_maps:  # an expression-bearing field added to a state
        states_path = draw(st.sampled_from(state_maps))
        states = _get(tree, states_path)
        named = [n for n in sorted(states) if isinstance(states[n], dict)]
        if named:
            name = draw(st.sampled_from(named))
            field = draw(
                st.sampled_from(
                    ("InputPath", "OutputPath", "ResultPath", "ItemsPath", "Output", "Items", "Seconds")
                )
            )
            value = draw(expressions())
            return _set(tree, (*states_path, name, field), value), f"{name}.{field} = {summarize(value)}"
    if kind == 6 and state_maps:  # a templated field holding a hostile payload
        states_path = draw(st.sampled_from(state_maps))
        states = _get(tree, states_path)
        named = [n for n in sorted(states) if isinstance(states[n], dict)]
        if named:
            name = draw(st.sampled_from(named))
            field = draw(st.sampled_from(("Parameters", "ResultSelector", "Arguments", "Assign", "Result")))
            key = draw(st.sampled_from(("a", "a.$", "b.$", "x")))
            value = draw(st.one_of(expressions(), st.sampled_from(WRONG_TYPES)))
            return (
                _set(tree, (*states_path, name, field), {key: value}),
                f"{name}.{field} = {{{key!r}: {summarize(value)}}}",
            )
    if kind == 7:  # deep nesting
        path = draw(st.sampled_from(paths))
        depth = draw(st.sampled_from(hostile.DEPTHS))
        return _set(
            tree, path, Raw(hostile.nested(depth, draw(st.integers(0, 2))))
        ), f"{_where(path)} nested {depth}"
    if kind == 8:  # a huge or odd number
        numbers = [
            p
            for p in paths
            if isinstance(_get(tree, p), (int, float)) and not isinstance(_get(tree, p), bool)
        ]
        path = draw(st.sampled_from(numbers or paths))
        value = draw(
            st.one_of(st.sampled_from(hostile.BIG_NUMBERS).map(Raw), st.sampled_from(hostile.ODD_INTEGERS))
        )
        return _set(tree, path, value), f"{_where(path)} = {summarize(value)}"
    if kind == 9:  # a repeated key
        objects = [p for p in paths if isinstance(_get(tree, p), dict) and _get(tree, p)]
        if objects:
            path = draw(st.sampled_from(objects))
            obj = _get(tree, path)
            key = draw(st.sampled_from(sorted(obj)))
            other = draw(st.sampled_from(WRONG_TYPES))
            pairs = Pairs((*obj.items(), (key, other)))
            return _set(tree, path, pairs), f"{_where(path)} repeats {key!r} = {summarize(other)}"
    if kind == 10:  # QueryLanguage flipped somewhere
        objects = [p for p in paths if isinstance(_get(tree, p), dict)]
        path = draw(st.sampled_from(objects or [()]))
        language = draw(st.sampled_from(("JSONata", "JSONPath", "jsonata", "")))
        if isinstance(_get(tree, path), dict):
            return _set(
                tree, (*path, "QueryLanguage"), language
            ), f"{_where(path)}.QueryLanguage = {language}"
    if kind == 11 and isinstance(tree, dict) and isinstance(tree.get("States"), dict):
        levels = draw(st.sampled_from((2, 10, 40)))
        wrapped = tree
        for level in range(levels):
            if level % 2:
                state = {"Type": "Parallel", "Branches": [wrapped], "End": True}
            else:
                state = {"Type": "Map", "ItemProcessor": wrapped, "ItemsPath": "$.items", "End": True}
            wrapped = {"StartAt": f"L{level}", "States": {f"L{level}": state}}
        return wrapped, f"wrapped in {levels} Parallel/Map levels"
    # Fallback: an unknown field.
    objects = [p for p in paths if isinstance(_get(tree, p), dict)] or [()]
    path = draw(st.sampled_from(objects))
    if isinstance(_get(tree, path), dict):
        return _set(tree, (*path, "Unknown"), 1), f"{_where(path)}.Unknown = 1"
    return tree, "unchanged"


@st.composite
def mutated_definition(draw: st.DrawFn, definition: Any) -> tuple[Any, str]:
    tree = definition
    notes = []
    for _ in range(draw(st.sampled_from((0, 1, 1, 1, 2, 2, 3)))):
        if isinstance(tree, (Raw, Pairs)) or not isinstance(tree, dict):
            break
        tree, note = draw(_one_mutation(tree))
        notes.append(note)
        if any(isinstance(v, (Raw, Pairs)) for v in _leaves(tree)):
            break  # Raw and Pairs cannot be walked again
    return tree, "; ".join(notes) or "as recorded"


def _leaves(tree: Any) -> list[Any]:
    out = []
    stack = [tree]
    while stack:
        item = stack.pop()
        out.append(item)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out
