"""The library adapted to Step Functions, at the level of one parsed tree and one evaluation:
``$states`` and variables read from the scope, JavaScript arithmetic, the $var.a.b fast lane,
Step Functions' function frame and the evaluation bounds."""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest
from jsonata import JException

from stepwell.asl.jsonata import engine
from stepwell.asl.jsonata.engine import (
    MAX_DEPTH,
    RECURSION_BUDGET,
    STEP_BUDGET,
    evaluate_expression,
    parse_expression,
)
from stepwell.asl.jsonata.errors import MEMORY_LIMIT_MESSAGE, STACK_MESSAGE, TIMEOUT_MESSAGE, EvaluationBound
from stepwell.asl.jsonata.results import NULL
from stepwell.asl.scope import Scope


def ev(
    source: str, scope: Scope | None = None, states: dict[str, Any] | None = None, needs_context: bool = False
) -> Any:
    return evaluate_expression(parse_expression(source), scope or Scope(None), states, needs_context)


def bound(source: str) -> str:
    with pytest.raises(EvaluationBound) as raised:
        ev(source)
    return raised.value.bound_message


def test_the_budgets() -> None:
    assert (RECURSION_BUDGET, STEP_BUDGET, MAX_DEPTH) == (2_500, 1_000_000, 100)


def test_states_reads_the_scope_input_and_the_extra_fields() -> None:
    scope = Scope({"a": 1}, context={"Execution": {"Id": "e"}})
    assert ev("$states.input.a", scope) == 1
    assert ev("$states.result.r", scope, states={"result": {"r": 2}}) == 2
    assert ev("$states.context", scope) is None  # not asked for: not built
    assert ev("$states.context.Execution.Id", scope, needs_context=True) == "e"


def test_variables_are_read_from_the_scope_and_null_is_a_value() -> None:
    scope = Scope(None, variables={"n": None, "x": {"y": [1, 2]}})
    assert ev("$n", scope) is NULL
    assert ev("$x.y[1]", scope) == 2
    assert ev("$missing", scope) is None


def test_the_fast_lane_for_var_names() -> None:
    scope = Scope(
        None, variables={"v": {"a": {"b": 7, "n": None}, "list": [{"b": 1}, {"b": 2}], "s": "text"}}
    )
    assert ev("$v.a.b", scope) == 7
    assert ev("$v.a.n", scope) is NULL  # a JSON null is a value
    assert ev("$v.a.zz", scope) is None  # a missing key is undefined
    assert ev("$v.s.len", scope) is None
    assert list(ev("$v.list.b", scope)) == [1, 2]  # an array maps, the library's way


@pytest.mark.parametrize(
    ("source", "expected"),
    [("7 % 2.5", 2.0), ("-7 % 2", -1), ("5.5 % 2", 1.5), ("1 + 2", 3), ("3 * 0.5", 1.5), ("10 / 4", 2.5)],
)
def test_arithmetic_is_javascripts(source: str, expected: float) -> None:
    assert ev(source) == expected


def test_division_by_zero_is_infinite_or_nan_as_in_javascript() -> None:
    assert ev("1 / 0") == math.inf
    assert ev("-1 / 0") == -math.inf
    assert math.isnan(ev("0 / 0"))
    assert math.isnan(ev("5 % 0"))


def test_arithmetic_on_a_non_number_names_the_side() -> None:
    with pytest.raises(JException) as left:
        ev("'a' + 1")
    assert left.value.error == "T2001"
    with pytest.raises(JException) as right:
        ev("1 - 'b'")
    assert right.value.error == "T2002"
    assert ev("$nothing + 1") is None


def test_eval_is_not_available() -> None:
    # "$eval is not available": AWS answers T1006.
    with pytest.raises(JException) as raised:
        ev("$eval('1')")
    assert raised.value.error == "T1006"


def test_step_functions_functions_are_bound() -> None:
    assert ev("$partition([1, 2, 3], 2)") == [[1, 2], [3]]
    assert ev("$parse('[1]')") == [1]
    assert ev("$uuid()") == ev("$uuid()")  # the same scope seed: the same stream


def test_grouping_over_an_empty_list_leaves_the_list_alone() -> None:
    empty: list[Any] = []
    ev("$states.input{'k': 1}", Scope(empty))
    assert empty == []


def test_an_infinite_recursion_ends_on_the_recursion_budget() -> None:
    assert bound("($f := function($n) { $f($n + 1) }; $f(0))") == TIMEOUT_MESSAGE


def test_a_long_flat_computation_ends_on_the_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    small_step_budget(monkeypatch)
    assert bound("$sum([1..500].($ * 2))") == TIMEOUT_MESSAGE  # ~2,000 steps


def test_the_bounds_are_reset_for_each_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    small_step_budget(monkeypatch)
    tree = parse_expression("$sum([1..300].($ * 2))")  # ~1,200 steps: twice would be too many
    for _ in range(3):
        assert evaluate_expression(tree, Scope(None), None, False) == 90300


def small_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step budget of 1,500 instead of a million, so that a test reaches it in a few ms."""
    reset = engine._Engine.reset_bounds

    def reset_with_small_budget(self: Any) -> None:
        reset(self)
        self._steps = 1_500

    monkeypatch.setattr(engine._Engine, "reset_bounds", reset_with_small_budget)


def test_nesting_past_the_depth_is_the_stack_message() -> None:
    assert bound("+".join(["1"] * 200)) == STACK_MESSAGE
    assert ev("+".join(["1"] * 40)) == 40


def test_a_range_past_aws_largest_is_the_memory_bound() -> None:
    assert bound("[1..873783]") == MEMORY_LIMIT_MESSAGE
    assert bound("'x' & $pad('', 7000000, 'y')") == MEMORY_LIMIT_MESSAGE


def test_each_thread_evaluates_on_its_own_engine() -> None:
    tree = parse_expression("$states.input * 2")
    results: dict[int, Any] = {}

    def run(n: int) -> None:
        results[n] = evaluate_expression(tree, Scope(n), None, False)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {0: 0, 1: 2, 2: 4, 3: 6}
