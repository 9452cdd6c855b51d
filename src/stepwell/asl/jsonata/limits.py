"""The bounds of one JSONata evaluation: time (a deterministic budget), size and depth.

AWS bounds every evaluation and fails the state with ``States.QueryEvaluationError`` and a bare
message (no JSONata code), measured with TestState (floci-io/floci#2737):

- memory: ``[1..873782] ~> $count()`` succeeds and ``[1..873783]`` fails, a string of 2^22
  characters is accepted and one of 2^23 refused: "Expression evaluation memory limit exceeded";
- depth: an expression nesting about 100 evaluations deep (``1+1+...+1`` with 200 terms, a
  non-tail recursion past ~30 levels) fails with jsonata-js's stack message;
- time: a runaway (an infinite tail recursion) fails with jsonata-js's timeout message.

The time bound cannot be a clock here (``asl/`` is pure and replayable: the same input must give
the same outcome): it is a count of work, see jsonata_engine. Sizes are checked before the value is
built wherever a function could build a huge one from small arguments ($pad, $join, ``&``,
$string, $replace), and on every value an evaluation step returns.
"""

from __future__ import annotations

from typing import Any, Final

from stepwell.asl.jsonata.errors import (
    MAX_SEQUENCE_LENGTH,
    MEMORY_LIMIT_MESSAGE,
    EvaluationBound,
)

# AWS's memory bound, read as 8 bytes an element: 873,782 * 8 = 6,990,256. It accepts AWS's largest
# sequence and a 2^22-character string and refuses a 2^23 one, as AWS does; 27 times the 256 KiB
# payload limit, and at most ~28 MB for one Python string (4 bytes a character at worst).
MAX_STRING_LENGTH: Final = MAX_SEQUENCE_LENGTH * 8
# The elements all the steps of one evaluation may return, counted as they are returned: the
# largest sequence twenty times over. It stops a path that flattens sequences into a product of
# them ([1..873782].[1..873782]) before the library has built it.
ELEMENT_BUDGET: Final = MAX_SEQUENCE_LENGTH * 20


def memory_exceeded() -> EvaluationBound:
    return EvaluationBound(MEMORY_LIMIT_MESSAGE)


def check_string_length(length: float) -> None:
    """Refuse a string of ``length`` characters before it is built."""
    if length > MAX_STRING_LENGTH:
        raise memory_exceeded()


def json_text_exceeds(value: Any, limit: int = MAX_STRING_LENGTH) -> bool:
    """Whether ``value`` written as JSON would be longer than ``limit`` characters (a lower bound
    of its length is summed, and the walk stops as soon as it passes ``limit``).

    Iterative, and it stops early: a value can hold the same big array or string many times over
    (shared, so cheap to hold), where writing it out would not be.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            total += len(item) + 2
        elif kind is dict or isinstance(item, dict):
            total += 2 + len(item)
            for key, member in item.items():
                total += len(key) + 3
                stack.append(member)
        elif isinstance(item, list):
            total += 2 + len(item)
            stack.extend(item)
        else:
            total += 4  # a number, true/false/null: a few characters at least
        if total > limit:
            return True
    return False


def check_json_text(value: Any) -> None:
    """Refuse a value whose JSON text would pass the string ceiling."""
    if not isinstance(value, str | int | float | bool) and json_text_exceeds(value):
        raise memory_exceeded()
