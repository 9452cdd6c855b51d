"""Payload templates of JSONPath states: Parameters, ResultSelector, ItemSelector and Assign.

"If any field within the Payload Template (however deeply nested) has a name ending with the
characters ".$", its value is transformed according to rules below and the field is renamed to
strip the ".$" suffix." (ASL spec). The value of such a field is a path on the state input
(``$...``), on the context object (``$$...``), on a variable (``$name...``) or an intrinsic
function call (``States.Format(...)``). Every other field is literal; objects are walked inside
arrays too (``"Entries": [{"Detail.$": "$"}]`` is the usual EventBridge pattern).

A template is compiled once. The parts without any ".$" field are built at compile time and
shared: a template with no ".$" at all evaluates to its pre-built value with no work, and an
object with some ".$" fields is a copy of its pre-built constant part with the dynamic fields
filled in, in template order.

A path that matches nothing fails the state with States.Runtime: "The JSONPath '$.x' specified
for the field 'x.$' could not be found in the input '{...}'" where the input is the state input
(the value ``$`` reads) as compact JSON, whatever the path's root. Recorded cases show the
message for a ``$$`` path and for a Fail state's CausePath; a reported AWS message for a ``$``
path prints the state input, and a ``$$`` path has no other "input".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from stepwell.asl.intrinsics import compile_intrinsic, is_intrinsic
from stepwell.asl.paths import InvalidPath, PathNotFound, compile_path
from stepwell.asl.scope import Scope
from stepwell.errors import RUNTIME, EvaluationError

__all__ = ["PayloadTemplate", "ValueExpression", "compile_payload_template", "compile_value_expression"]

Build = Callable[[Scope], Any]


class PayloadTemplate:
    """A compiled payload template: ``evaluate(scope)`` returns a new JSON value (or the shared
    constant value when the template has no ".$" field)."""

    __slots__ = ("evaluate", "field", "is_constant")

    evaluate: Build

    def __init__(self, value: Any, field: str):
        self.field = field
        dynamic, built = _compile(value)
        self.is_constant = not dynamic
        if dynamic:
            self.evaluate = built
        else:
            self.evaluate = lambda scope: built

    def __repr__(self) -> str:
        return f"PayloadTemplate({self.field!r})"


def compile_payload_template(value: Any, field: str) -> PayloadTemplate:
    """Compile a template; InvalidPath (a ValueError) or the intrinsic compiler's ValueError when a
    ".$" field does not hold a valid path or intrinsic call."""
    return PayloadTemplate(value, field)


class ValueExpression:
    """One path or intrinsic call named by a field (a Fail state's ErrorPath or CausePath, ...).
    A path that matches nothing fails with the same message as a template, naming ``field``."""

    __slots__ = ("evaluate", "field", "text")

    evaluate: Build

    def __init__(self, text: Any, field: str):
        self.text = text
        self.field = field
        run = _expression(text, field)

        def evaluate(scope: Scope) -> Any:
            try:
                return run(scope)
            except PathNotFound as missing:
                raise not_found(missing, field, scope) from None

        self.evaluate = evaluate

    def __repr__(self) -> str:
        return f"ValueExpression({self.field!r}, {self.text!r})"


def compile_value_expression(text: Any, field: str) -> ValueExpression:
    """Compile a path or intrinsic call given directly as a field's value."""
    return ValueExpression(text, field)


def not_found(missing: PathNotFound, field: str, scope: Scope) -> EvaluationError:
    """AWS's States.Runtime for a path in ``field`` that matched nothing."""
    state_input = json.dumps(scope.input, separators=(",", ":"), ensure_ascii=False)
    return EvaluationError(
        RUNTIME,
        f"The JSONPath '{missing.path}' specified for the field '{field}' could not be found "
        f"in the input '{state_input}'",
    )


# --- compilation --------------------------------------------------------------------------------


def _compile(value: Any) -> tuple[bool, Any]:
    """(False, value) for a constant part, (True, build) for a part holding ".$" fields."""
    if type(value) is dict:
        return _compile_object(value)
    if type(value) is list:
        return _compile_array(value)
    return False, value


def _compile_object(template: dict[str, Any]) -> tuple[bool, Any]:
    constant: dict[str, Any] = {}
    dynamic: list[tuple[str, str, Build]] = []  # (output key, field as written, build)
    for key, value in template.items():
        if key.endswith(".$"):
            name = key[:-2]
            constant[name] = None  # reserves the key's position in template order
            dynamic.append((name, key, _expression(value, key)))
            continue
        is_dynamic, built = _compile(value)
        if is_dynamic:
            constant[key] = None
            dynamic.append((key, "", built))
        else:
            constant[key] = built
    if not dynamic:
        return False, template
    entries = tuple(dynamic)

    def build(scope: Scope) -> dict[str, Any]:
        out = constant.copy()
        field = ""
        try:
            for name, field, run in entries:  # noqa: B007 (field names the failing entry)
                out[name] = run(scope)
        except PathNotFound as missing:
            # Nested objects report their own fields; only a ".$" field gets here.
            raise not_found(missing, field, scope) from None
        return out

    return True, build


def _compile_array(template: list[Any]) -> tuple[bool, Any]:
    parts = [_compile(item) for item in template]
    if not any(is_dynamic for is_dynamic, _ in parts):
        return False, template
    frozen = tuple(parts)

    def build(scope: Scope) -> list[Any]:
        return [part(scope) if is_dynamic else part for is_dynamic, part in frozen]

    return True, build


def _expression(text: Any, field: str) -> Build:
    """The evaluation function of a ".$" value: a path, or an intrinsic function call."""
    if not isinstance(text, str):
        raise InvalidPath(
            f"The value for the field '{field}' must be a STRING that contains a JSONPath or an "
            f"intrinsic function, not {json_type_phrase(text)}."
        )
    if is_intrinsic(text):
        return compile_intrinsic(text).evaluate
    if not text.startswith("$"):
        raise InvalidPath(
            f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic "
            f"function call: '{text}'."
        )
    return compile_path(text).evaluate


def json_type_phrase(value: Any) -> str:
    """How AWS's messages name a JSON value's type: "a string", "an object", "null", ..."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
