"""A large CSV or JSON Lines object read a range at a time while its items run (issue 12: "Items
are read and dispatched in a stream (never the whole object in memory), with MaxConcurrency
respected and progress visible in DescribeMapRun while it runs").

A JSON array (without an ItemsPointer) is read the same way: its elements are split at the
commas between them, outside strings and nested values.

The first GetObject asks for the object's first ``CHUNK`` bytes (``Range: bytes=0-…``); its
``ContentRange`` (``bytes 0-4194303/31000000``) says how big the object is. An object that came
whole is read as before (parsing.py). Otherwise the complete records of the range are the first
items, the Map starts them, and the bytes after the last complete record are carried to the next
range, asked for when fewer than twice MaxConcurrency items are waiting to start: at most
MaxConcurrency items run, at most about two ranges' items wait, and an item whose iteration
succeeded is dropped from the snapshot (a redrive runs only the failed ones). The Map state ends when the last
range is read and every item has run.

Ranges are asked for as bytes (the runtime's ``arn:aws:states:::s3:getObject``, base64 in Body):
a range may end inside a UTF-8 character; records end at a newline, which never does. A CSV
record ends at a newline outside double quotes (a backslash escapes the next character, as
parsing.py's CSV reads it).

Not streamed (read whole, as before): a JSON object with an ItemsPointer, Parquet objects (their
footer is at the end), compressed objects (a decompressor's state cannot be kept in a snapshot),
listings and manifests. With a ResultWriter, whose files list every item's input, the items stay in
the snapshot until the files are written.

What AWS records as MapStateStarted's ``length`` and the Map Run's total while a large object is
still being read is not known (no recording): here ``length`` is the first range's item count,
and the Map Run's counts grow as ranges are read.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.engine.commands import InvokeTask
from stepwell.engine.events import TaskFailed, TaskSucceeded
from stepwell.engine.item_reader.parsing import compressed, csv_header, csv_items, json_value
from stepwell.engine.snapshot import Frame, MapWork
from stepwell.errors import ITEM_READER_FAILED, WorkflowError

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter

CHUNK = 4 * 1024 * 1024  # bytes per ranged GetObject
# The reader's call for a range (bytes, base64 in Body: runtime/invokers/s3_objects.py).
S3_GET_RANGE_CALL = "arn:aws:states:::s3:getObject"
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_CSV_MARKS = re.compile(rb'["\\\n]')  # what can end, open or escape a CSV record
_JSON_MARKS = re.compile(rb'["\\\[\]{},]')  # what JSON's structure is made of


def streams(state: m.MapState, reader: m.ItemReader, key: str) -> bool:
    """Whether the Map's object is read a range at a time."""
    return (
        state.distributed
        and not reader.listing
        and not reader.manifest_type
        and reader.input_type in ("CSV", "JSONL", "JSON")
        and reader.items_pointer is None
        and not compressed(key)
    )


def first_range(arguments: dict[str, Any]) -> dict[str, Any]:
    return {**arguments, "Range": f"bytes=0-{CHUNK - 1}"}


def object_size(answer: dict[str, Any]) -> int | None:
    """The whole object's size, from a ranged answer's ContentRange (None: it came whole)."""
    found = _CONTENT_RANGE.fullmatch(str(answer.get("ContentRange") or ""))
    return int(found.group(3)) if found else None


def body_bytes(answer: dict[str, Any]) -> bytes:
    body = answer.get("Body")
    try:
        return base64.b64decode(body if isinstance(body, str) else "", validate=True)
    except ValueError as bad:
        raise WorkflowError(ITEM_READER_FAILED, f"The item reader could not read the object: {bad}") from None


def record_end(data: bytes, csv: bool) -> int:
    """The length of the complete records at the start of ``data`` (up to its last record end)."""
    if not csv or (b'"' not in data and b"\\" not in data):
        return data.rfind(b"\n") + 1  # no quotes, no escapes: every newline ends a record
    end, quoted, skip = 0, False, -1
    for found in _CSV_MARKS.finditer(data):
        position = found.start()
        if position == skip:  # the character a backslash escaped
            continue
        byte = data[position]
        if byte == 0x5C:  # a backslash escapes the next character
            skip = position + 1
        elif byte == 0x22:  # a double quote opens or closes a quoted field ("" is two of them)
            quoted = not quoted
        elif not quoted:  # a newline outside quotes ends a record
            end = position + 1
    return end


def json_elements(data: bytes) -> tuple[int, bool]:
    """Inside a JSON array (``data`` starts at an element, or at its closing bracket): the length
    of its complete elements, each with the comma after it, and whether the array closed there
    (then the length reaches the closing bracket, which is not counted). Only the bytes that
    matter are looked at: quotes, backslashes, brackets and commas."""
    end, depth, quoted, skip = 0, 0, False, -1
    for found in _JSON_MARKS.finditer(data):
        position = found.start()
        if position == skip:  # the character a backslash escaped
            continue
        byte = data[position]
        if quoted:
            if byte == 0x5C:
                skip = position + 1
            elif byte == 0x22:
                quoted = False
        elif byte == 0x22:
            quoted = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
        elif byte in (0x5D, 0x7D):  # ] }
            if depth == 0:
                return position, True  # the array's own closing bracket
            depth -= 1
        elif byte == 0x2C and depth == 0:  # a comma between two elements
            end = position + 1
    return end, False


def _array_start(data: bytes) -> int:
    """Where a JSON array's first element starts (after ``[``); ItemReaderFailed otherwise."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"["):  # recorded against AWS (Sept 2023), as parsing.py's
        raise WorkflowError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.")
    return len(data) - len(text) + 1


def _cut(reader: m.ItemReader, stream: dict[str, Any], data: bytes, last: bool) -> int:
    """How much of ``data`` holds whole records (the rest waits for the next range)."""
    if reader.input_type == "JSON":
        end, closed = json_elements(data)
        if closed:
            stream["closed"] = True
        elif last:
            raise WorkflowError(
                ITEM_READER_FAILED, "The item reader could not parse the object: the array does not end."
            )
        return end
    return len(data) if last else record_end(data, reader.input_type == "CSV")


def begin(
    reader: m.ItemReader, data: bytes, size: int, request: dict[str, Any], max_items: int
) -> tuple[list[Any], dict[str, Any]]:
    """The first range's items, and where the read has got to (MapWork.stream)."""
    start = _array_start(data) if reader.input_type == "JSON" else 0
    stream: dict[str, Any] = {"closed": False}
    end = start + _cut(reader, stream, data[start:], last=False)
    text = data[start:end].decode("utf-8", errors="replace")
    headers: list[str] = []
    if reader.input_type == "CSV":
        given = reader.header_location == "GIVEN"
        headers = list(reader.headers) if given else csv_header(text, reader.delimiter)
    stream |= {
        "request": request,
        "offset": len(data),
        "size": size,
        "carry": "" if stream["closed"] else base64.b64encode(data[end:]).decode("ascii"),
        "headers": headers,
        "task": "",
        "read": 0,
        "max": max_items,
        "pending": [],  # items read but not in a batch yet (an ItemBatcher's last, partial one)
    }
    if stream["closed"]:
        stream["offset"] = size  # what follows the array's end is not read
    first_row_header = reader.input_type == "CSV" and reader.header_location != "GIVEN"
    return _items(reader, stream, text, header_row=first_row_header), stream


def exhausted(stream: dict[str, Any]) -> bool:
    """Whether every byte is read (no range out, none left)."""
    return not stream["task"] and stream["offset"] >= stream["size"]


def _items(reader: m.ItemReader, stream: dict[str, Any], text: str, header_row: bool = False) -> list[Any]:
    left = stream["max"] - stream["read"] if stream["max"] else 0
    if reader.input_type == "CSV":
        names = None if header_row else stream["headers"]
        items: list[Any] = csv_items(text, reader.delimiter, names, left)
    elif reader.input_type == "JSON":
        elements = text.rstrip().removesuffix(",")
        items = json_value(f"[{elements}]") if elements.strip() else []
        items = items[:left] if left else items
    else:
        items = []
        for line in text.splitlines():
            if line.strip():
                items.append(json_value(line))
                if left and len(items) >= left:
                    break
    stream["read"] += len(items)
    if stream["max"] and stream["read"] >= stream["max"]:
        stream["offset"] = stream["size"]  # MaxItems: nothing more is read
        stream["carry"] = ""
    return items


# ---- while the items run --------------------------------------------------------------------
def more_to_read(work: MapWork) -> bool:
    """Whether items may still come: a range out, bytes not read, or a batch not made yet."""
    stream = work.stream
    return bool(stream) and bool(stream["task"] or stream["offset"] < stream["size"] or stream["pending"])


def forget_item(work: MapWork, index: int) -> None:
    """Item ``index``'s iteration succeeded: a streamed read keeps only the items still to run,
    running, or to run again in a redrive (and every item, when a ResultWriter lists them)."""
    if work.stream and not work.writer_target:
        work.items[index] = None


def is_range(work: MapWork, task_id: str) -> bool:
    return bool(work.stream) and work.stream["task"] == task_id


def read_ahead(it: Interpreter, frame: Frame, state: m.MapState, work: MapWork) -> None:
    """Ask for the next range when few items wait to start (about two ranges' worth at most)."""
    stream = work.stream
    if not stream or stream["task"] or stream["offset"] >= stream["size"]:
        return
    if len(work.items) - work.next > 2 * work.limit:  # waiting to start (no limit: none may wait)
        return
    start = stream["offset"]
    end = min(start + CHUNK, stream["size"]) - 1
    task_id = it.snap.next_id("r")
    it.snap.open_tasks[task_id] = frame.id
    stream["task"] = task_id
    payload = {**stream["request"], "Range": f"bytes={start}-{end}"}
    it.commands.append(InvokeTask(task_id, S3_GET_RANGE_CALL, payload, state.name, 0))


def range_read(
    it: Interpreter, frame: Frame, state: m.MapState, work: MapWork, event: TaskSucceeded | TaskFailed
) -> list[Any]:
    """A range came: its complete records' items (the caller runs them). Raises WorkflowError
    (States.ItemReaderFailed) when it could not be read."""
    stream = work.stream
    it.snap.open_tasks.pop(event.task_id, None)
    stream["task"] = ""
    if isinstance(event, TaskFailed):
        raise WorkflowError(ITEM_READER_FAILED, event.cause or event.error or "")
    reader = state.item_reader
    assert reader is not None
    answer = event.output if isinstance(event.output, dict) else {}
    body = body_bytes(answer)
    data = base64.b64decode(stream["carry"]) + body
    stream["offset"] += len(body)
    last = stream["offset"] >= stream["size"] or not body
    if not body:
        stream["offset"] = stream["size"]  # the object shrank meanwhile: nothing more to read
    end = _cut(reader, stream, data, last)
    stream["carry"] = "" if stream.get("closed") else base64.b64encode(data[end:]).decode("ascii")
    if stream.get("closed"):
        stream["offset"] = stream["size"]
    return _items(reader, stream, data[:end].decode("utf-8", errors="replace"))


def cancel_read(it: Interpreter, work: MapWork) -> str | None:
    """The range out, if any, given up (its task id: the caller cancels it)."""
    stream = work.stream
    if not stream or not stream["task"]:
        return None
    task_id = str(stream["task"])
    stream["task"] = ""
    it.snap.open_tasks.pop(task_id, None)
    return task_id
