"""Where a Map's items come from and what it keeps of them: the JSONata ``Items``, the numbers
its fields evaluate to (MaxConcurrency, the tolerated failures, an ItemBatcher's limits), the
ItemBatcher's batches, the items a streamed object's ranges bring while the Map runs
(item_reader/streamed.py), and which iteration results the Map's output needs. fanout.py runs
the iterations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.asl.jsonata import type_name
from stepwell.engine import batching, fanout, result_writer
from stepwell.engine.dataflow import resolve
from stepwell.engine.events import TaskFailed, TaskSucceeded
from stepwell.engine.history import to_json
from stepwell.engine.item_reader import streamed
from stepwell.engine.snapshot import Frame, MapWork
from stepwell.errors import QUERY_EVALUATION_ERROR, RUNTIME, EvaluationError, WorkflowError

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter


def batched(
    it: Interpreter,
    frame: Frame,
    state: m.MapState,
    batcher: m.ItemBatcher,
    scope: Any,
    items: list[Any],
    selector_input: Any,
    first_index: int = 0,
    stream: dict[str, Any] | None = None,
) -> tuple[list[Any], list[int]]:
    """The ItemBatcher's batches of the items (each made by the ItemSelector first), and their
    sizes. While more items are to be read (``stream``), the last batch waits for them."""
    effective = scope if state.is_jsonata else scope.with_input(selector_input)
    max_items = whole_number(batcher.max_items, effective, "MaxItemsPerBatch")
    max_bytes = whole_number(batcher.max_bytes, effective, "MaxInputBytesPerBatch")
    batch_input = (
        batcher.batch_input.evaluate(effective)
        if batcher.batch_input is not None
        else batching.no_batch_input()
    )
    selector = state.item_selector
    if selector is not None:
        items = [
            selector.evaluate(it.scope(frame, selector_input, map_item=(first_index + index, item)))
            for index, item in enumerate(items)
        ]
    if stream:
        items = [*stream["pending"], *items]
        stream["pending"] = []
    batches = batching.make_batches(items, max_items, max_bytes, batch_input)
    if stream and batches and not streamed.exhausted(stream):
        stream["pending"] = batches.pop()["Items"]
    return batches, [len(batch["Items"]) for batch in batches]


def more_items(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork, items: list[Any]) -> None:
    """Items read while the Map runs (a streamed object) join it; more iterations start."""
    first_index = work.stream["read"] - len(items)
    if state.item_batcher is not None:
        scope = it.scope(frame, frame.input)
        items, sizes = batched(
            it, frame, state, state.item_batcher, scope, items, work.selector_input, first_index, work.stream
        )
        work.batch_sizes.extend(sizes)
        work.batch_status.extend(["pending"] * len(sizes))
        work.item_counts["pending"] = work.item_counts.get("pending", 0) + sum(sizes)
    work.items.extend(items)
    work.results.extend([None] * len(items))
    if result_writer.keeps_runs(state):
        work.runs.extend([None] * len(items))
    if work.map_run_arn is not None:
        it.touch_map_run(work, state.label or state.name)
    fanout.after_iteration(it, frame, state, work)


def range_read(it: Interpreter, frame: Frame, event: TaskSucceeded | TaskFailed) -> None:
    """A streamed object's next range was answered: its items run, or the Map Run fails with
    States.ItemReaderFailed (the iterations running are stopped)."""
    work = frame.work
    state = it.states[frame.state or ""]
    assert isinstance(work, MapWork) and isinstance(state, m.MapState)
    try:
        items = streamed.range_read(it, frame, state, work, event)
    except WorkflowError as failure:
        work.run_status = "FAILED"
        fanout.abort_children(it, frame)
        fanout.map_run_ended_failed(it, frame, state, failure.error, failure.cause)
        return
    it.guarded(frame, state, lambda: more_items(it, frame, state, work, items))
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def jsonata_items(state: m.MapState, scope: Any) -> list[Any]:
    if state.items is None:
        if not isinstance(scope.input, list):
            raise EvaluationError(
                QUERY_EVALUATION_ERROR, f"Map state input must be an array but was: {to_json(scope.input)}"
            )
        return scope.input
    items = state.items.evaluate(scope)
    if not isinstance(items, list):
        raise EvaluationError(
            QUERY_EVALUATION_ERROR,
            f"The JSONata expression '{state.items_source}' specified for the field 'Items' returned an "
            "unexpected result type. "
            f"Expected 'array', but was '{type_name(items)}' for value: {to_json(items)}",
            location="Items",
        )
    return items


def whole_number(field: m.Dynamic | None, scope: Any, name: str) -> int | None:
    if field is None:
        return None
    value = numeric_text(resolve(field, scope), int)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        if field.path is not None:
            shown = value if isinstance(value, str) else to_json(value)
            raise EvaluationError(
                RUNTIME,
                f'The {name}Path field refers to value "{shown}" which is not a valid integer: '
                + field.path_text,
            )
        raise EvaluationError(
            QUERY_EVALUATION_ERROR, f"{name} must be a non-negative integer, but was {value}"
        )
    if value < 0:
        error = RUNTIME if field.path is not None else QUERY_EVALUATION_ERROR
        raise EvaluationError(error, f"{name} cannot be negative.")
    return int(value)


def percentage(field: m.Dynamic | None, scope: Any) -> float | None:
    if field is None:
        return None
    value = numeric_text(resolve(field, scope), float)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = value if isinstance(value, str) else to_json(value)
        raise EvaluationError(
            RUNTIME,
            f'The ToleratedFailurePercentagePath field refers to value "{shown}" which is not a valid float: '
            f"{field.path_text}",
        )
    if not 0 <= value <= 100:
        error = RUNTIME if field.path is not None else QUERY_EVALUATION_ERROR
        raise EvaluationError(error, "ToleratedFailurePercentage must be between 0 and 100.")
    return float(value)


def numeric_text(value: Any, kind: type) -> Any:
    """A …Path may point to a number written as a string ("1"), as Java's parsers accept."""
    if isinstance(value, str):
        try:
            return kind(value.strip())
        except ValueError:
            return value
    return value


def keep_result(state: m.MapState, work: MapWork, index: int, result: Any) -> None:
    """Keep an iteration's result for the Map's output, unless nothing will read it: a JSONPath
    Map whose result is discarded (``"ResultPath": null``) with no ResultSelector or Assign, and
    no ResultWriter. A Map over a million items then holds no million results."""
    discarded = (
        not state.is_jsonata
        and state.result_path is None
        and state.result_selector is None
        and state.assign is None
        and not result_writer.exports(work)
    )
    if not discarded:
        work.results[index] = result
