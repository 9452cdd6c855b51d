"""How a JSONata evaluation fails: the bounds AWS puts on it and jsonata-js's error messages.

AWS runs jsonata-js 2.0.6 and reports its error as "<CODE>: <message>", e.g. 'T0412: Argument 1 of
function "sum" must be an array of "numbers"'. The library is a port whose catalog says "Object" for
"function" and does not JSON-render the values it inserts, so the message is rebuilt here from the
code and the values the exception carries. A bound exceeded has no code: AWS reports a bare message.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from jsonata import JException

from stepwell.asl import jsoncodec
from stepwell.asl.jsonata.results import DROPPED, plain_json

# AWS accepts [1..873782] and refuses one element more on its memory bound (floci-io/floci#2737);
# $range stays under the same ceiling rather than building an unbounded list.
MAX_SEQUENCE_LENGTH: Final = 873_782
# AWS's causes, quoted from TestState in floci-io/floci#2737: "... threw an error during evaluation:
# Expression evaluation memory limit exceeded: Check for excessive memory usage".
MEMORY_LIMIT_MESSAGE: Final = "Expression evaluation memory limit exceeded: Check for excessive memory usage"
TIMEOUT_MESSAGE: Final = "Expression evaluation timeout: Check for infinite loop"
STACK_MESSAGE: Final = (
    "Stack overflow error: Check for non-terminating recursive function."
    "  Consider rewriting as tail-recursive."
)


class EvaluationBound(JException):
    """A bound of evaluation was exceeded (no JSONata code: AWS reports a bare message).

    A JException so that the library re-raises it untouched from every place it catches errors.
    """

    def __init__(self, message: str):
        super().__init__(message, -1)
        self.bound_message = message


def describe_failure(error: Exception, source: str) -> tuple[str | None, str]:
    """(code, message) for an exception raised while evaluating ``source``; code may be None."""
    if isinstance(error, EvaluationBound):
        return None, error.bound_message
    if isinstance(error, JException):
        return render_error(error, source)
    if isinstance(error, RecursionError):
        return None, STACK_MESSAGE
    # A Python error escaping the port (e.g. $number('abc')): no code, keep its text.
    return None, str(error) or type(error).__name__


# --- jsonata-js's catalog -------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")
# A signature's array element types, as jsonata-js names them in T0412.
_ARRAY_TYPES = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}


def _javascript_catalog() -> dict[str, str]:
    # The port's catalog is jsonata-js's with "function" replaced by "Object" and '...' by "...".
    catalog = {}
    for code, text in JException.error_codes.items():
        text = re.sub(r"\bObject\b", "function", text)
        catalog[code] = re.sub(r'"([^"{}]*)"', r"'\1'", text)
    return catalog


_CATALOG: Final = _javascript_catalog()
# The port raises a few errors with the message in place of the code.
_CODE_BY_MESSAGE: Final = {text: code for code, text in _CATALOG.items() if "{{" not in text}
_FUNCTION_CALL_BEFORE: Final = re.compile(r"\$(\w+)\s*\($")  # "$name(" ending where the error is


def render_error(error: JException, source: str) -> tuple[str | None, str]:
    """(code, message) as jsonata-js renders them; code is None for a message without one."""
    code = error.error
    template = _CATALOG.get(code)
    if template is None:
        return _CODE_BY_MESSAGE.get(code), str(code)
    inserts = iter(_inserts(code, error, source))

    def fill(match: re.Match[str]) -> str:
        value = next(inserts, None)
        if match.group(1):  # {{{raw}}}
            return "" if value is None else str(value)
        return _stringify(value)  # {{json}}

    return code, _PLACEHOLDER.sub(fill, template)


def _inserts(code: str, error: JException, source: str) -> list[Any]:
    """The values for a template's placeholders, in order (the port raises them positionally)."""
    current, expected, extra = error.current, error.expected, error.extra
    if code == "T0410" and (current is None or expected is None):
        # Raised from inside a function (a null argument): name the function being called.
        return [1, _called_function(source, error.location)]
    if code == "T0411":
        return [expected, _called_function(source, error.location)]
    if code == "T0412":
        return [current, expected, _ARRAY_TYPES.get(extra) if extra is not None else None]
    if code == "D1002":
        return [expected]
    if code == "D3100":
        return [error.location]
    return [current, expected, extra]


def _called_function(source: str, location: int) -> str | None:
    match = _FUNCTION_CALL_BEFORE.search(source[: max(location, 0)])
    return match.group(1) if match else None


def _stringify(value: Any) -> str:
    """JSON.stringify, as jsonata-js inserts values into its messages."""
    if value is None:
        return "undefined"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    plain = plain_json(value)
    return "undefined" if plain is DROPPED else jsoncodec.dumps_text(plain)
