"""A policy statement's ``Condition`` block: parsed once, evaluated against a request's context.

    "Condition": {"<operator>": {"<key>": <value or list of values>}, ...}

Rules (IAM User Guide, reference_policies_elements_condition_operators.md and
reference_policies_condition-single-vs-multi-valued-context-keys.md, reference §2.2):

- several operators, or several keys under one, must all hold (AND); several values for one key:
  any may match (OR); for a negated operator (``StringNotEquals``, ``NotIpAddress``, ...) the
  request's value must match none of them;
- a key absent from the request makes a condition false, a negated one true; ``...IfExists``
  (any operator but ``Null``) makes it true; ``Null: {"k": "true"}`` holds when k is absent;
- ``ForAllValues:`` holds when every value of a multivalued key (``aws:TagKeys``,
  ``states:StateMachineQualifier``) passes, and also when the key is absent or empty;
  ``ForAnyValue:`` when one does, never when absent. A single-valued key counts as a set of one.
  A multivalued key under a plain operator (AWS says to use a set operator) passes a positive
  operator when any of its values matches, a negated one when none does;
- key names are case-insensitive (so is the tag key in ``aws:RequestTag/<key>``): they are
  compared in lower case. Policy values may be JSON strings, numbers or booleans.

Not supported: policy variables (``${aws:username}``): a value holding ``${`` is refused when the
file is loaded, rather than compared as the literal text it is, because a Deny that silently
matched nothing would fail open. ``Binary*`` operators (no Step Functions key is binary).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from stepwell.auth.wildcards import arn_matcher, glob_matcher

# What a request's context holds for a key: nothing, one value, or several (multivalued keys).
Value = str | tuple[str, ...] | None
Context = Callable[[str], Value]  # lower-case key name -> its value in this request


class PolicyError(ValueError):
    """A policy that cannot be used; ``where`` names the field (``Statement[0].Effect``)."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


# ---- comparisons: (prepare the policy's value once, compare a request value with it) ----------

Compare = Callable[[str, Any], bool]


def _text(value: str) -> str:
    return value


def _folded(value: str) -> str:
    return value.casefold()


def _number(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def _date(value: str) -> float:
    """A date as IAM reads it: ISO 8601 (``2026-12-03``, ``2026-12-03T08:00:00Z``, with an offset
    or fractions) or epoch seconds. Without a zone, UTC."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        return float(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or epoch seconds") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _bool(value: str) -> str:
    folded = value.lower()
    if folded not in ("true", "false"):
        raise ValueError(f'{value!r} is not "true" or "false"')
    return folded


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or CIDR block") from None


def _parsed(parse: Callable[[str], Any], compare: Callable[[Any, Any], bool]) -> Compare:
    """A comparison of a request value that must parse first (a number, a date): one that does
    not parse matches nothing."""

    def test(request_value: str, policy_value: Any) -> bool:
        try:
            return compare(parse(request_value), policy_value)
        except ValueError:
            return False

    return test


def _in_network(request_value: str, network: Any) -> bool:
    try:
        return ipaddress.ip_address(request_value.strip()) in network
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class _Operator:
    prepare: Callable[[str], Any]  # the policy's value, checked and readied (ValueError: refused)
    compare: Compare
    negated: bool = False


def _family(prepare: Callable[[str], Any], compare: Compare, names: dict[str, bool]) -> dict[str, _Operator]:
    return {name.lower(): _Operator(prepare, compare, negated) for name, negated in names.items()}


_EQUAL: Compare = lambda a, b: a == b  # noqa: E731
_GLOB: Compare = lambda value, matcher: matcher(value)  # noqa: E731
OPERATORS: dict[str, _Operator] = {
    **_family(_text, _EQUAL, {"StringEquals": False, "StringNotEquals": True}),
    **_family(
        _folded,
        lambda a, b: a.casefold() == b,
        {"StringEqualsIgnoreCase": False, "StringNotEqualsIgnoreCase": True},
    ),
    **_family(glob_matcher, _GLOB, {"StringLike": False, "StringNotLike": True}),
    **_family(_number, _parsed(_number, _EQUAL), {"NumericEquals": False, "NumericNotEquals": True}),
    "numericlessthan": _Operator(_number, _parsed(_number, lambda a, b: a < b)),
    "numericlessthanequals": _Operator(_number, _parsed(_number, lambda a, b: a <= b)),
    "numericgreaterthan": _Operator(_number, _parsed(_number, lambda a, b: a > b)),
    "numericgreaterthanequals": _Operator(_number, _parsed(_number, lambda a, b: a >= b)),
    **_family(_date, _parsed(_date, _EQUAL), {"DateEquals": False, "DateNotEquals": True}),
    "datelessthan": _Operator(_date, _parsed(_date, lambda a, b: a < b)),
    "datelessthanequals": _Operator(_date, _parsed(_date, lambda a, b: a <= b)),
    "dategreaterthan": _Operator(_date, _parsed(_date, lambda a, b: a > b)),
    "dategreaterthanequals": _Operator(_date, _parsed(_date, lambda a, b: a >= b)),
    "bool": _Operator(_bool, lambda a, b: a.lower() == b),
    **_family(_network, _in_network, {"IpAddress": False, "NotIpAddress": True}),
    # "ArnEquals and ArnLike behave identically" (the operators' reference), so do their negations.
    **_family(
        arn_matcher, _GLOB, {"ArnEquals": False, "ArnLike": False, "ArnNotEquals": True, "ArnNotLike": True}
    ),
}
NULL = "null"
SET_OPERATORS = ("forallvalues", "foranyvalue")
IF_EXISTS = "ifexists"


@dataclass(frozen=True, slots=True)
class Condition:
    """One key under one operator: ``ForAnyValue:StringEquals {"states:StateMachineQualifier":
    ["PROD", "1"]}``."""

    operator: str  # as written in the policy
    key: str  # lower case
    values: tuple[Any, ...]  # prepared by the operator
    base: _Operator | None  # None: Null
    set_operator: str | None  # "forallvalues" | "foranyvalue" | None
    if_exists: bool

    def holds(self, context: Context) -> bool:
        found = context(self.key)
        present = found is not None and found != ()
        if self.base is None:  # Null
            return any(value == (not present) for value in self.values)
        if not present:
            return (
                self.if_exists
                or self.set_operator == "forallvalues"
                or (self.set_operator is None and self.base.negated)
            )
        assert found is not None
        request_values = (found,) if isinstance(found, str) else found
        if self.set_operator == "forallvalues":
            return all(self._passes(value) for value in request_values)
        if self.set_operator == "foranyvalue":
            return any(self._passes(value) for value in request_values)
        matched = any(self._matches(value) for value in request_values)
        return not matched if self.base.negated else matched

    def _matches(self, request_value: str) -> bool:
        assert self.base is not None
        compare = self.base.compare
        return any(compare(request_value, value) for value in self.values)

    def _passes(self, request_value: str) -> bool:
        """One request value against the operator, negation included."""
        assert self.base is not None
        matched = self._matches(request_value)
        return not matched if self.base.negated else matched


def parse_conditions(block: Any, where: str) -> tuple[Condition, ...]:
    """The conditions of a statement's ``Condition`` block, or PolicyError naming the field."""
    if not isinstance(block, dict):
        raise PolicyError(where, "must be an object of operators")
    conditions = []
    for operator, keys in block.items():
        inner = f"{where}.{operator}"
        base, set_operator, if_exists = _operator(operator, where)
        if not isinstance(keys, dict) or not keys:
            raise PolicyError(inner, "must be an object of condition keys and their values")
        for key, raw in keys.items():
            values = _values(raw, f"{inner}.{key}")
            try:
                prepared = (
                    tuple(_bool(v) == "true" for v in values)
                    if base is None
                    else tuple(base.prepare(v) for v in values)
                )
            except ValueError as refused:
                raise PolicyError(f"{inner}.{key}", str(refused)) from None
            conditions.append(Condition(operator, key.lower(), prepared, base, set_operator, if_exists))
    return tuple(conditions)


def _operator(written: str, where: str) -> tuple[_Operator | None, str | None, bool]:
    name = written.lower()
    set_operator = None
    prefix, colon, rest = name.partition(":")
    if colon:
        if prefix not in SET_OPERATORS:
            raise PolicyError(where, f'unknown condition operator "{written}"')
        set_operator, name = prefix, rest
    if_exists = name.endswith(IF_EXISTS) and name != IF_EXISTS
    if if_exists:
        name = name[: -len(IF_EXISTS)]
    if name == NULL:
        if if_exists or set_operator:
            raise PolicyError(where, f'"{written}": Null takes neither IfExists nor a set operator')
        return None, None, False
    base = OPERATORS.get(name)
    if base is None:
        raise PolicyError(where, f'unknown condition operator "{written}"')
    return base, set_operator, if_exists


def _values(raw: Any, where: str) -> list[str]:
    items: Sequence[Any] = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError(where, "must name at least one value")
    values = []
    for item in items:
        if isinstance(item, bool):
            values.append("true" if item else "false")
        elif isinstance(item, int | float):
            values.append(str(item))
        elif isinstance(item, str):
            if "${" in item:
                raise PolicyError(where, "policy variables such as ${aws:username} are not supported")
            values.append(item)
        else:
            raise PolicyError(where, "values must be strings, numbers or booleans")
    return values
