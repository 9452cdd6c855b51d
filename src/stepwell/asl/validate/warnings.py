"""ValidateStateMachineDefinition's warnings: what is valid but probably not what was meant.

The model's three warning codes (ValidateStateMachineDefinitionDiagnostic): "NO_DOLLAR: No .$ on a
field that appears to be a JSONPath or Intrinsic Function"; "NO_PATH: Field value looks like a path,
but field name does not end with 'Path'"; "PASS_RESULT_IS_STATIC: Attempt to use a path in the
result of a pass state". AWS's own wording of each diagnostic is not recorded anywhere we know of
("do not rely on the exact order, count, or wording of diagnostic messages"): these messages say
the same in our words. Only JSONPath states are checked: JSONata has neither ``.$`` nor ``...Path``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from stepwell.asl.validate.choice import OPERATORS
from stepwell.asl.validate.walk import child, item, sites
from stepwell.errors import Diagnostic

# "$.a", "$$.Execution", "$var", "$[0]" and the intrinsic functions "States.X(...)"
_LOOKS_LIKE_A_PATH = re.compile(r"\$\$?[.\[].*|\$[A-Za-z_][A-Za-z0-9_]*(?:[.\[].*)?", re.DOTALL)
_INTRINSIC = re.compile(r"States\.[A-Za-z0-9]+\(.*\)", re.DOTALL)
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Arguments")
# Plain text fields whose value could have been meant as their ...Path sibling's path (a Fail
# state's); the other fields with a ...Path twin take numbers or timestamps, which a path is not.
_PATH_TWINS = ("Error", "Cause")


def warning(code: str, message: str, location: str) -> Diagnostic:
    return Diagnostic(severity="WARNING", code=code, message=message, location=location)


def check_warnings(definition: Mapping[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for site in sites(definition):
        if site.is_jsonata:
            continue
        body = site.body
        for field in _TEMPLATES:
            out += _no_dollar(body.get(field), child(site.pointer, field))
        if site.type == "Pass" and "Result" in body:
            out += _static_result(body["Result"], child(site.pointer, "Result"))
        for field in _PATH_TWINS:
            if _looks_like_a_path(body.get(field)):
                out.append(_no_path(field, child(site.pointer, field)))
        if site.type == "Choice" and isinstance(body.get("Choices"), list):
            for index, rule in enumerate(body["Choices"]):
                out += _rule_paths(rule, item(child(site.pointer, "Choices"), index))
    return out


def _looks_like_a_path(value: Any) -> bool:
    return isinstance(value, str) and (
        _LOOKS_LIKE_A_PATH.fullmatch(value) is not None or _INTRINSIC.fullmatch(value) is not None
    )


def _no_dollar(template: Any, pointer: str) -> Iterator[Diagnostic]:
    """A payload template's field whose value looks like a path or an intrinsic function, but whose
    name does not end in '.$': the value is taken as the text it is."""
    if isinstance(template, Mapping):
        for key, value in template.items():
            here = child(pointer, str(key))
            if not str(key).endswith(".$") and _looks_like_a_path(value):
                yield warning(
                    "NO_DOLLAR",
                    f"The field '{key}' holds a JSONPath or an intrinsic function, but its name does not "
                    "end in '.$': its value is used as the text it is.",
                    here,
                )
            yield from _no_dollar(value, here)
    elif isinstance(template, list):
        for index, value in enumerate(template):
            yield from _no_dollar(value, item(pointer, index))


def _static_result(result: Any, pointer: str) -> Iterator[Diagnostic]:
    """A Pass state's Result is never evaluated: a '.$' field in it stays as written."""
    if isinstance(result, Mapping):
        for key, value in result.items():
            here = child(pointer, str(key))
            if str(key).endswith(".$"):
                yield warning(
                    "PASS_RESULT_IS_STATIC",
                    f"The Result of a Pass state is not evaluated: the path in '{key}' is kept as written "
                    "(use Parameters to select from the input).",
                    here,
                )
            yield from _static_result(value, here)
    elif isinstance(result, list):
        for index, value in enumerate(result):
            yield from _static_result(value, item(pointer, index))


def _rule_paths(rule: Any, pointer: str) -> Iterator[Diagnostic]:
    """A Choice rule comparing with a value that looks like a path: its ...Path form compares with
    the value at that path."""
    if not isinstance(rule, Mapping):
        return
    for name, value in rule.items():
        if name in OPERATORS and not name.endswith("Path") and _looks_like_a_path(value):
            yield _no_path(name, child(pointer, name))
    for nested in ("And", "Or"):
        if isinstance(rule.get(nested), list):
            for index, inner in enumerate(rule[nested]):
                yield from _rule_paths(inner, item(child(pointer, nested), index))
    if isinstance(rule.get("Not"), Mapping):
        yield from _rule_paths(rule["Not"], child(pointer, "Not"))


def _no_path(field: str, pointer: str) -> Diagnostic:
    return warning(
        "NO_PATH",
        f"The value of '{field}' looks like a path, but the field's name does not end with 'Path': it is "
        f"used as the text it is ({field}Path reads the value at a path).",
        pointer,
    )
