"""A Distributed Map's items read from an S3 object's text, as its ItemReader's ReaderConfig says
(reference integrations §3.2): a JSON array, JSON Lines, or CSV.

CSV, as AWS parses it (§3.2.1): every value is a string; double quotes are optional, a quoted field
may hold the delimiter and newlines, ``""`` in it is a quote; a backslash escapes the next character
(and is dropped); a row shorter than the header is completed with ``""``, a longer one cut; a final
newline adds no row. The header is the first row (FIRST_ROW) or CSVHeaders (GIVEN).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from stepwell.asl import jsoncodec
from stepwell.asl import model as m
from stepwell.errors import WorkflowError

ITEM_READER_FAILED = "States.ItemReaderFailed"


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
