"""JSONata results as plain JSON, the way AWS writes them (JSON.stringify of jsonata-js's values).

The library's values are Python's with a few of its own: sequences (list subclasses), a ``NULL``
marker for JSON null (Python ``None`` is JSONata's undefined), regular expressions and functions.
``plain_json`` turns them into plain JSON, rebuilding only the containers that change.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from jsonata import Functions
from jsonata.parser import Parser
from jsonata.utils import Utils

from stepwell.asl.bounded_regex import BoundedPattern

NULL: Final = Utils.NULL_VALUE  # JSONata's null (Python None is JSONata's undefined)
DROPPED: Final = object()  # a function value: JSON.stringify drops it (null inside an array)
_EXPONENT_FROM: Final = 10**21


def plain_json(value: Any) -> Any:
    """Plain JSON, or DROPPED for a function; input data passes through as is."""
    kind = type(value)
    if kind is str or kind is bool:
        return value
    if kind is int:
        # Numbers are doubles in JSONata: from 1e21 on, AWS (like JavaScript) writes them as 1e+21.
        return value if -_EXPONENT_FROM < value < _EXPONENT_FROM else float(value)
    if kind is float:
        return _number(value)
    if kind is dict:
        return _plain_object(value)
    if kind is list:
        return _plain_array(value, value)
    if value is None or value is NULL:
        return None
    if isinstance(value, list):  # the library's sequences (JList, RangeList)
        return _plain_array(value, None)
    if isinstance(value, dict):
        return _plain_object(dict(value))
    if isinstance(value, re.Pattern | BoundedPattern):
        return {}  # JSON.stringify of a RegExp
    if Utils.is_function(value) or Functions.is_lambda(value) or isinstance(value, Parser.Symbol):
        return DROPPED
    if isinstance(value, int | float):
        return _number(float(value))
    return value


def _number(value: float) -> Any:
    if math.isfinite(value):
        # JSONata computes in doubles; AWS writes an integral one as an integer (1, not 1.0).
        return int(value) if value.is_integer() and abs(value) < _EXPONENT_FROM else value
    # JSON has no literal for these: AWS writes the name JavaScript gives them.
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _plain_array(items: Any, original: list[Any] | None) -> list[Any]:
    result: list[Any] | None = None if original is not None else []
    for index, item in enumerate(items):
        plain = plain_json(item)
        if plain is DROPPED:
            plain = None
        if result is None:
            if plain is item:
                continue
            result = list(items[:index])
        result.append(plain)
    return original if result is None else result  # type: ignore[return-value]


def _plain_object(obj: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] | None = None
    for index, (key, item) in enumerate(obj.items()):
        plain = plain_json(item)
        if result is None:
            if plain is item:
                continue
            result = dict(list(obj.items())[:index])
        if plain is not DROPPED:
            result[key] = plain
    return obj if result is None else result
