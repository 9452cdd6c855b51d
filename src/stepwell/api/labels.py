"""Lone surrogates in a request's own strings: kept as their JSON escape, never as data SQLite refuses.

A request may carry a lone surrogate (``"\\ud800"``): valid JSON, and a valid Java (UTF-16)
string on AWS, which only constrains these members' lengths. The store is UTF-8 and cannot hold
one, so after the constraints are checked every string member that is a label or an identifier
(names, ARNs, task tokens, worker names, tag keys and values, error, cause, ...) gets each lone
surrogate replaced by its six-character escape ``\\ud800``. Then nothing downstream can fail on
it, and AWS's own answers follow: a name holding a backslash is an InvalidName, an ARN or a
token naming nothing is ExecutionDoesNotExist or InvalidToken, a label is stored and shown as
its escape.

The members holding JSON documents (``input``, ``output``, ``definition``) are left alone: the
use case parses them first (lone surrogates are data inside a JSON string, written back as
escapes, so the value round-trips exactly) and stores the text with the same escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stepwell.api.shapes import SHAPES
from stepwell.asl.jsoncodec import escape_surrogates, has_surrogates

JSON_DOCUMENT_SHAPES = frozenset({"SensitiveData", "SensitiveDataJobInput", "Definition"})
# A "\ud800"-"\udfff" escape, or such a surrogate encoded in (CESU-style) UTF-8.
_MAY_HOLD_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")

Escaper = Callable[[Any], Any]


def may_hold_surrogates(body: bytes) -> bool:
    return _MAY_HOLD_SURROGATE.search(body) is not None or body[:2] in (b"\xff\xfe", b"\xfe\xff")


def _string(value: Any) -> Any:
    return escape_surrogates(value) if type(value) is str and has_surrogates(value) else value


def _unchanged(value: Any) -> Any:
    return value


def _structure(shape_name: str) -> Escaper:
    members = {name: escaper_for(m["shape"]) for name, m in SHAPES[shape_name]["members"].items()}

    def escape(value: Any) -> Any:
        return {name: members[name](item) if name in members else item for name, item in value.items()}

    return escape


def _list(shape_name: str) -> Escaper:
    element = escaper_for(SHAPES[shape_name]["member"]["shape"])
    return lambda value: [None if item is None else element(item) for item in value]


def _map(shape_name: str) -> Escaper:
    element = escaper_for(SHAPES[shape_name]["value"]["shape"])
    return lambda value: {_string(key): element(item) for key, item in value.items()}


_ESCAPERS: dict[str, Escaper] = {}


def escaper_for(shape_name: str) -> Escaper:
    escaper = _ESCAPERS.get(shape_name)
    if escaper is None:
        kind = SHAPES[shape_name]["type"]
        if shape_name in JSON_DOCUMENT_SHAPES:
            escaper = _unchanged
        elif kind == "structure":
            _ESCAPERS[shape_name] = _unchanged  # a recursive shape sees itself while compiling
            escaper = _structure(shape_name)
        elif kind == "list":
            escaper = _list(shape_name)
        elif kind == "map":
            escaper = _map(shape_name)
        elif kind == "string":
            escaper = _string
        else:
            escaper = _unchanged
        _ESCAPERS[shape_name] = escaper
    return escaper


def escape_labels(shape_name: str, request: dict[str, Any]) -> dict[str, Any]:
    """``request`` with lone surrogates escaped in every string member but the JSON documents."""
    escaped: dict[str, Any] = escaper_for(shape_name)(request)
    return escaped
