"""The second pass over a request: the model's constraints, reported in AWS's words.

AWS (Coral's ``com.amazon.coral.validate``) answers every violation at once::

    1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint:
    Member must have value less than or equal to 1000
    2 validation errors detected: <violation>; <violation>

Facts this module follows, with where they were seen on real AWS:

- "Value '<v>' at '<path>' failed to satisfy constraint: <rule>" — Step Functions
  (wolfeidau/buildkite-serverless-agent#37: name longer than 80; LocalStack snapshot
  test_sfn_api: maxResults 1001, statusFilter 'succeeded').
- A missing member is ``Value null at '<path>'``; the value of a member the model marks
  ``sensitive`` is not shown: ``Value at 'input' ...`` (Cognito's password; a Step Functions
  clone's measurement of StartExecution, 2026-09-07).
- Step Functions' payloads (``SensitiveData``: input, output, ...) are limited in UTF-8 bytes,
  "Member must have size less than or equal to 262144 bytes in UTF-8 encoding" (same
  measurement; the model's docs: "Length constraints apply to the payload size, and are
  expressed as bytes in UTF-8 encoding"). Other lengths count UTF-16 units, as Java does.
- Nested paths: ``tags.1.member.key`` (1-based list index; Firehose ``records.36.member.data``).
  A list of scalars is judged as a whole: ``Value '[a, b]' at 'tagKeys' ... Member must satisfy
  constraint: [<every rule of the element, max first>]`` (Lambda, ACM, SSM messages).
- Enum: "Member must satisfy enum value set: [A, B]". AWS's order of ExecutionStatus was recorded
  (LocalStack snapshot) and differs from the model's; other enums use the model's order.
- Order of violations: Coral walks a structure's members in the iteration order of a
  ``java.util.HashMap`` of capacity 32 keyed by the lowerCamel member name, inserted in model
  order. This is inferred, not documented: it reproduces every multi-violation message from
  real AWS found (DynamoDB attributeType before attributeName, SWF execution before domain, EMR
  steps before jobFlowId, SNS aWSAccountId/label/actionName, Athena nextToken before maxResults
  — one bucket, model order), where model order reproduces none of the first four. Within one
  member a pattern violation comes before a length one (DynamoDB backupName).
- At most 10 violations are listed (dynalite, a DynamoDB clone tested against AWS).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stepwell.api.java_view import java_hashmap_order, java_length, render
from stepwell.api.shapes import SHAPES, Shape
from stepwell.errors import MAX_REPORTED

# check(value, path_prefix, member_name, errors): appends violation texts for a present value
Check = Callable[[Any, str, str, list[str]], None]

_PAYLOAD_SHAPES = frozenset({"SensitiveData", "SensitiveDataJobInput"})
_RECORDED_ENUM_ORDER: dict[str, list[str]] = {
    "ExecutionStatus": ["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"],
}


def _violation(value: Any, shown: bool, path: str, rule: str, shape_name: str | None) -> str:
    if value is None:
        return f"Value null at '{path}' failed to satisfy constraint: {rule}"
    if not shown:
        return f"Value at '{path}' failed to satisfy constraint: {rule}"
    return f"Value '{render(value, shape_name)}' at '{path}' failed to satisfy constraint: {rule}"


# --- rules of one scalar -----------------------------------------------------------------------

Predicate = Callable[[Any], bool]
Measure = Callable[[Any], float]
Rule = tuple[Predicate, str]  # (holds(value), text)


def _utf8_size(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _java_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(r"\p{ASCII}", r"[\x00-\x7F]"))


def _matches(regex: re.Pattern[str]) -> Predicate:
    def holds(value: Any) -> bool:
        return regex.fullmatch(value) is not None

    return holds


def _at_most(measure: Measure, high: float) -> Predicate:
    def holds(value: Any) -> bool:
        return measure(value) <= high

    return holds


def _at_least(measure: Measure, low: float) -> Predicate:
    def holds(value: Any) -> bool:
        return measure(value) >= low

    return holds


def _one_of(allowed: frozenset[str]) -> Predicate:
    def holds(value: Any) -> bool:
        return value in allowed

    return holds


def _number(value: Any) -> Any:
    return value  # an int or a float, compared as is (no float() overflow for huge integers)


def _scalar_rules(shape_name: str) -> tuple[list[Rule], list[str]]:
    """The rules of a scalar shape in reporting order, and their texts as AWS lists them inside
    "Member must satisfy constraint: [...]" (max before min, then pattern, then enum)."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    low, high = shape.get("min"), shape.get("max")
    bounds: list[Rule] = []
    if kind in ("string", "blob") and shape_name in _PAYLOAD_SHAPES:
        if high is not None:
            text = f"Member must have size less than or equal to {high} bytes in UTF-8 encoding"
            bounds.append((_at_most(_utf8_size, high), text))
    elif kind in ("string", "blob"):
        if high is not None:
            bounds.append(
                (_at_most(java_length, high), f"Member must have length less than or equal to {high}")
            )
        if low:
            bounds.append(
                (_at_least(java_length, low), f"Member must have length greater than or equal to {low}")
            )
    elif kind in ("integer", "long", "float", "double"):
        if high is not None:
            bounds.append((_at_most(_number, high), f"Member must have value less than or equal to {high}"))
        if low is not None:
            bounds.append((_at_least(_number, low), f"Member must have value greater than or equal to {low}"))
    pattern: list[Rule] = []
    if "pattern" in shape:
        text = f"Member must satisfy regular expression pattern: {shape['pattern']}"
        pattern.append((_matches(_java_pattern(shape["pattern"])), text))
    enum: list[Rule] = []
    if "enum" in shape:
        shown: list[str] = _RECORDED_ENUM_ORDER.get(shape_name) or shape["enum"]
        text = f"Member must satisfy enum value set: [{', '.join(shown)}]"
        enum.append((_one_of(frozenset(shape["enum"])), text))
    listed = [text for _, text in bounds + pattern + enum]
    return pattern + bounds + enum, listed


def _scalar_check(shape_name: str, shown: bool) -> Check | None:
    rules, _ = _scalar_rules(shape_name)
    if not rules:
        return None

    def check(value: Any, prefix: str, name: str, errors: list[str]) -> None:
        for holds, text in rules:
            if not holds(value):
                errors.append(_violation(value, shown, prefix + name, text, shape_name))

    return check


# --- containers --------------------------------------------------------------------------------


def _shown(shape_name: str) -> bool:
    return not SHAPES[shape_name].get("sensitive", False)


def _length_rules(shape: Shape) -> list[Rule]:
    rules: list[Rule] = []
    if shape.get("max") is not None:
        high = shape["max"]
        rules.append((_at_most(len, high), f"Member must have length less than or equal to {high}"))
    if shape.get("min"):
        low = shape["min"]
        rules.append((_at_least(len, low), f"Member must have length greater than or equal to {low}"))
    return rules


def _structure_check(shape_name: str) -> Check | None:
    shape = SHAPES[shape_name]
    required = set(shape.get("required", ()))
    plan: list[tuple[str, str, bool, Check | None]] = []
    for member in java_hashmap_order(list(shape["members"])):
        check = check_for(shape["members"][member]["shape"])
        if check is not None or member in required:
            plan.append((member, member[:1].lower() + member[1:], member in required, check))
    if not plan:
        return None

    def check_structure(value: Any, prefix: str, name: str, errors: list[str]) -> None:
        inner = f"{prefix}{name}." if name else prefix
        for member, wire_name, is_required, check in plan:
            item = value.get(member)
            if item is None:
                if is_required:
                    errors.append(_violation(None, False, inner + wire_name, "Member must not be null", None))
            elif check is not None:
                check(item, inner, wire_name, errors)

    return check_structure


def _elements_rule(element_name: str) -> Rule | None:
    """One rule judging every scalar element, worded as AWS words it for the whole collection."""
    rules, listed = _scalar_rules(element_name)
    if not rules:
        return None

    def holds(items: Any) -> bool:
        return all(item is None or all(ok(item) for ok, _ in rules) for item in items)

    return holds, f"Member must satisfy constraint: [{', '.join(listed)}]"


def _list_check(shape_name: str) -> Check | None:
    shape = SHAPES[shape_name]
    element_name = shape["member"]["shape"]
    rules = _length_rules(shape)
    element_check: Check | None = None
    if SHAPES[element_name]["type"] in ("structure", "list", "map"):
        element_check = check_for(element_name)
    else:
        every = _elements_rule(element_name)
        if every is not None:
            rules.append(every)
    if not rules and element_check is None:
        return None
    shown = _shown(shape_name)

    def check_list(value: Any, prefix: str, name: str, errors: list[str]) -> None:
        for holds, text in rules:
            if not holds(value):
                errors.append(_violation(value, shown, prefix + name, text, shape_name))
        if element_check is not None:
            inner = f"{prefix}{name}."
            for index, item in enumerate(value, 1):
                if item is not None:
                    element_check(item, inner, f"{index}.member", errors)

    return check_list


def _on_keys(every: Predicate) -> Predicate:
    def holds(value: Any) -> bool:
        return every(value.keys())

    return holds


def _on_values(every: Predicate) -> Predicate:
    def holds(value: Any) -> bool:
        return every(value.values())

    return holds


def _map_check(shape_name: str) -> Check | None:
    shape = SHAPES[shape_name]
    rules = _length_rules(shape)
    key_rule = _elements_rule(shape["key"]["shape"])
    if key_rule is not None:
        rules.append((_on_keys(key_rule[0]), key_rule[1].replace("Member", "Map keys", 1)))
    value_name = shape["value"]["shape"]
    value_check: Check | None = None
    if SHAPES[value_name]["type"] in ("structure", "list", "map"):
        value_check = check_for(value_name)
    else:
        value_rule = _elements_rule(value_name)
        if value_rule is not None:
            text = value_rule[1].replace("Member", "Map value", 1)
            rules.append((_on_values(value_rule[0]), text))
    if not rules and value_check is None:
        return None
    shown = _shown(shape_name)

    def check_map(value: Any, prefix: str, name: str, errors: list[str]) -> None:
        for holds, text in rules:
            if not holds(value):
                errors.append(_violation(value, shown, prefix + name, text, shape_name))
        if value_check is not None:
            inner = f"{prefix}{name}."
            for key, item in value.items():
                value_check(item, inner, key, errors)

    return check_map


_CHECKS: dict[str, Check | None] = {}


def check_for(shape_name: str) -> Check | None:
    """The constraint checker of a shape, or None when nothing in it can be violated."""
    if shape_name not in _CHECKS:
        kind = SHAPES[shape_name]["type"]
        if kind == "structure":
            check = _structure_check(shape_name)
        elif kind == "list":
            check = _list_check(shape_name)
        elif kind == "map":
            check = _map_check(shape_name)
        else:
            check = _scalar_check(shape_name, _shown(shape_name))
        _CHECKS[shape_name] = check
    return _CHECKS[shape_name]


def violations(shape_name: str, value: dict[str, Any]) -> list[str]:
    """AWS's texts for every constraint ``value`` (a deserialized structure) breaks, at most 10."""
    check = check_for(shape_name)
    if check is None:
        return []
    errors: list[str] = []
    check(value, "", "", errors)
    return errors[:MAX_REPORTED]
