"""JSONPath-mode Choice rules, compiled once into predicates over a ``Scope``.

A rule is either a boolean composite (``And``/``Or``/``Not``) or a data test: a ``Variable`` path
and exactly one comparison operator. ``compile_choice_rule`` checks the rule's shape and the type
of every literal operand up front (``InvalidChoiceRule``), parses literal timestamps and
StringMatches patterns, compiles every path, and returns a ``ChoiceCondition`` whose ``evaluate``
only reads values and compares them.

Behaviour, as AWS shows it (conformance cases ``choice_operators__*``):

* a value of the wrong type never matches: "Step Functions doesn't attempt to match a numeric field
  to a string value" (NumericEquals on ``"1"``, ``true`` or ``[]`` is false, BooleanEquals on ``0``
  is false, StringEquals on ``0`` is false). JSON ``true`` is not the number 1 here, unlike Python;
* ``NumericEquals`` compares numbers by value (``0`` equals ``0.0``).

Not covered by a recorded case (taken from public reports of AWS's behaviour, to re-check when a
case is recorded):

* a ``Variable`` (or a ``*Path`` operand) that matches nothing fails the state with
  ``States.Runtime`` "Invalid path '<path>': The choice state's condition path references an
  invalid value." — except under ``IsPresent``, which exists to ask exactly that;
* a ``*Path`` operand of the wrong type: no match for the ``*EqualsPath`` operators, but
  ``States.Runtime`` "Invalid value provided at path '<path>'" for the orderings;
* timestamps are RFC 3339 with an uppercase ``T`` and ``Z`` or a numeric offset, optionally with
  fractional seconds; they compare as instants (``…T20:00:55+01:00`` equals ``…T19:00:55Z``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from stepwell.asl.paths import InvalidPath, PathNotFound, compile_path
from stepwell.asl.scope import Scope
from stepwell.errors import RUNTIME, EvaluationError


class InvalidChoiceRule(ValueError):
    """A rule that is structurally invalid: unknown or missing operator, two operators, an operand
    of the wrong type, a path that does not compile, ..."""


Predicate = Callable[[Scope], bool]
Reader = Callable[[Scope], Any]


class ChoiceCondition:
    """A compiled Choice rule: ``evaluate(scope)`` tells whether it matches."""

    __slots__ = ("_test", "description")

    def __init__(self, test: Predicate, description: str):
        self._test = test
        self.description = description

    def evaluate(self, scope: Scope) -> bool:
        return self._test(scope)

    def __repr__(self) -> str:
        return f"ChoiceCondition({self.description})"


# Keys of a rule that the engine handles (transition, variables, JSONata output), not the condition.
_ENGINE_KEYS = frozenset({"Next", "Comment", "Assign", "Output"})
_COMPOSITES = frozenset({"And", "Or", "Not"})


def compile_choice_rule(rule: Mapping[str, Any]) -> ChoiceCondition:
    return ChoiceCondition(_compile_rule(rule), _describe(rule))


def _compile_rule(rule: Any) -> Predicate:
    if not isinstance(rule, Mapping):
        raise InvalidChoiceRule(f"A choice rule must be an object, got {_json_type(rule)}.")
    keys = [k for k in rule if k not in _ENGINE_KEYS]
    operators = [k for k in keys if k in _COMPOSITES or k in _OPERATORS]
    unknown = [k for k in keys if k not in operators and k != "Variable"]
    if unknown:
        raise InvalidChoiceRule(f"Unknown field(s) in choice rule: {', '.join(sorted(unknown))}.")
    if len(operators) != 1:
        found = ", ".join(operators) if operators else "none"
        raise InvalidChoiceRule(f"A choice rule needs exactly one operator, found: {found}.")
    name = operators[0]
    if name in _COMPOSITES:
        if "Variable" in rule:
            raise InvalidChoiceRule(f"A '{name}' rule cannot have a 'Variable'.")
        return _compile_composite(name, rule[name])
    if "Variable" not in rule:
        raise InvalidChoiceRule(f"The '{name}' rule needs a 'Variable'.")
    variable = rule["Variable"]
    if not isinstance(variable, str):
        raise InvalidChoiceRule(f"'Variable' must be a path string, got {_json_type(variable)}.")
    return _OPERATORS[name](variable, rule[name], name)


def _compile_composite(name: str, operand: Any) -> Predicate:
    if name == "Not":
        inner = _compile_rule(operand)
        return lambda scope: not inner(scope)
    if not isinstance(operand, list) or not operand:
        raise InvalidChoiceRule(f"'{name}' must be a non-empty array of choice rules.")
    # Short-circuit in order, as AWS does: later rules are not evaluated (and cannot fail).
    rules = tuple(_compile_rule(r) for r in operand)
    if len(rules) == 1:
        return rules[0]
    if name == "And":
        return lambda scope: all(r(scope) for r in rules)
    return lambda scope: any(r(scope) for r in rules)


# --- reading paths ------------------------------------------------------------------------------


def _invalid_path(text: str) -> EvaluationError:
    return EvaluationError(
        RUNTIME, f"Invalid path '{text}': The choice state's condition path references an invalid value."
    )


def _compile_path(text: Any, field: str) -> Reader:
    """The evaluation function of path ``text`` (it raises ``PathNotFound`` on no match)."""
    if not isinstance(text, str):
        raise InvalidChoiceRule(f"'{field}' must be a path string, got {_json_type(text)}.")
    try:
        return compile_path(text).evaluate
    except (InvalidPath, ValueError) as e:
        raise InvalidChoiceRule(f"'{field}' is not a valid path: {text!r} ({e}).") from e


def _compile_reader(text: Any, field: str) -> Reader:
    """A function reading the value at path ``text``; a path that matches nothing fails the state."""
    evaluate = _compile_path(text, field)

    def read(scope: Scope) -> Any:
        try:
            return evaluate(scope)
        except PathNotFound:
            raise _invalid_path(text) from None

    return read


# --- value families -----------------------------------------------------------------------------
# Each family turns a JSON value into a comparable key, or None when the value is not of the
# family (None is never a key: JSON null belongs to no family).


def _as_string(value: Any) -> str | None:
    return value if type(value) is str else None


def _as_number(value: Any) -> int | float | None:
    # type() rather than isinstance(): JSON true/false must not pass for 1/0.
    return value if type(value) is int or type(value) is float else None


def _as_boolean(value: Any) -> bool | None:
    return value if type(value) is bool else None


# "Timestamps must conform to RFC3339 profile of ISO 8601, with the further restrictions that an
# uppercase T must separate the date and time portions, and an uppercase Z must denote that a
# numeric time zone offset is not present, for example, 2016-08-18T17:33:00Z."
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))"
)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def parse_timestamp(value: Any) -> int | None:
    """Nanoseconds since the epoch of an ASL timestamp string, or None if ``value`` is not one.
    Integer nanoseconds keep fractions of any length exact (a float would not)."""
    if type(value) is not str:
        return None
    m = _TIMESTAMP.fullmatch(value)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = m.groups()
    try:
        days = date(int(year), int(month), int(day)).toordinal() - _EPOCH_ORDINAL
    except ValueError:  # month 13, February 30, ...
        return None
    h, mi, s = int(hour), int(minute), int(second)
    if h > 23 or mi > 59 or s > 59:
        return None
    seconds = days * 86_400 + h * 3_600 + mi * 60 + s
    if not zulu:
        offset_h, offset_m = int(off_h), int(off_m)
        if offset_h > 18 or offset_m > 59:  # offsets range over -18:00..+18:00
            return None
        offset = offset_h * 3_600 + offset_m * 60
        seconds += -offset if sign == "+" else offset  # local time = UTC + offset
    nanos = seconds * 1_000_000_000
    if fraction:
        nanos += int(fraction.ljust(9, "0"))
    return nanos


class _Family:
    __slots__ = ("coerce", "name")

    def __init__(self, name: str, coerce: Callable[[Any], Any]):
        self.name = name
        self.coerce = coerce


_STRING = _Family("a string", _as_string)
_NUMBER = _Family("a number", _as_number)
_BOOLEAN = _Family("a boolean", _as_boolean)
_TIMESTAMP_FAMILY = _Family("an RFC3339 timestamp string", parse_timestamp)


# --- operator builders --------------------------------------------------------------------------

Builder = Callable[[str, Any, str], Predicate]


def _literal_comparison(family: _Family, compare: Callable[[Any, Any], bool]) -> Builder:
    """``{"Variable": p, "<Op>": literal}``: a value outside the family simply does not match."""

    def build(variable: str, operand: Any, name: str) -> Predicate:
        coerce = family.coerce
        expected = coerce(operand)
        if expected is None:
            raise InvalidChoiceRule(f"'{name}' must be {family.name}, got {_json_type(operand)}.")
        read = _compile_reader(variable, "Variable")

        def test(scope: Scope) -> bool:
            actual = coerce(read(scope))
            return actual is not None and compare(actual, expected)

        return test

    return build


def _path_comparison(family: _Family, compare: Callable[[Any, Any], bool], ordering: bool) -> Builder:
    """``{"Variable": p, "<Op>Path": q}``: both paths must match something. A Variable outside the
    family does not match; so does an operand outside it for the *Equals operators, while the
    ordering operators reject it: "Invalid value provided at path '<q>'"."""

    def build(variable: str, operand: Any, name: str) -> Predicate:
        coerce = family.coerce
        read_variable = _compile_reader(variable, "Variable")
        read_operand = _compile_reader(operand, name)
        invalid_value = f"Invalid value provided at path '{operand}'"

        def test(scope: Scope) -> bool:
            actual = read_variable(scope)
            expected = coerce(read_operand(scope))
            if expected is None:
                if ordering:
                    raise EvaluationError(RUNTIME, invalid_value)
                return False
            actual = coerce(actual)
            return actual is not None and compare(actual, expected)

        return test

    return build


def _string_matches(variable: str, operand: Any, name: str) -> Predicate:
    if type(operand) is not str:
        raise InvalidChoiceRule(f"'{name}' must be a string, got {_json_type(operand)}.")
    match = _compile_wildcard(operand).fullmatch
    read = _compile_reader(variable, "Variable")

    def test(scope: Scope) -> bool:
        value = read(scope)
        return type(value) is str and match(value) is not None

    return test


def _compile_wildcard(pattern: str) -> re.Pattern[str]:
    """StringMatches patterns: ``*`` matches any run of characters (even empty); ``\\*`` is a
    literal asterisk and ``\\\\`` a literal backslash; every other character is literal."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _type_test(check: Callable[[Any], bool]) -> Builder:
    """``Is*: true|false``: whether the value is (or is not) of a kind."""

    def build(variable: str, operand: Any, name: str) -> Predicate:
        if type(operand) is not bool:
            raise InvalidChoiceRule(f"'{name}' must be a boolean, got {_json_type(operand)}.")
        read = _compile_reader(variable, "Variable")
        wanted = operand
        return lambda scope: check(read(scope)) is wanted

    return build


def _is_present(variable: str, operand: Any, name: str) -> Predicate:
    if type(operand) is not bool:
        raise InvalidChoiceRule(f"'{name}' must be a boolean, got {_json_type(operand)}.")
    evaluate = _compile_path(variable, "Variable")
    wanted = operand

    def test(scope: Scope) -> bool:
        try:
            evaluate(scope)
        except PathNotFound:
            return not wanted
        return wanted

    return test


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _operator_table() -> dict[str, Builder]:
    table: dict[str, Builder] = {}
    families = {"String": _STRING, "Numeric": _NUMBER, "Timestamp": _TIMESTAMP_FAMILY}
    for prefix, family in families.items():
        for suffix, compare in _ORDERINGS.items():
            table[prefix + suffix] = _literal_comparison(family, compare)
            table[prefix + suffix + "Path"] = _path_comparison(family, compare, suffix != "Equals")
    table["BooleanEquals"] = _literal_comparison(_BOOLEAN, operator.eq)
    table["BooleanEqualsPath"] = _path_comparison(_BOOLEAN, operator.eq, ordering=False)
    table["StringMatches"] = _string_matches
    table["IsNull"] = _type_test(lambda v: v is None)
    table["IsPresent"] = _is_present
    table["IsNumeric"] = _type_test(lambda v: _as_number(v) is not None)
    table["IsString"] = _type_test(lambda v: type(v) is str)
    table["IsBoolean"] = _type_test(lambda v: type(v) is bool)
    table["IsTimestamp"] = _type_test(lambda v: parse_timestamp(v) is not None)
    return table


_OPERATORS: dict[str, Builder] = _operator_table()
OPERATOR_NAMES: frozenset[str] = frozenset(_OPERATORS)


# --- helpers ------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "boolean"
    if type(value) in (int, float):
        return "number"
    if type(value) is str:
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _describe(rule: Any) -> str:
    if not isinstance(rule, Mapping):
        return repr(rule)
    return ", ".join(f"{k}={rule[k]!r}" for k in rule if k not in _ENGINE_KEYS)
