"""Pass 4: every expression of the definition must compile, with the compilers the engine uses
(``paths``, ``intrinsics``, ``choice``, ``jsonata``), so that a definition that validates also parses.

JSONPath states (``SCHEMA_VALIDATION_FAILED``, AWS's words where recorded):

* ``InputPath``/``OutputPath``/``ItemsPath``: a path ("The value for the field 'InputPath' must be a
  valid JSONPath"); ``ResultPath``: a reference path from ``$`` ("Value is not a Reference Path");
  every ``...Path`` field naming a number or a timestamp: a definite path from ``$``, ``$$`` or a
  variable (AWS accepted ``"SecondsPath": "$waitTime"``), without ``$$`` for the Map ones;
* ``ErrorPath``/``CausePath`` and every payload-template key ending in ``.$`` (Parameters,
  ResultSelector, ItemSelector, Assign, Credentials, catcher and choice-rule Assign): a path or an
  intrinsic ("The value for the field 'Key.$' must be a valid JSONPath or a valid intrinsic function
  call");
* every Choice rule: ``choice.compile_choice_rule``.

JSONata states: every ``{% ... %}`` string must compile (``INVALID_JSONATA_EXPRESSION`` with the
parser's message, its ``S0xxx:`` code dropped, at the top-level field holding it). Measured against
AWS (floci-io/floci): ``$$`` is ``UNSUPPORTED_JSONATA_EXPRESSION`` "Reference to '$$' is not
supported.", and ``$states.errorOutput`` outside a catcher's ``Output``/``Assign`` is "Field
'$states.errorOutput' does not exist.". ``$states.result`` exists only in the states that produce a
result (Task, Parallel, Map: "result = task/Parallel/Map result", reference §3.2), so a Pass, Choice,
Wait, Succeed or Fail state naming it gets "Field '$states.result' does not exist." — the same code
and words as the measured errorOutput case; the text for result itself is a guess by analogy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from stepwell.asl.jsonata import InvalidJsonata, compile_jsonata
from stepwell.asl.validate.walk import Site, child, error, is_jsonata_string, item, schema_error, sites
from stepwell.errors import Diagnostic

INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"

_PATH_FIELDS = ("InputPath", "OutputPath", "ItemsPath")
# Fields naming one value (a number, a timestamp): a definite path from $, $$ or a variable. The Map
# ones may not read the context object (floci-io/floci#3733, measured against AWS).
_VALUE_PATH_FIELDS = ("TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath")
_MAP_VALUE_PATH_FIELDS = ("MaxConcurrencyPath", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath")
_PATH_OR_INTRINSIC_FIELDS = ("ErrorPath", "CausePath")
_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")
# Fields of a JSONata state whose strings are not expressions (names, transitions, nested programs).
_NOT_EXPRESSIONS = frozenset(
    {
        "Type",
        "Comment",
        "QueryLanguage",
        "Next",
        "End",
        "Default",
        "Resource",
        "Branches",
        "ItemProcessor",
        "Iterator",
        "Retry",
        "Catch",
        "Choices",
        "Label",
    }
)
# States whose JSONata may read $states.result (in Output/Assign, after the result exists).
_RESULT_STATES = frozenset({"Task", "Parallel", "Map"})
_STATES_RESULT = re.compile(r"\$states\s*\.\s*result\b")
_STATES_ERROR_OUTPUT = re.compile(r"\$states\s*\.\s*errorOutput\b")
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", re.DOTALL)
_CODE_PREFIX = re.compile(r"^[A-Z]\d{4}: ")


def check_expressions(definition: Mapping[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for site in sites(definition):
        if site.is_jsonata:
            _check_jsonata_state(site, out)
        else:
            _check_jsonpath_state(site, out)
    return out


# --- JSONPath ------------------------------------------------------------------------------------


def _path_compiles(text: Any, reference: bool = False) -> bool:
    from stepwell.asl.paths import InvalidPath, compile_path, compile_reference_path

    if not isinstance(text, str):
        return False
    try:
        (compile_reference_path if reference else compile_path)(text)
    except (InvalidPath, ValueError):
        return False
    return True


def _value_path_compiles(text: Any, context_allowed: bool) -> bool:
    from stepwell.asl.paths import InvalidPath, parse_path

    if not isinstance(text, str):
        return False
    try:
        parsed = parse_path(text)
    except (InvalidPath, ValueError):
        return False
    return parsed.is_definite and parsed.function is None and (context_allowed or parsed.root != "$$")


def _path_or_intrinsic_compiles(text: Any) -> bool:
    from stepwell.asl.intrinsics import InvalidIntrinsic, compile_intrinsic, is_intrinsic

    if not isinstance(text, str):
        return False
    if not is_intrinsic(text):
        return _path_compiles(text)
    try:
        compile_intrinsic(text)
    except (InvalidIntrinsic, ValueError):
        return False
    return True


def _check_jsonpath_state(site: Site, out: list[Diagnostic]) -> None:
    body, pointer = site.body, site.pointer
    for field in _PATH_FIELDS:
        value = body.get(field)
        if isinstance(value, str) and not _path_compiles(value):
            out.append(
                schema_error(
                    f"The value for the field '{field}' must be a valid JSONPath", child(pointer, field)
                )
            )
    result_path = body.get("ResultPath")
    if isinstance(result_path, str) and not _path_compiles(result_path, reference=True):
        out.append(schema_error("Value is not a Reference Path", child(pointer, "ResultPath")))
    for fields, context_allowed in ((_VALUE_PATH_FIELDS, True), (_MAP_VALUE_PATH_FIELDS, False)):
        for field in fields:
            value = body.get(field)
            if isinstance(value, str) and not _value_path_compiles(value, context_allowed):
                out.append(schema_error("Value is not a Reference Path", child(pointer, field)))
    for field in _PATH_OR_INTRINSIC_FIELDS:
        value = body.get(field)
        if isinstance(value, str) and not _path_or_intrinsic_compiles(value):
            out.append(schema_error(_bad_dynamic_value(field), child(pointer, field)))
    for field in _TEMPLATE_FIELDS:
        if isinstance(body.get(field), Mapping | list):
            _check_template(body[field], child(pointer, field), out)
    for index, catcher in _entries(body, "Catch"):
        where = item(child(pointer, "Catch"), index)
        result_path = catcher.get("ResultPath")
        if isinstance(result_path, str) and not _path_compiles(result_path, reference=True):
            out.append(schema_error("Value is not a Reference Path", child(where, "ResultPath")))
        if isinstance(catcher.get("Assign"), Mapping):
            _check_template(catcher["Assign"], child(where, "Assign"), out)
    if site.type == "Choice":
        _check_choice_rules(site, out)


def _bad_dynamic_value(field: str) -> str:
    return f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"


def _check_template(template: Any, pointer: str, out: list[Diagnostic]) -> None:
    """Keys ending in ``.$`` hold a path or an intrinsic; recursion through objects and arrays."""
    if isinstance(template, Mapping):
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                if not _path_or_intrinsic_compiles(value):
                    out.append(schema_error(_bad_dynamic_value(key), child(pointer, key)))
            else:
                _check_template(value, child(pointer, key), out)
    elif isinstance(template, list):
        for index, value in enumerate(template):
            _check_template(value, item(pointer, index), out)


def _check_choice_rules(site: Site, out: list[Diagnostic]) -> None:
    from stepwell.asl.choice import InvalidChoiceRule, compile_choice_rule

    for index, rule in _entries(site.body, "Choices"):
        where = item(child(site.pointer, "Choices"), index)
        try:
            compile_choice_rule(rule)
        except (InvalidChoiceRule, ValueError) as bad:
            out.append(schema_error(str(bad), where))
        if isinstance(rule.get("Assign"), Mapping):
            _check_template(rule["Assign"], child(where, "Assign"), out)


def _entries(body: Mapping[str, Any], field: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    entries = body.get(field)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, Mapping):
                yield index, entry


# --- JSONata -------------------------------------------------------------------------------------


def _check_jsonata_state(site: Site, out: list[Diagnostic]) -> None:
    body, pointer = site.body, site.pointer
    has_result = site.type in _RESULT_STATES
    for field, value in body.items():
        if field not in _NOT_EXPRESSIONS:
            _check_jsonata_value(value, child(pointer, field), False, has_result, out)
    for index, catcher in _entries(body, "Catch"):
        where = item(child(pointer, "Catch"), index)
        for field in ("Output", "Assign"):
            if field in catcher:
                _check_jsonata_value(catcher[field], child(where, field), True, has_result, out)
    for index, rule in _entries(body, "Choices"):
        where = item(child(pointer, "Choices"), index)
        for field in ("Condition", "Output", "Assign"):
            if field in rule:
                _check_jsonata_value(rule[field], child(where, field), False, has_result, out)


def _check_jsonata_value(
    value: Any, pointer: str, in_catcher: bool, has_result: bool, out: list[Diagnostic]
) -> None:
    """Every expression inside ``value``; diagnostics are located at ``pointer`` (the field)."""
    for text in _expressions(value):
        problem = _jsonata_problem(text[2:-2], in_catcher, has_result)
        if problem is not None:
            out.append(error(problem[0], problem[1], pointer))


def _expressions(value: Any) -> Iterator[str]:
    if is_jsonata_string(value):
        yield value
    elif isinstance(value, Mapping):
        for nested in value.values():
            yield from _expressions(nested)
    elif isinstance(value, list):
        for nested in value:
            yield from _expressions(nested)


def _jsonata_problem(expression: str, in_catcher: bool, has_result: bool) -> tuple[str, str] | None:
    code = _STRING_LITERAL.sub("''", expression)
    if "$$" in code:
        return UNSUPPORTED_JSONATA_EXPRESSION, "Reference to '$$' is not supported."
    if not in_catcher and _STATES_ERROR_OUTPUT.search(code):
        return UNSUPPORTED_JSONATA_EXPRESSION, "Field '$states.errorOutput' does not exist."
    if not has_result and _STATES_RESULT.search(code):
        return UNSUPPORTED_JSONATA_EXPRESSION, "Field '$states.result' does not exist."
    message = _jsonata_parse_error(expression)
    if message is None:
        return None
    return INVALID_JSONATA_EXPRESSION, _CODE_PREFIX.sub("", message)


def _jsonata_parse_error(expression: str) -> str | None:
    """The parse error of a JSONata expression, or None when it compiles."""
    try:
        compile_jsonata("{%" + expression + "%}")
    except InvalidJsonata as bad:
        return str(bad.message)
    return None
