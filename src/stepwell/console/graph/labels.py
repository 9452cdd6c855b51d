"""Edge labels: a Choice rule or a Catch written short and readable for the graph.

JSONPath rules read like code (``$.x == "a"``, ``$.n > 5``, ``$.t is timestamp``, ``And(...)``);
a JSONata rule shows its ``Condition`` without the ``{% %}`` delimiters. The full text is kept: the
renderers shorten it for display and show it whole in a tooltip.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_COMPARISONS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TYPE_TESTS = {
    "IsNull": "null",
    "IsPresent": "present",
    "IsNumeric": "numeric",
    "IsString": "string",
    "IsBoolean": "boolean",
    "IsTimestamp": "timestamp",
}
_VALUE_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
_IGNORED_FIELDS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


def choice_label(rule: Mapping[str, Any]) -> str:
    """A Choice rule (top level or nested) as one line of text."""
    if "Condition" in rule:
        return _condition(rule["Condition"])
    if "And" in rule:
        return "And(" + ", ".join(choice_label(r) for r in rule["And"]) + ")"
    if "Or" in rule:
        return "Or(" + ", ".join(choice_label(r) for r in rule["Or"]) + ")"
    if "Not" in rule:
        return "Not(" + choice_label(rule["Not"]) + ")"
    variable = str(rule.get("Variable", "?"))
    for operator, operand in rule.items():
        if operator not in _IGNORED_FIELDS:
            return f"{variable} {_comparison(operator, operand)}"
    return variable


def catch_label(errors: Sequence[str]) -> str:
    return ", ".join(errors)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _comparison(operator: str, operand: Any) -> str:
    if operator in _TYPE_TESTS:
        return ("is " if operand is True else "is not ") + _TYPE_TESTS[operator]
    if operator == "StringMatches":
        return f"matches {_literal(operand)}"
    is_path = operator.endswith("Path")
    core = operator[: -len("Path")] if is_path else operator
    for kind in _VALUE_KINDS:
        if core.startswith(kind) and core[len(kind) :] in _COMPARISONS:
            symbol = _COMPARISONS[core[len(kind) :]]
            return f"{symbol} {operand if is_path else _literal(operand)}"
    return f"{operator} {_literal(operand)}"


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _condition(condition: Any) -> str:
    if isinstance(condition, str):
        text = condition.strip()
        if text.startswith("{%") and text.endswith("%}"):
            text = text[2:-2].strip()
        return " ".join(text.split())
    return _literal(condition)
