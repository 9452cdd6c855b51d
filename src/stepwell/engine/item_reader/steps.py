"""A Distributed Map's ItemReader as the Map state's steps: the S3 calls it asks the runtime for
(InvokeTask, one at a time, through the runtime's AWS SDK integration), and what it does with each
answer (TaskSucceeded / TaskFailed), until its items run (reference integrations §3.2).

    getObject, InputType CSV | JSON | JSONL   one "object" call: its items; a large CSV or JSONL
                                               object is read a range at a time ("range" calls)
                                               while its items run (streamed.py)
    getObject, InputType PARQUET               one "object" call for the whole object's bytes
                                               (its footer is at its end): its rows (parquet.py)
    listObjectsV2                              "page" calls, one per ContinuationToken, until the
                                               listing ends or MaxItems items are listed
    listObjectsV2, LOAD_AND_FLATTEN            each page, then a "listed" getObject per object on it
                                               (as bytes, each object read as Parquet, for PARQUET)
    getObject, S3_INVENTORY (MANIFEST)         the "manifest", then a "file" getObject per data file

Where the reader has got to is the frame's ReaderWork (engine/snapshot.py): the snapshot a store
keeps between two calls says which call is out and what comes after it, so a restart goes on.
Any failure (the call's, or the object's content) fails the Map Run with States.ItemReaderFailed:
MapStateStarted (length 0), MapRunStarted, MapRunFailed, then the Map state's failure (§3.2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.engine import fanout, map_items, map_runs
from stepwell.engine.commands import InvokeTask
from stepwell.engine.events import TaskFailed, TaskSucceeded
from stepwell.engine.item_reader import streamed
from stepwell.engine.item_reader.inventory import manifest_files
from stepwell.engine.item_reader.listing import is_folder, listed_item, next_token, page_objects
from stepwell.engine.item_reader.parsing import compressed, csv_items, object_text, read_items
from stepwell.engine.snapshot import Frame, ReaderWork
from stepwell.errors import ITEM_READER_FAILED, WorkflowError

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter

# The reader's calls, made with the AWS SDK integration's actions (an object's Body is its text).
S3_GET_OBJECT_CALL = "arn:aws:states:::aws-sdk:s3:getObject"
S3_LIST_OBJECTS_CALL = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
# A compressed or Parquet object's bytes, which the SDK action's text Body would spoil: the runtime
# answers this one with the object's bytes as base64 text in Body (runtime/invokers/s3_objects.py).
S3_GET_OBJECT_BYTES_CALL = "arn:aws:states:::s3:getObject"

ATHENA_NOT_READ = (
    "stepwell does not read ATHENA_DATA manifests: the manifest's format is not recorded in its "
    "reference (an S3_INVENTORY manifest, a listing or an object can be read)."
)


def start_reading(
    it: Interpreter, frame: Frame, state: m.MapState, reader: m.ItemReader, scope: Any, selector_input: Any
) -> None:
    """Ask for the reader's first call; the items come with the answers (``items_read``)."""
    effective = scope if state.is_jsonata else scope.with_input(selector_input)
    evaluated = reader.arguments.evaluate(effective) if reader.arguments is not None else {}
    arguments: dict[str, Any] = evaluated if isinstance(evaluated, dict) else {}
    max_items = map_items.whole_number(reader.max_items, effective, "MaxItems") or 0
    if reader.manifest_type == "ATHENA_DATA":
        reader_failed(it, frame, state, ITEM_READER_FAILED, ATHENA_NOT_READ)
        return
    work = ReaderWork("", selector_input if state.item_selector is not None else None, max_items)
    frame.work = work
    bucket = arguments.get("Bucket")
    work.bucket = bucket if isinstance(bucket, str) else ""  # of a listing's objects, an inventory's files
    if reader.listing:
        work.listing = arguments
        _ask(it, frame, state, work, "page", S3_LIST_OBJECTS_CALL, arguments)
        return
    key = arguments.get("Key")
    work.keys = [key if isinstance(key, str) else ""]
    if streamed.streams(state, reader, work.keys[0]):  # a range first: a large object is streamed
        work.listing = arguments
        _ask(it, frame, state, work, "range", streamed.S3_GET_RANGE_CALL, streamed.first_range(arguments))
        return
    reading = "manifest" if reader.manifest_type == "S3_INVENTORY" else "object"
    _ask(it, frame, state, work, reading, _get_object_call(reader, work.keys[0]), arguments)


def _get_object_call(reader: m.ItemReader, key: str) -> str:
    """The call for an object: as bytes when it is compressed or Parquet, else as text."""
    wants_bytes = compressed(key) or reader.input_type == "PARQUET"
    return S3_GET_OBJECT_BYTES_CALL if wants_bytes else S3_GET_OBJECT_CALL


def _ask(
    it: Interpreter,
    frame: Frame,
    state: m.MapState,
    work: ReaderWork,
    reading: str,
    resource: str,
    payload: Any,
) -> None:
    task_id = it.snap.next_id("r")
    it.snap.open_tasks[task_id] = frame.id
    work.task_id, work.reading = task_id, reading
    frame.waiting = "items"
    it.commands.append(InvokeTask(task_id, resource, payload, state.name, 0))


def items_read(it: Interpreter, frame: Frame, event: TaskSucceeded | TaskFailed) -> None:
    """A call's answer: the reader asks for its next call, its items run, or the Map Run fails
    with States.ItemReaderFailed."""
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
        _READINGS[work.reading](reader, work, output)
        if not _ask_next(it, frame, state, reader, work):
            items = work.items[: work.max_items] if work.max_items else work.items
            fanout.run_items(
                it,
                frame,
                state,
                it.scope(frame, frame.input),
                items,
                work.selector_input,
                work.sources,
                work.stream,
            )

    try:
        go_on()
    except WorkflowError as failure:
        reader_failed(it, frame, state, failure.error, failure.cause)
    if not frame.closed and frame.waiting is None:
        it.runnable.append(frame)


def _ask_next(
    it: Interpreter, frame: Frame, state: m.MapState, reader: m.ItemReader, work: ReaderWork
) -> bool:
    """Ask for the reader's next call, if it needs one (False: all its items are read)."""
    if work.max_items and len(work.items) >= work.max_items:
        return False  # MaxItems: nothing more is listed or read
    if work.keys:
        resource = _get_object_call(reader, work.keys[0])
        reading = "listed" if reader.listing else "file"
        _ask(it, frame, state, work, reading, resource, {"Bucket": work.bucket, "Key": work.keys[0]})
        return True
    if work.continuation is not None:
        _ask(
            it,
            frame,
            state,
            work,
            "page",
            S3_LIST_OBJECTS_CALL,
            {**work.listing, "ContinuationToken": work.continuation},
        )
        return True
    return False


# ---- each call's answer -------------------------------------------------------------------------
def _left(work: ReaderWork) -> int:
    """How many more items may be read (0: no limit)."""
    return max(work.max_items - len(work.items), 1) if work.max_items else 0


def _from(work: ReaderWork, source: str) -> None:
    """The items read next come from ``source`` ($$.Map.Item.Source: engine/context.py)."""
    if not work.sources or work.sources[-1][1] != source:
        work.sources.append([len(work.items), source])


def _object(reader: m.ItemReader, work: ReaderWork, output: dict[str, Any]) -> None:
    # A read saved by the version before this one kept no key (it read only uncompressed objects).
    key = work.keys.pop(0) if work.keys else ""
    _from(work, f"S3://{work.bucket}/{key}")
    work.items = _object_items(reader, key, output, work.max_items)


def _range(reader: m.ItemReader, work: ReaderWork, output: dict[str, Any]) -> None:
    """The object's first range: the whole object, or the first items of a streamed read."""
    key = work.keys.pop(0)
    _from(work, f"S3://{work.bucket}/{key}")
    data = streamed.body_bytes(output)
    size = streamed.object_size(output)
    if size is None or size <= len(data):
        work.items = read_items(reader, data.decode("utf-8", errors="replace"), work.max_items)
        return
    work.items, work.stream = streamed.begin(reader, data, size, work.listing, work.max_items)


def _page(reader: m.ItemReader, work: ReaderWork, output: dict[str, Any]) -> None:
    entries = page_objects(output)
    if reader.load_and_flatten:
        work.keys = [e["Key"] for e in entries if isinstance(e.get("Key"), str) and not is_folder(e)]
    else:
        _from(work, f"S3://{work.bucket}")
        work.items.extend(listed_item(entry) for entry in entries)
    work.continuation = next_token(output)


def _listed(reader: m.ItemReader, work: ReaderWork, output: dict[str, Any]) -> None:
    key = work.keys.pop(0)
    _from(work, f"S3://{work.bucket}/{key}")
    work.items.extend(_object_items(reader, key, output, _left(work)))


def _object_items(reader: m.ItemReader, key: str, output: dict[str, Any], max_items: int) -> list[Any]:
    """An object's items (at most ``max_items``; 0: all) from the answer to its getObject."""
    if reader.input_type == "PARQUET":
        # Imported here: pyarrow's import costs more than the rest of the engine's (parquet.py).
        from stepwell.engine.item_reader.parquet import parquet_items

        return parquet_items(key, streamed.body_bytes(output), max_items)
    return read_items(reader, object_text(key, output.get("Body")), max_items)


def _manifest(reader: m.ItemReader, work: ReaderWork, output: dict[str, Any]) -> None:
    manifest_key = work.keys.pop(0)
    # The data files are in the manifest's own bucket (``work.bucket``), the inventory's destination.
    work.keys, work.headers = manifest_files(object_text(manifest_key, output.get("Body")))


def _file(reader: m.ItemReader, work: ReaderWork, output: dict[str, Any]) -> None:
    key = work.keys.pop(0)
    _from(work, f"S3://{work.bucket}/{key}")
    text = object_text(key, output.get("Body"))
    work.items.extend(csv_items(text, reader.delimiter, work.headers, _left(work)))


_READINGS: dict[str, Callable[[m.ItemReader, ReaderWork, dict[str, Any]], None]] = {
    "object": _object,
    "range": _range,
    "page": _page,
    "listed": _listed,
    "manifest": _manifest,
    "file": _file,
}


def reader_failed(it: Interpreter, frame: Frame, state: m.MapState, error: str, cause: str | None) -> None:
    it.history.add("MapStateStarted", frame, {"length": 0})
    if state.distributed:
        it.history.add("MapRunStarted", frame, {"mapRunArn": map_runs.map_run_arn(it, state)})
        it.history.add("MapRunFailed", frame, {"error": error, "cause": cause})
    it.state_failed(frame, state, error, cause, from_children=True)
