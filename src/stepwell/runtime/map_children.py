"""A Distributed Map's child executions, as the batch carries them out: started in the transaction
that records their start (so a crash loses none), their ends handed to the parent as its item's
outcome, stopped when the parent gives up on them; and the Map Run's record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepwell.asl import jsoncodec
from stepwell.engine.commands import Finish, MapRunChanged, StartChildExecution
from stepwell.engine.events import ChildTimes, Event, ExecutionInfo, StopRequested, TaskFailed, TaskSucceeded
from stepwell.runtime.store.records import MapRunRecord, Parent

if TYPE_CHECKING:
    from stepwell.runtime.batch import Batch, Live

MAP_CHILD = "map"  # Parent.mode of a Distributed Map's child execution


def start_child(batch: Batch, parent: Live, command: StartChildExecution) -> None:
    """A child execution of the labelled state machine ``<machine>/<label>``, running the Map's
    item processor (its definition kept as a revision of the parent's revision)."""
    assert parent.snapshot is not None
    of = parent.snapshot.execution
    machine_name = f"{of.state_machine_name}/{command.label}"
    revision_id = f"{parent.revision_id}/{command.label}"
    definition = jsoncodec.dumps_text(command.definition)
    info = ExecutionInfo(
        execution_arn=batch.runtime.execution_arn(machine_name, command.name),
        name=command.name,
        state_machine_arn=f"{of.state_machine_arn}/{command.label}",
        state_machine_name=machine_name,
        role_arn=of.role_arn,
        start_time=batch.runtime.clock(),
        child_executions=True,
    )
    batch.start(
        info,
        batch.runtime.machine(definition, "STANDARD", revision_id),
        command.input,
        input_text=None,
        definition=definition,
        revision_id=revision_id,
        parent=Parent(parent.arn, command.task_id, MAP_CHILD),
        map_run=command.map_run_arn,
    )


def child_ended(batch: Batch, child: Live, finish: Finish) -> None:
    """The child's end is its item's outcome in the parent (after this step), with its start
    and stop dates (a ResultWriter's entry gives them)."""
    parent = child.parent
    assert parent is not None and child.snapshot is not None
    times = ChildTimes(child.snapshot.execution.start_time, child.stopped)
    common = {**batch.event_args(), "task_id": parent.task_id, "child": times}
    event: Event
    if finish.status == "SUCCEEDED":
        event = TaskSucceeded(**common, output=finish.output)
    else:
        error = finish.error if finish.status != "TIMED_OUT" else "States.Timeout"
        event = TaskFailed(**common, error=error, cause=finish.cause)
    batch.later.append(lambda: batch.step(parent.execution, event, task_row=False))


def stop_child(batch: Batch, name: str) -> None:
    """The parent gave up on a child execution (its Map Run failed, or the parent stopped)."""
    machine_name, _, execution_name = name.rpartition(":")
    arn = batch.runtime.execution_arn(machine_name, execution_name)
    batch.later.append(lambda: batch.step(arn, StopRequested(**batch.event_args(), error=None, cause=None)))


def map_run_changed(batch: Batch, live: Live, change: MapRunChanged, now: float) -> None:
    """The Map Run's record, as the engine reported it at the end of a step."""
    assert live.snapshot is not None
    of = live.snapshot.execution
    counts = {
        "aborted": change.aborted,
        "failed": change.failed,
        "pending": change.pending,
        # Without a ResultWriter AWS counts the ended children (reference §3.10, recorded).
        "resultsWritten": (
            change.succeeded + change.failed + change.timed_out
            if change.results_written is None
            else change.results_written
        ),
        "running": change.running,
        "succeeded": change.succeeded,
        "timedOut": change.timed_out,
        "total": change.total,
    }
    items = counts
    if change.item_counts is not None:  # an ItemBatcher's batches: the items in them
        named = ("aborted", "failed", "pending", "running", "succeeded", "timedOut")
        items = {name: change.item_counts.get(name, 0) for name in named}
        items["resultsWritten"] = (
            items["succeeded"] + items["failed"] + items["timedOut"]
            if change.items_written is None
            else change.items_written
        )
        items["total"] = sum(change.item_counts.values())
        items = {name: items[name] for name in counts}  # in the order DescribeMapRun's are
    summary = {
        "maxConcurrency": change.max_concurrency,
        "toleratedFailurePercentage": change.tolerated_failure_percentage,
        "toleratedFailureCount": change.tolerated_failure_count,
        "itemCounts": items,
        "executionCounts": counts,
    }
    batch.db.put_map_run(
        MapRunRecord(
            arn=change.map_run_arn,
            execution_arn=live.arn,
            machine_arn=f"{of.state_machine_arn}/{change.label}",
            status=change.status,
            started=now,
            stopped=None if change.status == "RUNNING" else now,
            summary=jsoncodec.dumps_text(summary),
        )
    )
