"""What every validation pass shares: JSON pointers, diagnostics, query-language resolution, and a
walk over every state of a definition, nested ones included.

A definition is a tree of *programs* (``{StartAt, States}`` containers): the top level, every
Parallel branch and every Map ``ItemProcessor``/``Iterator``. The walk yields each program and each
state with the JSON pointer AWS reports for it. AWS writes array positions as ``[i]`` after the
field name and does not escape state names, e.g. ``/States/P/Branches[0]/States/a/b`` (measured
against AWS by floci-io/floci's validation tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from stepwell.errors import Diagnostic

JSONPATH = "JSONPath"
JSONATA = "JSONata"

SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"


def error(code: str, message: str, location: str | None) -> Diagnostic:
    return Diagnostic(severity="ERROR", code=code, message=message, location=location)


def schema_error(message: str, location: str | None) -> Diagnostic:
    return error(SCHEMA_VALIDATION_FAILED, message, location)


def child(pointer: str, field: str) -> str:
    """The pointer of ``field`` inside the object at ``pointer`` ("" is the root)."""
    return f"{pointer}/{field}"


def item(pointer: str, index: int) -> str:
    """The pointer of element ``index`` of the array at ``pointer``: AWS writes ``Field[i]``."""
    return f"{pointer}[{index}]"


def root_or(pointer: str) -> str:
    """AWS reports the root object itself as ``/``."""
    return pointer or "/"


def resolve_query_language(value: Any, inherited: str) -> str:
    """The effective language for a ``QueryLanguage`` field holding ``value``.

    Measured against AWS (floci-io/floci#2968): only the exact string ``JSONPath`` means JSONPath;
    any other present value (another case, an unknown word, a number) makes the state JSONata, while
    the value itself is reported separately against the enum. Absent, the language is inherited.
    """
    if value is _ABSENT:
        return inherited
    return JSONPATH if value == JSONPATH else JSONATA


_ABSENT: Any = object()


def field_or_absent(obj: Mapping[str, Any], field: str) -> Any:
    return obj.get(field, _ABSENT)


def is_jsonata_string(value: Any) -> bool:
    """A JSONata expression is a whole string ``{% ... %}`` (no surrounding spaces)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


# RFC 3339 as ASL uses it: uppercase T and Z (or a numeric offset), optional fraction of a second.
_RFC3339 = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
)


def is_rfc3339(text: str) -> bool:
    return _RFC3339.fullmatch(text) is not None


def is_integer(value: Any) -> TypeGuard[int | float]:
    """A JSON integer (``true``/``false`` are not numbers; ``5.0`` is accepted as 5)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Program:
    """A ``{StartAt, States}`` container and where it sits."""

    pointer: str  # "" for the top level, "/States/P/Branches[0]", "/States/M/ItemProcessor"
    raw: Mapping[str, Any]
    top_level: bool

    @property
    def states(self) -> Mapping[str, Any]:
        states = self.raw.get("States")
        return states if isinstance(states, Mapping) else {}


@dataclass(frozen=True, slots=True)
class Site:
    """One state: its name, body, pointer, the program it belongs to and its effective language."""

    name: str
    body: Mapping[str, Any]
    pointer: str  # "/States/X", "/States/P/Branches[0]/States/Y"
    program: Program
    query_language: str  # effective: JSONPath | JSONata
    machine_query_language: str

    @property
    def type(self) -> Any:
        return self.body.get("Type")

    @property
    def is_jsonata(self) -> bool:
        return self.query_language == JSONATA


def machine_query_language(definition: Mapping[str, Any]) -> str:
    return resolve_query_language(field_or_absent(definition, "QueryLanguage"), JSONPATH)


def programs(definition: Mapping[str, Any]) -> Iterator[Program]:
    """Every program of the definition, outermost first, in document order."""
    yield from _programs(Program("", definition, True))


def _programs(program: Program) -> Iterator[Program]:
    yield program
    for name, body in program.states.items():
        if isinstance(body, Mapping):
            for nested in nested_programs(child(child(program.pointer, "States"), name), body):
                yield from _programs(nested)


def nested_programs(state_pointer: str, body: Mapping[str, Any]) -> Iterator[Program]:
    """The programs directly inside one state: Parallel branches, the Map processor."""
    kind = body.get("Type")
    if kind == "Parallel":
        branches = body.get("Branches")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                if isinstance(branch, Mapping):
                    yield Program(item(child(state_pointer, "Branches"), index), branch, False)
    elif kind == "Map":
        for field in ("ItemProcessor", "Iterator"):
            processor = body.get(field)
            if isinstance(processor, Mapping):
                yield Program(child(state_pointer, field), processor, False)


def sites(definition: Mapping[str, Any]) -> Iterator[Site]:
    """Every state of the definition with its effective query language.

    A state's language is its own ``QueryLanguage`` or else the *machine's*: measured against AWS
    (floci-io/floci#2968), a Map's or Parallel's own ``QueryLanguage`` does not reach the states
    inside it.
    """
    machine_ql = machine_query_language(definition)
    for program in programs(definition):
        for name, body in program.states.items():
            if not isinstance(body, Mapping):
                continue
            ql = resolve_query_language(field_or_absent(body, "QueryLanguage"), machine_ql)
            pointer = child(child(program.pointer, "States"), name)
            yield Site(name, body, pointer, program, ql, machine_ql)
