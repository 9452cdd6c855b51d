"""The comparison operators of Jayway's filter language (``==``, ``<``, ``=~``, ``in``, ``size``,
``subsetof``, ...), with Jayway's rules for comparing values of different kinds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from stepwell.asl.bounded_regex import BoundedPattern, compile_bounded
from stepwell.errors import RUNTIME, EvaluationError


@dataclass(frozen=True, slots=True)
class RegexLiteral:
    """A ``/regex/flags`` operand: only ``=~`` accepts it."""

    regex: BoundedPattern


# Jayway matches ``=~`` with java.util.regex, which backtracks: a catastrophic pattern would hold
# the executor (and, with Python's re, the GIL) for as long as it backtracks. The pattern runs on
# bounded_regex instead (RE2, or a timed engine for lookaround/backreferences), and a match that
# times out fails the state with States.Runtime: AWS records no error for it (Jayway would run on
# or overflow its stack), and Runtime is what AWS reports when a JSONPath cannot be evaluated.
REGEX_TIMEOUT_CAUSE = "The regular expression /{}/ took too long to match (catastrophic backtracking)"
# A JSONPath filter only matches: nothing it builds can outgrow its input.
_NO_OUTPUT = 0


def compile_java_regex(source: str, flags: str) -> BoundedPattern:
    """``/source/flags`` with Java's flags i, m, s, x; raises ``re.error`` when it does not compile."""

    def timed_out() -> EvaluationError:
        return EvaluationError(RUNTIME, REGEX_TIMEOUT_CAUSE.format(source))

    return compile_bounded(
        source,
        ignore_case="i" in flags,
        multiline="m" in flags,
        dot_all="s" in flags,
        verbose="x" in flags,
        on_timeout=timed_out,
        on_oversize=timed_out,
        max_output=_NO_OUTPUT,
    )


def _is_number(v: Any) -> bool:
    return type(v) is int or type(v) is float


def _number_text(v: int | float) -> str:
    return repr(v)


def _equals(left: Any, right: Any) -> bool:
    """Jayway's node equality: a string equals a number whose text it is and a number equals a
    string that parses to it; arrays and objects compare as JSON; booleans and null only equal
    their own kind."""
    lt, rt = type(left), type(right)
    if lt in (list, dict) and rt in (list, dict):
        return _json_equal(left, right)
    if lt is str:
        if rt is str:
            return bool(left == right)
        return _is_number(right) and left == _number_text(right)
    if _is_number(left):
        if _is_number(right):
            return bool(left == right)
        if rt is str:
            try:
                return Decimal(right) == Decimal(repr(left))
            except InvalidOperation:
                return False
        return False
    if lt is bool:
        return rt is bool and left is right
    if left is None:
        return right is None
    return False


def _json_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _ordered(holds: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    """Jayway orders two numbers, or two strings (by UTF-16 code units, as Java does)."""

    def compare(left: Any, right: Any) -> bool:
        if _is_number(left) and _is_number(right):
            return holds((left > right) - (left < right))
        if type(left) is str and type(right) is str:
            a, b = left.encode("utf-16-be"), right.encode("utf-16-be")
            return holds((a > b) - (a < b))
        return False

    return compare


def _regex_input(value: Any) -> str:
    if type(value) is str:
        return value
    if _is_number(value):
        return _number_text(value)
    if type(value) is bool:
        return "true" if value else "false"
    return ""


def _matches(left: Any, right: Any) -> bool:
    if isinstance(left, RegexLiteral) == isinstance(right, RegexLiteral):
        return False
    pattern, value = (left, right) if isinstance(left, RegexLiteral) else (right, left)
    return pattern.regex.fullmatch(_regex_input(value)) is not None


def _within(left: Any, right: Any) -> bool:
    return type(right) is list and any(_equals(left, x) for x in right)


def _contains(left: Any, right: Any) -> bool:
    if type(left) is str and type(right) is str:
        return right in left
    return type(left) is list and any(_equals(right, x) for x in left)


def _size(left: Any, right: Any) -> bool:
    if not _is_number(right) or type(left) not in (str, list):
        return False
    return len(left) == int(right)


def _empty(left: Any, right: Any) -> bool:
    if type(right) is not bool or type(left) not in (str, list):
        return False
    return (len(left) == 0) is right


def _lists(test: Callable[[list[Any], list[Any]], bool]) -> Callable[[Any, Any], bool]:
    return lambda left, right: type(left) is list and type(right) is list and test(left, right)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equals,
    "!=": lambda left, right: not _equals(left, right),
    "<": _ordered(lambda c: c < 0),
    "<=": _ordered(lambda c: c <= 0),
    ">": _ordered(lambda c: c > 0),
    ">=": _ordered(lambda c: c >= 0),
    "=~": _matches,
    "in": _within,
    "nin": lambda left, right: not _within(left, right),
    "contains": _contains,
    "size": _size,
    "empty": _empty,
    "subsetof": _lists(lambda left, right: all(_within(x, right) for x in left)),
    "anyof": _lists(lambda left, right: any(_within(x, right) for x in left)),
    "noneof": _lists(lambda left, right: not any(_within(x, right) for x in left)),
}
