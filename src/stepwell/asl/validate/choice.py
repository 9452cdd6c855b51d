"""Pass 2 (part 4): the shape of a Choice state's rules.

A JSONPath rule is a boolean composite (``And``/``Or`` over a non-empty array of rules, ``Not`` over
one rule) or a data test (``Variable`` plus exactly one comparison operator); only the top-level rule
carries ``Next`` (required) and ``Assign``. A JSONata rule is ``{Condition, Next, Assign?, Output?,
Comment?}``. Operand types: String* take strings, Numeric* numbers, BooleanEquals and Is* booleans,
Timestamp* RFC 3339 strings, every ``*Path`` operator a path string (its syntax is checked by the
expressions pass).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stepwell.asl.validate.schema import (
    Diagnostics,
    check_unknown_fields,
    expected_type,
    language_mismatch,
    not_supported,
    only_one,
    required,
)
from stepwell.asl.validate.walk import (
    JSONATA,
    JSONPATH,
    Site,
    child,
    is_jsonata_string,
    is_number,
    is_rfc3339,
    item,
    schema_error,
)

_STRING_OPERATORS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
)
_NUMERIC_OPERATORS = (
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
)
_TIMESTAMP_OPERATORS = (
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


# operator -> (operand test, JSON type named when it fails)
OPERATORS: dict[str, tuple[Callable[[Any], bool], str]] = {}
for _name in _STRING_OPERATORS:
    OPERATORS[_name] = (_is_string, "STRING")
    OPERATORS[_name + "Path"] = (_is_string, "STRING")
OPERATORS["StringMatches"] = (_is_string, "STRING")
for _name in _NUMERIC_OPERATORS:
    OPERATORS[_name] = (is_number, "NUMBER")
    OPERATORS[_name + "Path"] = (_is_string, "STRING")
OPERATORS["BooleanEquals"] = (_is_boolean, "BOOLEAN")
OPERATORS["BooleanEqualsPath"] = (_is_string, "STRING")
for _name in _TIMESTAMP_OPERATORS:
    OPERATORS[_name] = (_is_string, "STRING")
    OPERATORS[_name + "Path"] = (_is_string, "STRING")
for _name in _TYPE_TESTS:
    OPERATORS[_name] = (_is_boolean, "BOOLEAN")

_COMPOSITES = ("And", "Or", "Not")
_ONE_SELECTOR = "The object must have only one of the following fields, [And, Or, Not, Variable, Condition]"
_SELECTORS = ("And", "Or", "Not", "Variable", "Condition")
_RULE_ENGINE_FIELDS = frozenset({"Next", "Assign", "Comment"})
_NESTED_FIELDS = frozenset({"Comment", "Variable", *_COMPOSITES, *OPERATORS})
_JSONATA_RULE_FIELDS = frozenset({"Condition", "Next", "Assign", "Output", "Comment"})


def check_choice_state(site: Site, out: Diagnostics) -> None:
    rules = site.body.get("Choices")
    if not isinstance(rules, list):
        return
    where = child(site.pointer, "Choices")
    if not rules:
        out.append(schema_error("Value cannot be empty", where))
    for index, rule in enumerate(rules):
        pointer = item(where, index)
        if not isinstance(rule, Mapping):
            out.append(schema_error(expected_type("OBJECT"), pointer))
            continue
        if "Next" not in rule:
            out.append(schema_error(required(["Next"]), pointer))
        elif not isinstance(rule["Next"], str):
            out.append(schema_error(expected_type("STRING"), child(pointer, "Next")))
        if "Assign" in rule and not isinstance(rule["Assign"], Mapping):
            out.append(schema_error(expected_type("OBJECT"), child(pointer, "Assign")))
        if site.query_language == JSONATA:
            _check_jsonata_rule(rule, pointer, out)
        else:
            _check_jsonpath_rule(rule, pointer, True, out)


def _check_jsonata_rule(rule: Mapping[str, Any], pointer: str, out: Diagnostics) -> None:
    jsonpath_fields = [field for field in rule if field in _NESTED_FIELDS and field != "Comment"]
    for field in jsonpath_fields:
        out.append(schema_error(language_mismatch(JSONATA, field), pointer))
    check_unknown_fields(rule, _JSONATA_RULE_FIELDS | frozenset(jsonpath_fields), pointer, out)
    if "Condition" not in rule:
        if not jsonpath_fields:
            out.append(schema_error(required(["Condition"]), pointer))
        return
    condition = rule["Condition"]
    if not (isinstance(condition, bool) or is_jsonata_string(condition)):
        out.append(schema_error(expected_type("BOOLEAN"), child(pointer, "Condition")))


def _check_jsonpath_rule(rule: Mapping[str, Any], pointer: str, top: bool, out: Diagnostics) -> None:
    if top:
        for field in ("Condition", "Output"):
            if field in rule:
                out.append(schema_error(language_mismatch(JSONPATH, field), pointer))
        allowed = _NESTED_FIELDS | _RULE_ENGINE_FIELDS | {"Condition", "Output"}
    else:
        allowed = _NESTED_FIELDS
    check_unknown_fields(rule, frozenset(allowed), pointer, out)
    selectors = [field for field in _SELECTORS if field in rule and field != "Condition"]
    if len(selectors) != 1:
        if not (top and "Condition" in rule and not selectors):
            out.append(schema_error(_ONE_SELECTOR, pointer))
        return
    selector = selectors[0]
    if selector == "Variable":
        _check_data_test(rule, pointer, out)
        return
    operators = [field for field in rule if field in OPERATORS]
    if operators:
        out.append(schema_error(not_supported(operators[0]), pointer))
    operand = rule[selector]
    where = child(pointer, selector)
    if selector == "Not":
        if isinstance(operand, Mapping):
            _check_jsonpath_rule(operand, where, False, out)
        else:
            out.append(schema_error(expected_type("OBJECT"), where))
        return
    if not isinstance(operand, list):
        out.append(schema_error(expected_type("ARRAY"), where))
        return
    if not operand:
        out.append(schema_error("Value cannot be empty", where))
    for index, nested in enumerate(operand):
        if isinstance(nested, Mapping):
            _check_jsonpath_rule(nested, item(where, index), False, out)
        else:
            out.append(schema_error(expected_type("OBJECT"), item(where, index)))


def _check_data_test(rule: Mapping[str, Any], pointer: str, out: Diagnostics) -> None:
    if not isinstance(rule["Variable"], str):
        out.append(schema_error(expected_type("STRING"), child(pointer, "Variable")))
    operators = [field for field in rule if field in OPERATORS]
    if len(operators) != 1:
        out.append(schema_error(only_one(tuple(OPERATORS)), pointer))
        return
    name = operators[0]
    test, kind = OPERATORS[name]
    if not test(rule[name]):
        out.append(schema_error(expected_type(kind), child(pointer, name)))
    elif name in _TIMESTAMP_OPERATORS and not is_rfc3339(rule[name]):
        out.append(schema_error("String does not match RFC3339 timestamp", child(pointer, name)))
