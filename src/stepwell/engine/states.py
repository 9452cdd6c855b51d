"""One handler per state type: ``HANDLERS[Type](interpreter, frame, state)``.

A handler runs after the state is entered. It either exits the state (``interpreter.exit``),
suspends the frame (a task, a timer, child frames), or raises ``WorkflowError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.asl.jsonata import UNDEFINED, type_name
from stepwell.asl.scope import Scope
from stepwell.asl.timestamps import parse_timestamp
from stepwell.engine import fanout, tasks
from stepwell.engine.dataflow import evaluate_assign, jsonata_output, place, resolve, select
from stepwell.engine.history import to_json
from stepwell.engine.snapshot import Frame
from stepwell.errors import NO_CHOICE_MATCHED, QUERY_EVALUATION_ERROR, RUNTIME, EvaluationError, WorkflowError

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter


def run_pass(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.PassState)
    scope = it.scope(frame, frame.input)
    if state.is_jsonata:
        output = jsonata_output(state.output, scope, frame.input)
        assigned = evaluate_assign(state.assign, scope)
    else:
        effective = select(state.input_path, scope)
        if state.has_result:
            result = state.result
        elif state.parameters is not None:
            result = state.parameters.evaluate(
                scope if effective is frame.input else scope.with_input(effective)
            )
        else:
            result = effective
        assigned = evaluate_assign(state.assign, scope.with_input(result)) if state.assign else None
        output = place(state.result_path, frame.input, result)
        if state.output_path is None or state.output_path.text != "$":
            output = select(state.output_path, scope.with_input(output))
    it.exit(frame, state, output, assigned)


def run_choice(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.ChoiceState)
    scope = it.scope(frame, frame.input)
    if state.is_jsonata:
        for index, rule in enumerate(state.choices):
            if jsonata_condition(rule, index, scope):
                output = jsonata_output(rule.output, scope, frame.input)
                it.exit(frame, state, output, evaluate_assign(rule.assign, scope), next_state=rule.next)
                return
        if state.default is None:
            raise WorkflowError(NO_CHOICE_MATCHED, "No Matches!")
        output = jsonata_output(state.output, scope, frame.input)
        it.exit(frame, state, output, evaluate_assign(state.assign, scope), next_state=state.default)
        return
    effective_scope = scope.with_input(select(state.input_path, scope))
    chosen, assignment = jsonpath_choice(state, effective_scope)
    assigned = evaluate_assign(assignment, effective_scope)
    it.exit(frame, state, select(state.output_path, effective_scope), assigned, next_state=chosen)


def jsonpath_choice(state: m.ChoiceState, effective_scope: Scope) -> tuple[str, Any]:
    """A JSONPath Choice's next state and the Assign that goes with it: the first rule that
    matches the effective input, else the Default (else States.NoChoiceMatched)."""
    for rule in state.choices:
        assert rule.condition is not None
        if rule.condition.evaluate(effective_scope):
            return rule.next, rule.assign
    if state.default is None:
        raise WorkflowError(NO_CHOICE_MATCHED, "No Matches!")
    return state.default, state.assign


def jsonata_condition(rule: m.ChoiceRule, index: int, scope: Scope) -> bool:
    if rule.constant is not None:
        return rule.constant
    assert rule.jsonata_condition is not None
    value = rule.jsonata_condition.evaluate(scope, field=f"Choices[{index}]/Condition")
    if value is UNDEFINED:
        raise rule.jsonata_condition.undefined_error("Condition")
    if not isinstance(value, bool):
        raise EvaluationError(
            QUERY_EVALUATION_ERROR,
            f"The JSONata expression '{rule.jsonata_condition.source}' specified for the field 'Condition' "
            f"returned an unexpected result type. Expected 'boolean', but was '{type_name(value)}' "
            f"for value: {to_json(value)}",
        )
    return value


def run_wait(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.WaitState)
    scope = it.scope(frame, frame.input)
    if not state.is_jsonata:
        scope = scope.with_input(select(state.input_path, scope))
    if state.seconds is not None:
        due = it.now + wait_seconds(state.seconds, scope)
    else:
        assert state.timestamp is not None
        due = wait_timestamp(state.timestamp, scope)
    if due <= it.now:
        wait_elapsed(it, frame, state)
    else:
        it.wait_until(frame, due, "timer")


def wait_seconds(field: m.Dynamic, scope: Scope) -> float:
    value = resolve(field, scope)
    if field.path is not None:
        where = f"{field.path_text} == {_shown(value)}"
        if not _is_integer(value):
            raise EvaluationError(
                RUNTIME, f"The SecondsPath parameter cannot be parsed as a long value: {where}"
            )
        if value < 0:
            raise EvaluationError(RUNTIME, f"The SecondsPath parameter references a negative value: {where}")
    elif not _is_integer(value) or value < 0:
        raise EvaluationError(
            QUERY_EVALUATION_ERROR,
            f"The Seconds field must be a non-negative integer, but was {to_json(value)}",
        )
    return float(value)


def wait_timestamp(field: m.Dynamic, scope: Scope) -> float:
    value = resolve(field, scope)
    due = parse_timestamp(value)
    if due is None:
        if field.path is not None:
            raise EvaluationError(
                RUNTIME,
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
                f"date-time format string: {field.path_text} == {_shown(value)}",
            )
        raise EvaluationError(
            QUERY_EVALUATION_ERROR,
            "The Timestamp field does not reference a valid ISO-8601 extended offset date-time "
            f"format string: {_shown(value)}",
        )
    return due


def _shown(value: Any) -> str:
    """How AWS quotes a value in Wait's messages: strings bare, anything else as JSON."""
    return value if isinstance(value, str) else to_json(value)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def wait_elapsed(it: Interpreter, frame: Frame, state: m.State) -> None:
    """The Wait is over: produce the state's output."""
    scope = it.scope(frame, frame.input)
    if state.is_jsonata:
        output = jsonata_output(state.output, scope, frame.input)
        assigned = evaluate_assign(state.assign, scope)
    else:
        effective = scope.with_input(select(state.input_path, scope))
        assigned = evaluate_assign(state.assign, effective)
        output = select(state.output_path, effective)
    it.exit(frame, state, output, assigned)


def run_succeed(it: Interpreter, frame: Frame, state: m.State) -> None:
    scope = it.scope(frame, frame.input)
    if state.is_jsonata:
        output = jsonata_output(state.output, scope, frame.input)
    else:
        output = select(state.output_path, scope.with_input(select(state.input_path, scope)))
    it.exit(frame, state, output)


def run_fail(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.FailState)
    scope = it.scope(frame, frame.input)
    error, cause = resolve(state.error, scope), resolve(state.cause, scope)
    it.frame_failed(frame, fail_text(error), fail_text(cause))


def fail_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return to_json(value)


HANDLERS: dict[str, Callable[[Interpreter, Frame, m.State], None]] = {
    "Pass": run_pass,
    "Choice": run_choice,
    "Wait": run_wait,
    "Succeed": run_succeed,
    "Fail": run_fail,
    "Task": tasks.run_task,
    "Parallel": fanout.run_parallel,
    "Map": fanout.run_map,
}
