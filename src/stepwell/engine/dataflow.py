"""The data flow of a state (reference §2.8, §2.9) as small pure functions.

JSONPath: InputPath -> Parameters -> (result) -> ResultSelector -> ResultPath -> OutputPath.
JSONata:  Arguments -> (result) -> Output, with Assign evaluated beside Output.
"""

from __future__ import annotations

from typing import Any

from stepwell.asl.jsonata import JsonataTemplate
from stepwell.asl.model import Assignment, Dynamic, State
from stepwell.asl.paths import JsonPath, PathNotFound, ReferencePath
from stepwell.asl.scope import Scope
from stepwell.errors import RUNTIME, EvaluationError


def select(path: JsonPath | None, scope: Scope) -> Any:
    """InputPath / OutputPath: null gives {}, "$" the value itself."""
    if path is None:
        return {}
    if path.text == "$":
        return scope.input
    try:
        return path.evaluate(scope)
    except PathNotFound as missing:
        raise EvaluationError(RUNTIME, f"Invalid path '{path.text}' : {missing.detail}") from None


def place(result_path: ReferencePath | None, raw_input: Any, result: Any) -> Any:
    """ResultPath: where the result goes in the state's raw input (null: discard the result)."""
    if result_path is None:
        return raw_input
    if result_path.text == "$":
        return result
    return result_path.put(raw_input, result)


def select_result(state: State, scope: Scope, result: Any) -> Any:
    """ResultSelector applied to a task/Parallel/Map result."""
    if state.result_selector is None:
        return result
    return state.result_selector.evaluate(scope.with_input(result))


def jsonpath_output(state: State, scope: Scope, raw_input: Any, result: Any) -> Any:
    """ResultPath and OutputPath applied to a (selected) result."""
    placed = place(state.result_path, raw_input, result)
    if state.output_path is not None and state.output_path.text == "$":
        return placed
    return select(state.output_path, scope.with_input(placed))


def jsonata_output(
    template: JsonataTemplate | None, scope: Scope, default: Any, states: dict[str, Any] | None = None
) -> Any:
    if template is None:
        return default
    return template.evaluate(scope, states)


def evaluate_assign(
    assignment: Assignment | None, scope: Scope, states: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The variables an Assign block sets, computed from the values before the state."""
    if assignment is None:
        return None
    if assignment.jsonpath is not None:
        values = assignment.jsonpath.evaluate(scope)
    elif assignment.jsonata is not None:
        values = assignment.jsonata.evaluate(scope, states)
    else:
        return None
    return values if isinstance(values, dict) else None


def resolve(dynamic: Dynamic | None, scope: Scope) -> Any:
    """The value of a field given as a constant, a …Path reference or a JSONata template."""
    if dynamic is None:
        return None
    if dynamic.path is not None:
        return dynamic.path.evaluate(scope)
    if dynamic.jsonata is not None:
        return dynamic.jsonata.evaluate(scope)
    return dynamic.constant
