"""Built-ins that can build a huge string from small arguments, refused before they build it.

``$pad("x", 1000000000)`` made the port build a 1 GB string (11 s, issue 9). Each function here
computes the size of its result from its arguments, refuses one past the string ceiling with AWS's
memory-limit error (jsonata_limits), then lets the library's implementation answer. Every other
function's result is bounded by its arguments' sizes, and the engine checks every value an
evaluation step returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jsonata import Functions

from stepwell.asl.jsonata.functions import argument
from stepwell.asl.jsonata.limits import check_string_length


def pad(args: Sequence[Any]) -> Any:
    """$pad(str, width[, char]): the result is |width| characters long (or the string's length)."""
    width = argument(args, 1)
    if isinstance(width, int | float) and not isinstance(width, bool):
        check_string_length(abs(width))  # NaN compares false: the port pads nothing
    return Functions.pad(argument(args, 0), width, argument(args, 2))


def join(args: Sequence[Any]) -> Any:
    """$join(strings[, separator]): the lengths of the parts and of the separators between them."""
    strings, separator = argument(args, 0), argument(args, 1)
    if isinstance(strings, list) and strings:
        gap = len(separator) if isinstance(separator, str) else 0
        total = gap * (len(strings) - 1)
        for item in strings:
            total += len(item) if isinstance(item, str) else 0
            check_string_length(total)
    return Functions.join(strings, separator)


def replace(args: Sequence[Any]) -> Any:
    """$replace(str, pattern, replacement[, limit]).

    A regex pattern is bounded while it substitutes (bounded_regex); for a string pattern the
    count of occurrences gives the size: each is replaced by the replacement, whose ``$0`` (the
    only group a string pattern has) inserts the pattern again.
    """
    string, pattern, replacement, limit = (argument(args, i) for i in range(4))
    if isinstance(string, str) and isinstance(pattern, str) and pattern and isinstance(replacement, str):
        count = string.count(pattern)
        if isinstance(limit, int | float) and not isinstance(limit, bool) and limit >= 0:
            count = min(count, int(limit))
        each = len(replacement) + replacement.count("$") * len(pattern)
        check_string_length(len(string) + count * (each - len(pattern)))
    return Functions.replace(string, pattern, replacement, limit)
