"""An S3 object's text to items, as the ReaderConfig says (reference integrations §3.2): a JSON
array (or the array an ``ItemsPointer`` selects in a JSON object), JSON Lines, or CSV.

CSV, as AWS parses it (§3.2.1): every value is a string; double quotes are optional, a quoted field
may hold the delimiter and newlines, ``""`` in it is a quote; a backslash escapes the next character
(and is dropped); a row shorter than the header is completed with ``""``, a longer one cut; a final
newline adds no row. The header is the first row (FIRST_ROW) or CSVHeaders (GIVEN).

Compressed objects (§3.2: "GZIP and ZSTD by file extension") arrive as bytes (base64 text) and are
decompressed here; ZSTD is not in this Python's standard library, so such an object fails the read.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import zlib
from collections.abc import Sequence
from typing import Any

from stepwell.asl import jsoncodec
from stepwell.asl import model as m
from stepwell.asl.json_pointer import PointerError, resolve
from stepwell.errors import ITEM_READER_FAILED, WorkflowError

GZIP_SUFFIXES = (".gz", ".gzip")
ZSTD_SUFFIXES = (".zst", ".zstd")


def read_items(reader: m.ItemReader, text: str, max_items: int) -> list[Any]:
    """The items of the object's text (at most ``max_items``; 0: all), or ItemReaderFailed."""
    if reader.input_type == "CSV":
        headers = reader.headers if reader.header_location == "GIVEN" else None
        items = csv_items(text, reader.delimiter, headers, max_items)
    elif reader.input_type == "JSONL":
        items = [json_value(line) for line in text.splitlines() if line.strip()]
    else:
        items = json_value(text)
        if reader.items_pointer is not None:
            items = _pointed(items, reader.items_pointer)
        if not isinstance(items, list):  # recorded against AWS (Sept 2023)
            raise WorkflowError(ITEM_READER_FAILED, "Attempting to map over non-iterable node.")
    return items[:max_items] if max_items else items


def json_value(text: str) -> Any:
    """A JSON text's value, or ItemReaderFailed naming what is wrong with it."""
    try:
        return jsoncodec.loads(text)
    except jsoncodec.JsonError as bad:
        raise WorkflowError(
            ITEM_READER_FAILED, f"The item reader could not parse the object: {bad.message}"
        ) from None


def _pointed(document: Any, pointer: str) -> Any:
    # AWS's wording for a pointer that selects nothing is not recorded (reference §4): ours.
    try:
        return resolve(document, pointer)
    except PointerError as missing:
        raise WorkflowError(
            ITEM_READER_FAILED,
            f"The ItemsPointer '{pointer}' selects nothing in the object: {missing.message}.",
        ) from None


def csv_items(
    text: str, delimiter: str, headers: Sequence[str] | None, max_items: int
) -> list[dict[str, str]]:
    """The rows of a CSV text as objects keyed by ``headers`` (None: the first row's)."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, escapechar="\\", doublequote=True)
    names = list(headers) if headers is not None else next(rows, [])
    if len(set(names)) != len(names):  # recorded against AWS
        raise WorkflowError(ITEM_READER_FAILED, "CSV headers cannot contain duplicates.")
    items: list[dict[str, str]] = []
    for row in rows:
        if not row:
            continue  # a blank line
        values = row[: len(names)] + [""] * (len(names) - len(row))
        items.append(dict(zip(names, values, strict=True)))
        if max_items and len(items) >= max_items:
            break
    return items


def csv_header(text: str, delimiter: str) -> list[str]:
    """The names in a CSV text's first row."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, escapechar="\\", doublequote=True)
    return next(rows, [])


def compressed(key: str) -> bool:
    """Whether the object's extension says it is compressed (its bytes must be asked for)."""
    return key.lower().endswith(GZIP_SUFFIXES + ZSTD_SUFFIXES)


def object_text(key: str, body: Any) -> str:
    """The text of an object's Body: as it came, or, for a compressed object, its base64 bytes
    decompressed (UTF-8)."""
    if not isinstance(body, str):
        return ""
    if not compressed(key):
        return body
    if key.lower().endswith(ZSTD_SUFFIXES):
        raise WorkflowError(
            ITEM_READER_FAILED, f"stepwell cannot decompress the ZSTD object '{key}' (GZIP only)."
        )
    try:
        # wbits 16 + MAX_WBITS: a gzip member, header and trailer checked (RFC 1952).
        return zlib.decompress(base64.b64decode(body, validate=True), 16 + zlib.MAX_WBITS).decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as bad:
        raise WorkflowError(
            ITEM_READER_FAILED, f"The item reader could not decompress the object '{key}': {bad}"
        ) from None
