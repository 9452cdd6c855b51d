"""Pass 4 (part 2): workflow variable names and scopes, the rules AWS's documentation sets for
``Assign`` ("Passing data between states with variables"; reference §3.3):

* a name is an identifier: "cannot assign sub-paths (``x.y``, ``x[2]``)"; the first character must
  start an identifier and the others continue it (Unicode identifier rules, which Python's
  ``str.isidentifier`` implements);
* a name is at most 80 characters ("name ≤80 chars");
* scopes: the top level is the outer scope, each Parallel branch and each Map processor an inner one;
  "inner can read outer, cannot assign to outer names; no shadowing". A Parallel's or Map's own
  ``Assign`` and its catchers' ``Assign`` belong to the scope the state sits in. A Distributed Map's
  processor "cannot read outer" variables at all (it is a child execution), so it is not held to the
  no-shadowing rule (when unsure, accept).

Every name is checked in each place it is assigned: a state's ``Assign``, a Choice rule's ``Assign``
and a catcher's ``Assign``. In JSONPath a key ``name.$`` assigns ``name``.

AWS's diagnostics for these three rules are not recorded anywhere we could find, so the code and the
words below are guesses in AWS's style (``SCHEMA_VALIDATION_FAILED``, located at the Assign key, as
"Invalid State name: ..." and "Duplicate State name: ..." are worded for states).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stepwell.asl.validate.walk import (
    JSONATA,
    Program,
    child,
    field_or_absent,
    item,
    machine_query_language,
    resolve_query_language,
    schema_error,
)
from stepwell.errors import Diagnostic

VARIABLE_NAME_LIMIT = 80

# Guessed texts (see the module docstring).
TOO_LONG = "Invalid Variable name: Variable exceeds the 80-character limit allowed by the service"


def invalid_name(name: str) -> str:
    return f"Invalid Variable name: {name}"


def shadowed(name: str) -> str:
    return f"Variable '{name}' is already assigned in an outer scope and cannot be assigned in an inner scope"


def check_variables(definition: Mapping[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    machine_ql = machine_query_language(definition)
    _check_program(Program("", definition, True), frozenset(), machine_ql, out)
    return out


def _check_program(program: Program, outer: frozenset[str], machine_ql: str, out: list[Diagnostic]) -> None:
    """Check every assignment of one program, then its nested programs with this scope added."""
    here: set[str] = set()
    nested: list[tuple[Program, bool]] = []
    for pointer, name in _assignments(program, machine_ql):
        if len(name) > VARIABLE_NAME_LIMIT:
            out.append(schema_error(TOO_LONG, pointer))
        elif not name.isidentifier():
            out.append(schema_error(invalid_name(name), pointer))
        elif name in outer:
            out.append(schema_error(shadowed(name), pointer))
        here.add(name)
    for name, body in program.states.items():
        if isinstance(body, Mapping):
            nested.extend(_nested(child(child(program.pointer, "States"), name), body))
    scope = outer | here
    for inner, isolated in nested:
        _check_program(inner, frozenset() if isolated else scope, machine_ql, out)


def _nested(state_pointer: str, body: Mapping[str, Any]) -> Iterator[tuple[Program, bool]]:
    """The programs inside one state, each with whether it is cut off from the outer scope."""
    kind = body.get("Type")
    if kind == "Parallel" and isinstance(body.get("Branches"), list):
        for index, branch in enumerate(body["Branches"]):
            if isinstance(branch, Mapping):
                yield Program(item(child(state_pointer, "Branches"), index), branch, False), False
    elif kind == "Map":
        for field in ("ItemProcessor", "Iterator"):
            processor = body.get(field)
            if isinstance(processor, Mapping):
                config = processor.get("ProcessorConfig")
                distributed = isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"
                yield Program(child(state_pointer, field), processor, False), distributed


def _assignments(program: Program, machine_ql: str) -> Iterator[tuple[str, str]]:
    """(pointer of the key, variable name) for every variable the program's states assign."""
    for name, body in program.states.items():
        if not isinstance(body, Mapping):
            continue
        jsonata = resolve_query_language(field_or_absent(body, "QueryLanguage"), machine_ql) == JSONATA
        pointer = child(child(program.pointer, "States"), name)
        yield from _keys(body.get("Assign"), child(pointer, "Assign"), jsonata)
        for field in ("Choices", "Catch"):
            entries = body.get(field)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if isinstance(entry, Mapping):
                    where = child(item(child(pointer, field), index), "Assign")
                    yield from _keys(entry.get("Assign"), where, jsonata)


def _keys(assign: Any, pointer: str, jsonata: bool) -> Iterator[tuple[str, str]]:
    if not isinstance(assign, Mapping):
        return
    for key in assign:
        if not isinstance(key, str):
            continue
        name = key[:-2] if not jsonata and key.endswith(".$") else key
        yield child(pointer, key), name
