"""A Distributed Map's ItemBatcher (engine/batching.py): batches as child inputs, and the Map Run's
item counts beside its child executions'."""

from __future__ import annotations

import dataclasses
from typing import Any

from stepwell.engine.batching import make_batches, no_batch_input
from stepwell.engine.commands import Finish, MapRunChanged, StartChildExecution
from stepwell.engine.events import ExecutionStarted, TaskFailed, TaskSucceeded
from tests.engine.driver import START, Run, info, machine_of


def test_batches_follow_the_item_and_byte_limits() -> None:
    assert [len(b["Items"]) for b in make_batches(list(range(1130)), 100, None)] == [100] * 11 + [30]
    # {"Items":[]} is 12 bytes; each two-digit item adds 2, and a comma after the first
    by_bytes = make_batches([10, 11, 12, 13, 14], None, 20)
    assert by_bytes == [{"Items": [10, 11, 12]}, {"Items": [13, 14]}]
    with_input = make_batches(["a", "b"], 1, None, {"run": 7})
    assert with_input == [
        {"BatchInput": {"run": 7}, "Items": ["a"]},
        {"BatchInput": {"run": 7}, "Items": ["b"]},
    ]
    assert list(with_input[0]) == ["BatchInput", "Items"]  # as AWS records it
    assert make_batches(["x" * 30], None, 20) == [{"Items": ["x" * 30]}], (
        "an item too big makes a batch alone"
    )
    assert make_batches([], 5, None, no_batch_input()) == []


def batched(**batcher: Any) -> dict[str, Any]:
    return machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                "ItemBatcher": batcher,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        }
    )


def started(definition: dict[str, Any], value: Any) -> Run:
    run = Run(definition, start=False)
    execution = dataclasses.replace(info(), child_executions=True)
    run.deliver(ExecutionStarted(now=START, seed="s", input=value, execution=execution))
    return run


def test_each_batch_is_one_child_execution_and_items_are_counted_apart() -> None:
    run = started(
        batched(MaxItemsPerBatch=2, BatchInput={"tag.$": "$.tag"}), {"tag": "t", "items": None} | {}
    )
    assert run.finish is not None  # the input is no list: the Map fails before batching
    run = started(batched(MaxItemsPerBatch=2, BatchInput={"tag": "t"}), [1, 2, 3])
    children = [c for c in run.commands if isinstance(c, StartChildExecution)]
    assert [c.input for c in children] == [
        {"BatchInput": {"tag": "t"}, "Items": [{"v": 1}, {"v": 2}]},
        {"BatchInput": {"tag": "t"}, "Items": [{"v": 3}]},
    ]
    report = [c for c in run.commands if isinstance(c, MapRunChanged)][-1]
    assert (report.total, report.running) == (2, 2) and report.item_counts == {"pending": 0, "running": 3}
    run.deliver(TaskFailed(now=START, seed="s", task_id=children[1].task_id, error="Boom", cause="no"))
    report = [c for c in run.commands if isinstance(c, MapRunChanged)][-1]
    assert report.item_counts == {"pending": 0, "running": 0, "failed": 1, "aborted": 2}
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"


def test_batches_succeed_together_and_their_outputs_are_the_maps() -> None:
    run = started(batched(MaxItemsPerBatch=2), [1, 2, 3])
    children = [c for c in run.commands if isinstance(c, StartChildExecution)]
    for child in children:
        run.deliver(
            TaskSucceeded(now=START, seed="s", task_id=child.task_id, output=len(child.input["Items"]))
        )
    assert run.finish == Finish("SUCCEEDED", output=[2, 1])
    report = [c for c in run.commands if isinstance(c, MapRunChanged)][-1]
    assert report.item_counts is not None and report.item_counts["succeeded"] == 3


def test_in_process_batches_run_inside_the_parent() -> None:
    # {"Items":[]} is 12 bytes, {"v":"aaaa"} 12 more, and the second one a comma and 12
    run = Run(batched(MaxInputBytesPerBatch=40), ["aaaa", "bbbb", "cccc"])
    assert run.finish == Finish(
        "SUCCEEDED", output=[{"Items": [{"v": "aaaa"}, {"v": "bbbb"}]}, {"Items": [{"v": "cccc"}]}]
    )


def test_tolerated_failures_count_the_items_of_the_failed_batches() -> None:
    run = started(_tolerating(1), [1, 2, 3, 4])
    first, second = [c for c in run.commands if isinstance(c, StartChildExecution)]
    run.deliver(TaskFailed(now=START, seed="s", task_id=first.task_id, error="Boom", cause="no"))
    # two items failed: more than the one tolerated, though only one child execution did
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"
    assert second.task_id in run.cancels()


def _tolerating(count: int) -> dict[str, Any]:
    definition = batched(MaxItemsPerBatch=2)
    definition["States"]["M"]["ToleratedFailureCount"] = count
    return definition
