"""The bounds of a JSONata evaluation (issue 9): a hostile expression fails the state with AWS's
error and message instead of holding the server; realistic expressions still evaluate.

No assertion here is about time: each checks the error raised, a budget counter, or which regex
engine compiled a pattern.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from stepwell.asl.jsonata import (
    UNDEFINED,
    compile_jsonata,
    compile_jsonata_template,
)
from stepwell.asl.jsonata import engine as jsonata_engine
from stepwell.asl.jsonata import errors as jsonata_errors
from stepwell.asl.jsonata import limits as jsonata_limits
from stepwell.asl.scope import Scope
from stepwell.errors import QUERY_EVALUATION_ERROR, EvaluationError

TIMEOUT = ": Expression evaluation timeout: Check for infinite loop"
MEMORY = ": Expression evaluation memory limit exceeded: Check for excessive memory usage"
STACK = ": " + jsonata_errors.STACK_MESSAGE


def ev(text: str, input: Any = None) -> Any:
    return compile_jsonata(text).evaluate(Scope(input))


def cause_of(text: str, input: Any = None) -> str:
    with pytest.raises(EvaluationError) as raised:
        compile_jsonata_template(text, "Output").evaluate(Scope(input))
    assert raised.value.error == QUERY_EVALUATION_ERROR
    return raised.value.cause


def threw(text: str, detail: str) -> str:
    return (
        f"The JSONata expression '{text[2:-2].strip()}' specified for the field 'Output' "
        "threw an error during evaluation" + detail
    )


def engine() -> Any:
    return jsonata_engine._thread_engine()


# --- time: runaway recursion ends on a count, not a clock -----------------------------------------


def test_an_infinite_tail_recursion_ends_on_the_recursion_budget() -> None:
    loop = "{% ($f := function($x){ $f($x+1) }; $f(1)) %}"
    assert cause_of(loop) == threw(loop, TIMEOUT)
    assert engine()._recursions == -1  # the budget ran out: it, not the step budget, ended it
    assert engine()._steps > 0


def test_exponential_recursion_ends_on_the_recursion_budget() -> None:
    fib = "{% ($f := function($n){ $n < 2 ? $n : $f($n-1) + $f($n-2) }; $f(20)) %}"
    assert cause_of(fib) == threw(fib, TIMEOUT)
    assert engine()._recursions == -1


def test_mutual_recursion_through_a_higher_order_function_is_recursion() -> None:
    text = "{% ($f := function($x){ $map([$x], function($y){ $f($y) }) }; $f(1)) %}"
    assert cause_of(text) == threw(text, STACK)  # not tail calls: the depth bound comes first
    text = "{% ($f := function($x){ $x > 0 ? $f($x - 1) : 0 }; $f(100000)) %}"
    assert cause_of(text) == threw(text, TIMEOUT)


def test_a_map_over_ten_thousand_items_recurses_zero_times() -> None:
    text = "{% $sum($map([1..10000], function($v){ $string($v) ~> $length() })) %}"
    assert ev(text) == 38894
    assert engine()._recursions == jsonata_engine.RECURSION_BUDGET
    assert ev("{% $count($filter([1..10000], function($v){ $v % 2 = 0 })) %}") == 5000
    assert ev("{% $reduce([1..10000], function($a, $v){ $a + $v }) %}") == 50005000


def test_a_legitimate_recursion_under_the_budget_evaluates() -> None:
    text = "{% ($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + $n) }; $f(2000, 0)) %}"
    assert ev(text) == 2001000
    assert engine()._recursions == jsonata_engine.RECURSION_BUDGET - 2000


def test_a_long_computation_without_recursion_ends_on_the_step_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonata_engine, "STEP_BUDGET", 10_000)
    text = "{% $count([1..100000].($ * 2)) %}"
    assert cause_of(text) == threw(text, TIMEOUT)
    assert engine()._steps == -1
    assert ev("{% $count([1..1000].($ * 2)) %}") == 1000  # the budget is per evaluation


# --- depth ----------------------------------------------------------------------------------------


def test_nesting_deeper_than_aws_fails_with_the_stack_message() -> None:
    # AWS fails 1+1+...+1 with 200 terms (floci-io/floci#2737) and evaluates shallow ones.
    deep = "{% " + "+".join(["1"] * 200) + " %}"
    assert cause_of(deep) == threw(deep, STACK)
    assert ev("{% " + "+".join(["1"] * 50) + " %}") == 50


def test_deep_recursion_in_a_thread_with_a_small_stack_is_the_stack_error() -> None:
    # The executor evaluates in a worker thread: the bound must hold there, never a crash.
    results: list[str] = []
    text = "{% ($f := function($x){ $x <= 0 ? 0 : 1 + $f($x-1) }; $f(100000)) %}"

    def run() -> None:
        results.append(cause_of(text))

    previous = threading.stack_size(256 * 1024)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    assert results == [threw(text, STACK)]


# --- size -----------------------------------------------------------------------------------------


def test_pad_to_a_huge_width_is_refused_before_the_string_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    original = jsonata_engine.jsonata_sized.Functions.pad

    def recording_pad(s: Any, w: Any, c: Any) -> Any:
        built.append(w)
        return original(s, w, c)

    monkeypatch.setattr(jsonata_engine.jsonata_sized.Functions, "pad", staticmethod(recording_pad))
    for text in ('{% $pad("x", 1000000000) %}', '{% $pad("x", -1000000000, "#") %}'):
        assert cause_of(text) == threw(text, MEMORY)
    assert built == []
    assert ev('{% $pad("x", 5, "#") %}') == "x####"
    assert ev('{% $pad("x", -3) %}') == "  x"


def test_string_doubling_is_refused_where_aws_refuses_it() -> None:
    # AWS accepts a 2^22-character string and refuses 2^23 (floci-io/floci#2737).
    double = "{{% ($p := function($s, $n){{ $n = 0 ? $s : $p($s & $s, $n - 1) }}; $length($p('x', {}))) %}}"
    assert ev(double.format(22)) == 4_194_304
    assert cause_of(double.format(23)) == threw(double.format(23), MEMORY)


def test_join_and_replace_are_refused_from_their_arguments() -> None:
    join = '{% $join($map([1..1000], function($v){ $pad("", 8000, "x") }), "") %}'
    assert cause_of(join) == threw(join, MEMORY)
    replace = '{% $replace($pad("", 100000, "a"), "a", $pad("", 100, "b")) %}'
    assert cause_of(replace) == threw(replace, MEMORY)
    by_regex = '{% $replace($pad("", 100000, "a"), /a/, $pad("", 100, "b")) %}'
    assert cause_of(by_regex) == threw(by_regex, MEMORY)
    assert ev('{% $replace("a-b-c", "-", "+") %}') == "a+b+c"
    assert ev('{% $join(["a", "b"], ", ") %}') == "a, b"


def test_a_value_holding_one_big_array_many_times_is_refused() -> None:
    shared = "{% ($a := [1..800000]; $string({'a': $a, 'b': $a, 'c': $a})) %}"
    assert cause_of(shared) == threw(shared, MEMORY)
    result = "{% ($a := $pad('', 1000000, 'x'); $map([1..10], function($v){ $a })) %}"
    assert cause_of(result) == threw(result, MEMORY)
    concat = "{% ($a := [1..800000]; {'a': $a, 'b': $a} & '') %}"
    assert cause_of(concat) == threw(concat, MEMORY)


def test_a_path_building_a_product_of_sequences_is_refused() -> None:
    # Each of the 500,000 steps returns a 500,000-item array: refused once the elements returned
    # pass the budget, long before the 2.5e11 elements are held.
    text = "{% $count([1..500000].[1..500000]) %}"
    assert cause_of(text) == threw(text, MEMORY)
    assert engine()._elements < 0
    assert ev("{% $count([1..1000].[1..100]) %}") == 1000


def test_the_string_ceiling_lies_between_aws_measurements() -> None:
    assert 2**22 < jsonata_limits.MAX_STRING_LENGTH < 2**23


# --- one-item sequences ---------------------------------------------------------------------------


def test_a_one_item_range_is_its_item_as_aws_answers() -> None:
    assert ev("{% $range(1, 9, 9) %}") == 1
    assert ev("{% [$range(1, 9, 9)] %}") == [1]
    assert ev("{% $range(1, 9, 10) %}") == 1
    assert ev("{% $range(9, 1, 9) %}") is UNDEFINED
