"""A Distributed Map's ItemReader: the object it names is asked for (the AWS SDK integration's
s3:getObject, through the runtime), and its items are read from the object's text as the
ReaderConfig says (reference integrations §3.2): a JSON array, JSON Lines, or CSV.

CSV, as AWS parses it (§3.2.1): every value is a string; double quotes are optional, a quoted field
may hold the delimiter and newlines, ``""`` in it is a quote; a backslash escapes the next character
(and is dropped); a row shorter than the header is completed with ``""``, a longer one cut; a final
newline adds no row. The header is the first row (FIRST_ROW) or CSVHeaders (GIVEN).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from stepwell.asl import jsoncodec
from stepwell.asl import model as m
from stepwell.engine import fanout, map_runs
from stepwell.engine.commands import InvokeTask
from stepwell.engine.events import TaskFailed, TaskSucceeded
from stepwell.engine.snapshot import Frame, ReaderWork
from stepwell.errors import WorkflowError

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter

ITEM_READER_FAILED = "States.ItemReaderFailed"
# An ItemReader's object, read with the AWS SDK integration's call (its Body is the object's text).
S3_GET_OBJECT_CALL = "arn:aws:states:::aws-sdk:s3:getObject"


def read_items(reader: m.ItemReader, text: str, max_items: int) -> list[Any]:
    """The items of the object's text (at most ``max_items``; 0: all), or ItemReaderFailed."""
    if reader.input_type == "CSV":
        items = _csv(reader, text, max_items)
    elif reader.input_type == "JSONL":
        items = [_json(line) for line in text.splitlines() if line.strip()]
    else:
        items = _json(text)
        if not isinstance(items, list):  # recorded against AWS (Sept 2023)
            raise WorkflowError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.")
    return items[:max_items] if max_items else items


def _json(text: str) -> Any:
    try:
        return jsoncodec.loads(text)
    except jsoncodec.JsonError as bad:
        raise WorkflowError(
            ITEM_READER_FAILED, f"The item reader could not parse the object: {bad.message}"
        ) from None


def _csv(reader: m.ItemReader, text: str, max_items: int) -> list[dict[str, str]]:
    rows = csv.reader(
        io.StringIO(text, newline=""), delimiter=reader.delimiter, escapechar="\\", doublequote=True
    )
    headers = list(reader.headers) if reader.header_location == "GIVEN" else next(rows, [])
    if len(set(headers)) != len(headers):  # recorded against AWS
        raise WorkflowError(ITEM_READER_FAILED, "CSV headers cannot contain duplicates.")
    items: list[dict[str, str]] = []
    for row in rows:
        if not row:
            continue  # a blank line
        values = row[: len(headers)] + [""] * (len(headers) - len(row))
        items.append(dict(zip(headers, values, strict=True)))
        if max_items and len(items) >= max_items:
            break
    return items


# ---- the Map state's steps --------------------------------------------------------------------
def start_reading(
    it: Interpreter, frame: Frame, state: m.MapState, reader: m.ItemReader, scope: Any, selector_input: Any
) -> None:
    """Ask for the ItemReader's object (s3:getObject through the runtime's AWS calls); the items
    come with its answer (``items_read``)."""
    effective = scope if state.is_jsonata else scope.with_input(selector_input)
    arguments = reader.arguments.evaluate(effective) if reader.arguments is not None else {}
    max_items = fanout.whole_number(reader.max_items, effective, "MaxItems") or 0
    task_id = it.snap.next_id("r")
    it.snap.open_tasks[task_id] = frame.id
    frame.work = ReaderWork(task_id, selector_input if state.item_selector is not None else None, max_items)
    frame.waiting = "items"
    it.commands.append(InvokeTask(task_id, S3_GET_OBJECT_CALL, arguments, state.name, 0))


def items_read(it: Interpreter, frame: Frame, event: TaskSucceeded | TaskFailed) -> None:
    """The ItemReader's object came (its items run) or could not be read (the Map Run fails with
    States.ItemReaderFailed: "MapStateStarted.length = 0", then MapRunFailed)."""
    work = frame.work
    assert isinstance(work, ReaderWork)
    it.snap.open_tasks.pop(work.task_id, None)
    state = it.states[frame.state or ""]
    assert isinstance(state, m.MapState) and state.item_reader is not None
    frame.waiting = None
    reader = state.item_reader

    def go_on() -> None:
        if isinstance(event, TaskFailed):
            raise WorkflowError(ITEM_READER_FAILED, event.cause or event.error or "")
        output = event.output if isinstance(event.output, dict) else {}
        body = output.get("Body")
        items = read_items(reader, body if isinstance(body, str) else "", work.max_items)
        fanout.run_items(it, frame, state, it.scope(frame, frame.input), items, work.selector_input)

    try:
        go_on()
    except WorkflowError as failure:
        reader_failed(it, frame, state, failure.error, failure.cause)
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def reader_failed(it: Interpreter, frame: Frame, state: m.MapState, error: str, cause: str | None) -> None:
    it.history.add("MapStateStarted", frame, {"length": 0})
    if state.distributed:
        it.history.add("MapRunStarted", frame, {"mapRunArn": map_runs.map_run_arn(it, state)})
        it.history.add("MapRunFailed", frame, {"error": error, "cause": cause})
    it.state_failed(frame, state, error, cause, from_children=True)
