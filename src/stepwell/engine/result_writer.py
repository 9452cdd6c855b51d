"""A Distributed Map's ResultWriter (reference integrations §3.6): each child execution's result,
kept by item while the Map Run runs, written at its end to S3 as AWS lays the files out, or, with
WriterConfig only, formatted as the Map state's output.

Files under ``<Prefix>/<MapRunId>/`` (the MapRunId is the Map Run ARN's trailing UUID):
``SUCCEEDED_<n>.json``, ``FAILED_<n>.json`` ("failed, timed-out and aborted children"),
``PENDING_<n>.json`` ("children never started because the Map Run failed or was aborted"), ``n``
from 0, "a file is capped at 5 GB, then the next index is used"; then ``manifest.json``, which
lists them. Each write is an ``InvokeTask`` of the AWS SDK integration's s3:putObject, answered as
TaskSucceeded / TaskFailed; the Map state waits for all of them. A write that fails fails the Map
Run with States.ResultWriterFailed.

What an item costs in the snapshot while the Map Run runs (``MapWork.runs``): its child
execution's name (36 characters), two dates, its status, and, only when an ItemSelector made the
child's input (the item alone is not it), that input's JSON text; an EXPRESS child adds the
express id of its ARN (36 characters). About 100 bytes of JSON an item, besides its result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.engine.commands import CancelTask, InvokeTask
from stepwell.engine.context import iso_timestamp
from stepwell.engine.events import TaskFailed, TaskSucceeded
from stepwell.engine.history import to_json
from stepwell.engine.snapshot import Frame, MapWork
from stepwell.errors import RESULT_WRITER_FAILED, TIMEOUT

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter

S3_PUT_OBJECT_CALL = "arn:aws:states:::aws-sdk:s3:putObject"
MAX_FILE_BYTES = 5 * 1024**3  # "a file is capped at 5 GB, then the next index is used"
INCLUDED = {"Included": True}  # InputDetails / OutputDetails: nothing is left out
# A Run record (MapWork.runs[i]): [name, started, stopped, status, input text, express id].
NAME, STARTED, STOPPED, STATUS, INPUT, EXPRESS_ID = range(6)
UNSUCCESSFUL = ("FAILED", "TIMED_OUT", "ABORTED")


# ---- what each item's child execution was ------------------------------------------------------
def keeps_runs(state: m.MapState) -> bool:
    return state.distributed and state.result_writer is not None


def launched(it: Interpreter, state: m.MapState, work: MapWork, index: int, name: str | None = None) -> None:
    """Item ``index``'s child execution starts (``name``: the one the runtime was asked to give
    it; an iteration run here gets one of its own)."""
    if not work.runs:
        return
    express = it.entropy.uuid4() if state.execution_type == "EXPRESS" else None
    work.runs[index] = [name or it.entropy.uuid4(), it.now, None, "RUNNING", None, express]


def input_made(state: m.MapState, work: MapWork, index: int, value: Any) -> None:
    """The child's input, kept only when an ItemSelector made it (otherwise it is the item)."""
    if (
        work.runs
        and work.runs[index] is not None
        and state.item_selector is not None
        and not work.batch_sizes
    ):
        work.runs[index][INPUT] = to_json(value)


def ended(
    it: Interpreter,
    work: MapWork,
    index: int,
    error: str | None = None,
    aborted: bool = False,
    times: Any = None,
) -> None:
    """The child execution ended (``times``: its ChildTimes, when the runtime ran it)."""
    if not work.runs or work.runs[index] is None:
        return
    run = work.runs[index]
    if times is not None:
        run[STARTED], run[STOPPED] = times.started, times.stopped
    else:
        run[STOPPED] = it.now
    if aborted:
        run[STATUS] = "ABORTED"
    elif error is None:
        run[STATUS] = "SUCCEEDED"
    else:
        run[STATUS] = "TIMED_OUT" if error == TIMEOUT else "FAILED"


# ---- the entries -------------------------------------------------------------------------------
def _entry(it: Interpreter, state: m.MapState, work: MapWork, index: int) -> dict[str, Any]:
    """An item's record with Transformation NONE, as the guide quotes one ("Input"/"Output" JSON
    text, dates ISO 8601 with milliseconds). Unconfirmed: a failed child's record adds Error and
    Cause (as DescribeExecution does) and has no Output; an unsuccessful child's RedriveStatus is
    REDRIVABLE_BY_MAP_RUN (botocore: "indicates whether or not the Map Run can redrive child
    workflow executions"); an EXPRESS child's record has the same fields."""
    run = work.runs[index]
    label = state.label or state.name
    machine_arn = f"{it.snap.execution.state_machine_arn}/{label}"
    if run[EXPRESS_ID] is not None:
        base = it.snap.execution.state_machine_arn.replace(":stateMachine:", ":express:")
        execution_arn = f"{base}/{label}:{run[NAME]}:{run[EXPRESS_ID]}"
    else:
        base = it.snap.execution.state_machine_arn.replace(":stateMachine:", ":execution:")
        execution_arn = f"{base}/{label}:{run[NAME]}"
    status = run[STATUS]
    text = run[INPUT] if run[INPUT] is not None else to_json(work.items[index])
    entry: dict[str, Any] = {}
    result = work.results[index]
    if status in ("FAILED", "TIMED_OUT") and isinstance(result, dict):
        entry["Cause"] = result.get("Cause")
        entry["Error"] = result.get("Error")
    entry.update({"ExecutionArn": execution_arn, "Input": text, "InputDetails": INCLUDED, "Name": run[NAME]})
    if status == "SUCCEEDED":
        entry["Output"] = to_json(result)
        entry["OutputDetails"] = INCLUDED
    entry["RedriveCount"] = 0
    if status == "SUCCEEDED":
        entry["RedriveStatus"] = "NOT_REDRIVABLE"
        entry["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        entry["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
    entry["StartDate"] = iso_timestamp(run[STARTED])
    entry["StateMachineArn"] = machine_arn
    entry["Status"] = status
    entry["StopDate"] = iso_timestamp(run[STOPPED] if run[STOPPED] is not None else it.now)
    return entry


def _pending_entry(work: MapWork, index: int) -> dict[str, Any]:
    """An item whose child never started. Its fields are unconfirmed: its input (the item, or
    the batch) and its status."""
    return {"Input": to_json(work.items[index]), "InputDetails": INCLUDED, "Status": "PENDING"}


def _transformed(transformation: str, entry: dict[str, Any], output: Any) -> list[Any]:
    """A succeeded child's values in a SUCCEEDED file: its record (NONE), its output (COMPACT),
    or, with FLATTEN, an output that is an array as its elements ("If a child workflow
    execution returns an array, this option flattens the array")."""
    if transformation == "NONE":
        return [entry]
    if transformation == "FLATTEN" and isinstance(output, list):
        return list(output)
    return [output]


def sorted_entries(it: Interpreter, state: m.MapState, work: MapWork) -> dict[str, list[Any]]:
    """Every item's values by the file they go to: SUCCEEDED, FAILED (always NONE records:
    "Failed children are always written as NONE records") and PENDING, in item order."""
    writer = state.result_writer
    assert writer is not None
    files: dict[str, list[Any]] = {"SUCCEEDED": [], "FAILED": [], "PENDING": []}
    for index in range(len(work.items)):
        run = work.runs[index] if work.runs else None
        if run is None or run[STATUS] == "RUNNING":
            if run is None:
                files["PENDING"].append(_pending_entry(work, index))
            continue
        entry = _entry(it, state, work, index)
        if run[STATUS] == "SUCCEEDED":
            files["SUCCEEDED"].extend(_transformed(writer.transformation, entry, work.results[index]))
        else:
            files["FAILED"].append(entry)
    return files


def file_bodies(values: list[Any], output_type: str, limit: int = MAX_FILE_BYTES) -> list[str]:
    """The texts of one kind's files: a JSON array, or JSON Lines (one value a line), each at
    most ``limit`` bytes of UTF-8 (a value too big for any file makes one of its own). AWS's
    "capped at 5 GB" does not say how a file is cut: here, between values (unconfirmed)."""
    jsonl = output_type == "JSONL"
    # bytes a value adds: its text and a newline (JSON Lines) or a comma (an array's, but the first)
    empty = 0 if jsonl else 2  # "[]"
    bodies: list[str] = []
    current: list[str] = []
    size = empty
    for value in values:
        text = to_json(value)
        adds = len(text.encode("utf-8")) + (1 if jsonl or current else 0)
        if current and size + adds > limit:
            bodies.append(_body(current, jsonl))
            current, size = [], empty
            adds = len(text.encode("utf-8")) + (1 if jsonl else 0)
        current.append(text)
        size += adds
    if current:
        bodies.append(_body(current, jsonl))
    return bodies


def _body(texts: list[str], jsonl: bool) -> str:
    # JSON Lines end each line with a newline; the ".json" name is kept for them too (unconfirmed).
    return "".join(t + "\n" for t in texts) if jsonl else "[" + ",".join(texts) + "]"


# ---- writing -----------------------------------------------------------------------------------
def exports(work: MapWork) -> bool:
    return bool(work.writer_target)


def write(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork, after: list[Any]) -> None:
    """Write the result files (the Map state waits; ``after`` is what follows them)."""
    writer = state.result_writer
    assert writer is not None and work.map_run_arn is not None
    bucket, folder = work.writer_target[0], _folder(work)
    files = sorted_entries(it, state, work)
    listed: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for kind in ("SUCCEEDED", "FAILED", "PENDING"):
        for n, body in enumerate(file_bodies(files[kind], writer.output_type)):
            key = f"{folder}/{kind}_{n}.json"
            listed[kind].append({"Key": key, "Size": len(body.encode("utf-8"))})
            _put(it, frame, work, bucket, key, body)
    # "manifest.json as produced by AWS" (reference §3.6), written once the files it lists are.
    manifest = {"DestinationBucket": bucket, "MapRunArn": work.map_run_arn, "ResultFiles": listed}
    work.manifest = to_json(manifest)
    work.after_writing = after
    work.written = [0, 0]
    frame.waiting = "children"
    if not work.writes:
        _write_manifest(it, frame, work)


def _folder(work: MapWork) -> str:
    """``<Prefix>/<MapRunId>``; without a Prefix, ``<MapRunId>`` (unconfirmed)."""
    assert work.map_run_arn is not None
    prefix, run_id = work.writer_target[1], work.map_run_arn.rsplit(":", 1)[1]
    return f"{prefix.rstrip('/')}/{run_id}" if prefix else run_id


def _put(it: Interpreter, frame: Frame, work: MapWork, bucket: str, key: str, body: str) -> None:
    task_id = it.snap.next_id("w")
    it.snap.open_tasks[task_id] = frame.id
    work.writes.append(task_id)
    payload = {"Bucket": bucket, "Key": key, "Body": body}
    it.commands.append(InvokeTask(task_id, S3_PUT_OBJECT_CALL, payload, frame.state or "", 0))


def _write_manifest(it: Interpreter, frame: Frame, work: MapWork) -> None:
    assert work.manifest is not None
    _put(it, frame, work, work.writer_target[0], f"{_folder(work)}/manifest.json", work.manifest)
    work.manifest = None


def is_write(work: MapWork, task_id: str) -> bool:
    return task_id in work.writes


def answered(it: Interpreter, frame: Frame, event: TaskSucceeded | TaskFailed) -> bool:
    """A write was answered: True once the writing is over and the Map state goes on with
    ``after_writing``: every file written, or one write failed (then ``after_writing`` is the
    failure, States.ResultWriterFailed, and the other writes are given up)."""
    work = frame.work
    assert isinstance(work, MapWork)
    work.writes.remove(event.task_id)
    it.snap.open_tasks.pop(event.task_id, None)
    if isinstance(event, TaskFailed):
        # "Bucket must be in the same account and Region, otherwise States.ResultWriterFailed";
        # the cause is the S3 error's (unconfirmed: AWS's wording is not recorded).
        cancel_writes(it, work)
        work.after_writing = [RESULT_WRITER_FAILED, event.cause or event.error or ""]
        work.written = [0, 0]
        return True
    if work.writes:
        return False
    if work.manifest is not None:
        _write_manifest(it, frame, work)
        return False
    work.written = _counted(work)
    return True


def _counted(work: MapWork) -> list[int]:
    """The child executions, and the items, whose results the files hold (resultsWritten): those
    that ended; the pending ones are listed, not written (unconfirmed)."""
    ended_runs = [i for i, run in enumerate(work.runs) if run is not None and run[STATUS] != "RUNNING"]
    items = sum(work.batch_sizes[i] for i in ended_runs) if work.batch_sizes else len(ended_runs)
    return [len(ended_runs), items]


def cancel_writes(it: Interpreter, work: MapWork) -> None:
    """The writes still out are given up (the execution stopped, or one of them failed)."""
    for task_id in work.writes:
        it.snap.open_tasks.pop(task_id, None)
        it.commands.append(CancelTask(task_id))
    work.writes = []
    work.manifest = None


def output(it: Interpreter, state: m.MapState, work: MapWork) -> Any:
    """The Map state's result: with an export, where it went ("MapRunArn", "ResultWriterDetails");
    with WriterConfig only, the entries formatted (unconfirmed beyond the guide's "output
    formatted, returned as state output": in item order, as an array for JSON and as JSON Lines
    text for JSONL)."""
    if exports(work):
        details = {"Bucket": work.writer_target[0], "Key": f"{_folder(work)}/manifest.json"}
        return {"MapRunArn": work.map_run_arn, "ResultWriterDetails": details}
    writer = state.result_writer
    assert writer is not None
    values: list[Any] = []
    for index in range(len(work.items)):
        run = work.runs[index]
        if run is None or run[STATUS] == "RUNNING":
            continue
        entry = _entry(it, state, work, index)
        if run[STATUS] == "SUCCEEDED":
            values.extend(_transformed(writer.transformation, entry, work.results[index]))
        else:
            values.append(entry)
    if writer.output_type == "JSONL":
        return "".join(to_json(v) + "\n" for v in values)
    return values


def reopened(work: MapWork) -> None:
    """A redrive runs the Map Run again: its results are written again at its end ("After a
    Map Run redrive, manifest.json lists successes across all attempts but failures/pendings of
    the latest attempt only": the items' runs are kept, the unsuccessful ones run again)."""
    work.after_writing, work.written, work.writes, work.manifest = [], [], [], None


def start_run(it: Interpreter, state: m.MapState, work: MapWork, scope: Any) -> None:
    """The Map Run starts: where its results go (Bucket and Prefix, evaluated now), and room for
    each item's child execution."""
    writer = state.result_writer
    if writer is None or not state.distributed:
        return
    work.runs = [None] * len(work.items)
    if writer.arguments is not None:
        target = writer.arguments.evaluate(scope)
        target = target if isinstance(target, dict) else {}
        work.writer_target = [str(target.get("Bucket", "")), str(target.get("Prefix", ""))]
