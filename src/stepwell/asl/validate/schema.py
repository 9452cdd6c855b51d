"""Pass 2 (part 1): the shape every object of a definition must have — top level, programs, and the
fields every state shares — with AWS's ``SCHEMA_VALIDATION_FAILED`` words:

* ``These fields are required: [States, StartAt]`` at the object missing them;
* ``Field 'X' is not supported`` at the object holding the unknown field;
* ``Expected value of type [STRING]`` at the field of the wrong JSON type;
* ``Value should be one of the following: [JSONPath, JSONata]`` at a field outside its enum;
* ``The field 'Type' should have one of these values: [Task, ...]`` at ``.../Type``;
* ``There should only be one of the following fields: [Next, End]`` /
  ``This object should have only one of the following fields: [Next, End]`` at the state;
* ``The QueryLanguage is set to 'JSONata', but field 'X' is only supported for the 'JSONPath'
  QueryLanguage`` (and the reverse) at the state, and ``'QueryLanguage' can not be 'JSONPath' if set
  to 'JSONata' for whole state machine`` at the state, which then gets no field-language check
  (measured by floci-io/floci#2968).

The checks of each state type live in ``validate_states`` and ``validate_map``; Retry/Catch in
``validate_errors``; Choice rules in ``validate_choice``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stepwell.asl.validate import tables as t
from stepwell.asl.validate.walk import (
    JSONATA,
    JSONPATH,
    Program,
    Site,
    child,
    is_integer,
    is_jsonata_string,
    is_number,
    programs,
    root_or,
    schema_error,
    sites,
)
from stepwell.errors import Diagnostic

Diagnostics = list[Diagnostic]


def expected_type(kind: str) -> str:
    return f"Expected value of type [{kind}]"


def one_of(values: tuple[str, ...]) -> str:
    return f"Value should be one of the following: [{', '.join(values)}]"


def not_supported(field: str) -> str:
    return f"Field '{field}' is not supported"


def required(fields: list[str] | tuple[str, ...]) -> str:
    return f"These fields are required: [{', '.join(fields)}]"


def only_one(fields: tuple[str, ...]) -> str:
    return f"There should only be one of the following fields: [{', '.join(fields)}]"


def exactly_one(fields: tuple[str, ...]) -> str:
    return f"This object should have only one of the following fields: [{', '.join(fields)}]"


def check_unknown_fields(
    obj: Mapping[str, Any], allowed: frozenset[str], pointer: str, out: Diagnostics
) -> None:
    for field in obj:
        if field not in allowed:
            out.append(schema_error(not_supported(field), root_or(pointer)))


def check_enum(
    obj: Mapping[str, Any], field: str, values: tuple[str, ...], pointer: str, out: Diagnostics
) -> None:
    if field not in obj:
        return
    value = obj[field]
    where = child(pointer, field)
    if not isinstance(value, str):
        out.append(schema_error(expected_type("STRING"), where))
    elif value not in values:
        out.append(schema_error(one_of(values), where))


# --- JSON kinds of fields ----------------------------------------------------------------------

Kind = Callable[[Any, bool], bool]  # (value, state is JSONata) -> acceptable


def _string(value: Any, jsonata: bool) -> bool:
    return isinstance(value, str)


def _string_or_null(value: Any, jsonata: bool) -> bool:
    return value is None or isinstance(value, str)


def _boolean(value: Any, jsonata: bool) -> bool:
    return isinstance(value, bool)


def _object(value: Any, jsonata: bool) -> bool:
    return isinstance(value, Mapping)


def _object_or_expression(value: Any, jsonata: bool) -> bool:
    return isinstance(value, Mapping) or (jsonata and is_jsonata_string(value))


def _array(value: Any, jsonata: bool) -> bool:
    return isinstance(value, list)


def _integer_or_expression(value: Any, jsonata: bool) -> bool:
    return is_integer(value) or (jsonata and is_jsonata_string(value))


def _number_or_expression(value: Any, jsonata: bool) -> bool:
    return is_number(value) or (jsonata and is_jsonata_string(value))


def _items(value: Any, jsonata: bool) -> bool:
    return isinstance(value, list | Mapping) or is_jsonata_string(value)


_KIND_NAMES: dict[Kind, str] = {
    _string: "STRING",
    _string_or_null: "STRING",
    _boolean: "BOOLEAN",
    _object: "OBJECT",
    _object_or_expression: "OBJECT",
    _array: "ARRAY",
    _integer_or_expression: "INTEGER",
    _number_or_expression: "NUMBER",
    _items: "ARRAY",
}

# ASL: "If the value of InputPath is null, that means that the raw input is discarded, and the
# effective input for the state is an empty JSON object, {}" (OutputPath likewise; ResultPath null
# discards the result), so these three take null as well as a string.
_NULLABLE_PATHS = frozenset({"InputPath", "OutputPath", "ResultPath"})

STATE_FIELD_KINDS: dict[str, Kind] = {
    "Comment": _string,
    "Next": _string,
    "End": _boolean,
    "Default": _string,
    "Resource": _string,
    "InputPath": _string_or_null,
    "OutputPath": _string_or_null,
    "ResultPath": _string_or_null,
    "Parameters": _object,
    "ResultSelector": _object,
    "ItemSelector": _object_or_expression,
    "Assign": _object,
    "Credentials": _object,
    "Arguments": _object_or_expression,
    "Retry": _array,
    "Catch": _array,
    "Choices": _array,
    "Branches": _array,
    "TimeoutSeconds": _integer_or_expression,
    "HeartbeatSeconds": _integer_or_expression,
    "Seconds": _integer_or_expression,
    "MaxConcurrency": _integer_or_expression,
    "ToleratedFailureCount": _integer_or_expression,
    "ToleratedFailurePercentage": _number_or_expression,
    "Timestamp": _string,
    "Error": _string,
    "Cause": _string,
    "Items": _items,
    "ItemProcessor": _object,
    "Iterator": _object,
    "ItemReader": _object,
    "ItemBatcher": _object,
    "ResultWriter": _object,
    "Label": _string,
    **{path: _string for path in t.JSONPATH_ONLY if path.endswith("Path") and path not in _NULLABLE_PATHS},
}


def check_kinds(
    obj: Mapping[str, Any], kinds: Mapping[str, Kind], pointer: str, jsonata: bool, out: Diagnostics
) -> set[str]:
    """Report fields of the wrong JSON type; returns the names of those fields."""
    wrong: set[str] = set()
    for field, value in obj.items():
        kind = kinds.get(field)
        if kind is not None and not kind(value, jsonata):
            wrong.add(field)
            out.append(schema_error(expected_type(_KIND_NAMES[kind]), child(pointer, field)))
    return wrong


# --- the definition, its programs, its states ---------------------------------------------------


def check_schema(
    definition: Mapping[str, Any], state_checks: Mapping[str, Callable[[Site, Diagnostics], None]]
) -> Diagnostics:
    out: Diagnostics = []
    _check_top_level(definition, out)
    for program in programs(definition):
        _check_program(program, out)
    for site in sites(definition):
        if check_state_common(site, out):
            state_checks[site.body["Type"]](site, out)
    return out


def _check_top_level(definition: Mapping[str, Any], out: Diagnostics) -> None:
    check_unknown_fields(definition, t.TOP_LEVEL_FIELDS, "", out)
    check_enum(definition, "QueryLanguage", t.QUERY_LANGUAGES, "", out)
    check_enum(definition, "Version", t.VERSIONS, "", out)
    if "Comment" in definition and not isinstance(definition["Comment"], str):
        out.append(schema_error(expected_type("STRING"), "/Comment"))
    timeout = definition.get("TimeoutSeconds")
    if "TimeoutSeconds" in definition and not is_integer(timeout):
        out.append(schema_error(expected_type("INTEGER"), "/TimeoutSeconds"))
    elif is_integer(timeout) and timeout < 0:
        out.append(schema_error("Minimum value is 0", "/TimeoutSeconds"))


def _check_program(program: Program, out: Diagnostics) -> None:
    raw = program.raw
    if not program.top_level:
        allowed = t.BRANCH_FIELDS if program.pointer.endswith("]") else t.PROCESSOR_FIELDS
        check_unknown_fields(raw, allowed, program.pointer, out)
    missing = [field for field in t.PROGRAM_REQUIRED if field not in raw]
    if missing:
        out.append(schema_error(required(missing), root_or(program.pointer)))
    if "StartAt" in raw and not isinstance(raw["StartAt"], str):
        out.append(schema_error(expected_type("STRING"), child(program.pointer, "StartAt")))
    states = raw.get("States")
    if "States" in raw and not isinstance(states, Mapping):
        out.append(schema_error(expected_type("OBJECT"), child(program.pointer, "States")))
    elif isinstance(states, Mapping):
        for name, body in states.items():
            if not isinstance(body, Mapping):
                out.append(
                    schema_error(expected_type("OBJECT"), child(child(program.pointer, "States"), name))
                )


def check_state_common(site: Site, out: Diagnostics) -> bool:
    """The checks every state gets; returns whether its Type is known (so type checks may run)."""
    body, pointer = site.body, site.pointer
    if "Type" not in body:
        out.append(schema_error(required(["Type"]), pointer))
        return False
    kind = body["Type"]
    if not isinstance(kind, str):
        out.append(schema_error(expected_type("STRING"), child(pointer, "Type")))
        return False
    if kind not in t.STATE_TYPES:
        values = ", ".join(t.STATE_TYPES)
        out.append(
            schema_error(
                f"The field 'Type' should have one of these values: [{values}]", child(pointer, "Type")
            )
        )
        return False
    allowed = t.STATE_FIELDS[kind]
    check_unknown_fields(body, allowed | t.COMMON_STATE_FIELDS, pointer, out)
    missing = [field for field in t.STATE_REQUIRED.get(kind, ()) if field not in body]
    if missing:
        out.append(schema_error(required(missing), pointer))
    _check_query_language(site, allowed, out)
    if kind in t.TRANSITIONING_TYPES:
        _check_next_or_end(body, pointer, out)
    for first, second in t.EXCLUSIVE_PAIRS.get(kind, ()):
        if first in body and second in body:
            out.append(schema_error(only_one((first, second)), child(pointer, first)))
    kinds = {field: kind for field, kind in STATE_FIELD_KINDS.items() if field in allowed}
    check_kinds(body, kinds, pointer, site.is_jsonata, out)
    return True


def _check_query_language(site: Site, allowed: frozenset[str], out: Diagnostics) -> None:
    body, pointer = site.body, site.pointer
    check_enum(body, "QueryLanguage", t.QUERY_LANGUAGES, pointer, out)
    if body.get("QueryLanguage") == JSONPATH and site.machine_query_language == JSONATA:
        message = "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
        out.append(schema_error(message, pointer))
        return
    for field in other_language_fields(body, site.query_language, allowed):
        out.append(schema_error(language_mismatch(site.query_language, field), pointer))


def other_language_fields(
    obj: Mapping[str, Any], language: str, allowed: frozenset[str] | None = None
) -> list[str]:
    """Fields of ``obj`` that belong to the other query language, in table order."""
    foreign = t.JSONPATH_ONLY if language == JSONATA else t.JSONATA_ONLY
    return [field for field in foreign if field in obj and (allowed is None or field in allowed)]


def language_mismatch(language: str, field: str) -> str:
    other = JSONPATH if language == JSONATA else JSONATA
    return (
        f"The QueryLanguage is set to '{language}', but field '{field}' is only supported "
        f"for the '{other}' QueryLanguage"
    )


def _check_next_or_end(body: Mapping[str, Any], pointer: str, out: Diagnostics) -> None:
    has_next = "Next" in body
    ends = body.get("End") is True
    if has_next and ends:
        out.append(schema_error(only_one(("Next", "End")), pointer))
    elif not has_next and not ends:
        out.append(schema_error(exactly_one(("Next", "End")), pointer))


def check_range(
    obj: Mapping[str, Any], field: str, low: float | None, high: float | None, pointer: str, out: Diagnostics
) -> None:
    """Bounds of a literal number field (absent, wrong-typed and JSONata values are left alone)."""
    value = obj.get(field)
    if not is_number(value):
        return
    integral = isinstance(low if low is not None else high, int)
    where = child(pointer, field)
    if low is not None and value < low:
        out.append(schema_error(f"Minimum value is {_bound(low, integral)}", where))
    elif high is not None and value > high:
        out.append(schema_error(f"Maximum value is {_bound(high, integral)}", where))


def _bound(value: float, integral: bool) -> str:
    return str(int(value)) if integral else str(float(value))
