"""What a parsed JSONPath is made of: its selectors, the function that may end it, and what each
of Jayway's path functions computes.

``path_syntax`` builds these nodes from text, ``path_eval`` turns them into evaluation closures
and ``path_errors`` prints them as Jayway's messages do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Name:
    """``.a`` or ``['a']``."""

    key: str


@dataclass(frozen=True, slots=True)
class NameUnion:
    """``['a','b']``. As the last token Jayway merges the present names into one object
    (``merge``); elsewhere each name is a separate match."""

    keys: tuple[str, ...]
    merge: bool


@dataclass(frozen=True, slots=True)
class Index:
    """``[2]``; a negative index counts from the end."""

    index: int


@dataclass(frozen=True, slots=True)
class IndexUnion:
    """``[0,2]``: the element at each index."""

    indices: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slice:
    """``[1:3]``, ``[:2]`` or ``[-2:]``."""

    start: int | None
    stop: int | None


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``.*`` or ``[*]``: every member of an object, every element of an array."""


@dataclass(frozen=True, slots=True)
class Filter:
    """``[?(<expression>)]``; ``path_filters`` compiles the expression."""

    expression: str


@dataclass(frozen=True, slots=True)
class Scan:
    """``..`` followed by the selector it looks for at every depth."""

    target: Selector


@dataclass(frozen=True, slots=True)
class Function:
    """A trailing ``.length()`` and the like: one of ``FUNCTIONS``."""

    name: str


Selector = Name | NameUnion | Index | IndexUnion | Slice | Wildcard | Filter | Scan


@dataclass(frozen=True, slots=True)
class ParsedPath:
    """A whole path: its root, its selectors, its final function, and whether it is definite
    (names, single indices and a final merging name union only)."""

    root: str  # "$", "$$", "@" (a filter's current item) or a variable name
    selectors: tuple[Selector, ...]
    function: Function | None
    is_definite: bool


# A compiled filter expression: (current item, document root) -> does the item pass? Filters are
# compiled by ``path_filters``, which itself parses and evaluates paths; the modules below it
# receive the compiler as a ``FilterCompiler`` argument instead of importing it.
FilterTest = Callable[[Any, Any], bool]
FilterCompiler = Callable[[str], FilterTest]


# --- functions ----------------------------------------------------------------------------------


def _numbers(value: Any) -> list[int | float]:
    return [v for v in value if type(v) in (int, float)] if type(value) is list else []


def _aggregate(combine: Callable[[list[int | float]], float]) -> Callable[[Any], Any]:
    """Jayway's numeric functions read the numbers of an array; with none there is no value."""

    def apply(value: Any) -> Any:
        numbers = _numbers(value)
        return combine(numbers) if numbers else None

    return apply


def _stddev(nums: list[int | float]) -> float:
    mean = sum(nums) / len(nums)
    return math.sqrt(sum((x - mean) ** 2 for x in nums) / len(nums))


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    # Jayway: length() of an array or object; null for anything else.
    "length": lambda v: len(v) if type(v) in (list, dict) else None,
    "size": lambda v: len(v) if type(v) in (list, dict) else None,
    "min": _aggregate(lambda n: float(min(n))),
    "max": _aggregate(lambda n: float(max(n))),
    "sum": _aggregate(lambda n: float(sum(n))),
    "avg": _aggregate(lambda n: sum(n) / len(n)),
    "stddev": _aggregate(_stddev),
    "keys": lambda v: list(v) if type(v) is dict else None,
    "first": lambda v: v[0] if type(v) is list and v else None,
    "last": lambda v: v[-1] if type(v) is list and v else None,
}


def apply_function(function: Function, value: Any) -> Any:
    return FUNCTIONS[function.name](value)
