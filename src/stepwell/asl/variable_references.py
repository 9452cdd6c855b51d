"""The workflow variables each state reads: DescribeStateMachine's ``variableReferences``.

"A map of state name to a list of variables referenced by that state. States that do not use
variable references will not be shown in the response" (API reference, DescribeStateMachine). A
state reads a variable as ``$name``: in a JSONPath state, in a path (a ``.$`` field, a ``...Path``
field, a Choice rule's ``Variable``) or an intrinsic function's arguments; in a JSONata state, in
any ``{% %}`` expression, where ``$name(...)`` calls a function and ``$states`` is the reserved
variable. A state's own fields count, its Choice rules and catchers included; the states of its
branches and item processor are states of their own. Names come in the order they first appear.
AWS's order, and whether it counts a variable an expression binds itself (``$x := ...``), are not
recorded anywhere we know of (here: first appearance; bound names are left out).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from stepwell.asl.jsonata.engine import parse_expression
from stepwell.asl.validate.walk import is_jsonata_string, sites

_NESTED = ("Branches", "ItemProcessor", "Iterator")
# $name outside a quoted literal of a path or an intrinsic function ($$ and $. are not variables)
_JSONPATH_VARIABLE = re.compile(r"'(?:[^'\\]|\\.)*'|(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_RESERVED = frozenset({"", "$", "states"})


def variable_references(definition: Mapping[str, Any]) -> dict[str, list[str]]:
    """State name -> the variables it reads, for the states that read any."""
    found: dict[str, list[str]] = {}
    for site in sites(definition):
        names: dict[str, None] = {}
        for key, value in _fields(site.body):
            if site.is_jsonata:
                names.update(dict.fromkeys(_jsonata_variables(value)))
            elif isinstance(value, str) and (key.endswith((".$", "Path")) or key == "Variable"):
                names.update(dict.fromkeys(_jsonpath_variables(value)))
        if names:
            found[site.name] = list(names)
    return found


def _fields(value: Any, key: str = "", top: bool = True) -> Iterator[tuple[str, Any]]:
    """(key, string) of every string under the state, its nested programs left out."""
    if isinstance(value, Mapping):
        for name, inner in value.items():
            if top and name in _NESTED:
                continue
            yield from _fields(inner, str(name), False)
    elif isinstance(value, list):
        for inner in value:
            yield from _fields(inner, key, False)
    elif isinstance(value, str):
        yield key, value


def _jsonpath_variables(text: str) -> Iterator[str]:
    for match in _JSONPATH_VARIABLE.finditer(text):
        if match.group(1):
            yield match.group(1)


def _jsonata_variables(text: Any) -> list[str]:
    if not is_jsonata_string(text):
        return []
    try:
        tree = parse_expression(text[2:-2])
    except Exception:  # the validator reports what does not parse
        return []
    read: dict[str, None] = {}
    bound: set[str] = set()
    _walk(tree, read, bound, set())
    return [name for name in read if name not in bound]


def _walk(node: Any, read: dict[str, None], bound: set[str], seen: set[int]) -> None:
    if id(node) in seen or not hasattr(node, "__dict__"):
        if isinstance(node, list):
            for inner in node:
                _walk(inner, read, bound, seen)
        return
    seen.add(id(node))
    attributes = vars(node)
    kind = attributes.get("type")
    if kind == "variable" and attributes.get("value") not in _RESERVED:
        read.setdefault(str(attributes["value"]), None)
    elif kind == "bind":
        lhs = attributes.get("lhs")
        if lhs is not None and getattr(lhs, "type", None) == "variable":
            bound.add(str(lhs.value))
    elif kind == "lambda":
        for argument in attributes.get("arguments") or ():
            bound.add(str(getattr(argument, "value", "")))
    for name, inner in attributes.items():
        if kind in ("function", "partial") and name == "procedure":
            continue  # $name(...) calls a function
        if isinstance(inner, list) or hasattr(inner, "__dict__"):
            _walk(inner, read, bound, seen)
