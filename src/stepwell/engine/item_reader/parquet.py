"""A Parquet object's rows as items (``ReaderConfig.InputType: PARQUET``, reference integrations
§3.2: "Parquet internally GZIP/ZSTD/Snappy; Parquet row group ≤ 256 MB, footer ≤ 5 MB").

The object comes whole, as bytes (Parquet's footer is at its end, so it is never read a range at a
time), and is read with pyarrow in memory, on the calling thread (``use_threads=False``: the core
starts no thread). pyarrow is imported only when a Parquet object is read (steps.py): its import
costs more than the rest of the engine's.

Each row is an object keyed by column name. AWS does not document the shape of a Parquet item, so
the JSON values are our choice (unconfirmed):

    integers, floats, strings, booleans, null    as themselves; NaN and ±Infinity: null
    lists, structs                               arrays, objects; a map: an object (keys as text)
    timestamps                                   ISO-8601 text, to the column's unit
                                                 ("2023-11-14T22:13:20.123Z"; Z when the column
                                                 has a time zone, the instant in UTC; none if not)
    dates, times                                 ISO-8601 text ("2023-11-14", "22:13:20.5")
    durations                                    ISO-8601 text in seconds ("PT90.5S")
    decimals                                     numbers: integers at scale 0, else floats (digits
                                                 beyond a double's precision are lost)
    binary                                       base64 text
"""

from __future__ import annotations

import base64
import datetime
import io
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from stepwell.errors import ITEM_READER_FAILED, WorkflowError

MAX_ROW_GROUP_BYTES = 256 * 1024 * 1024  # "row group ≤ 256 MB" (§3.2; MB read as MiB: unconfirmed)
MAX_FOOTER_BYTES = 5 * 1024 * 1024  # "footer ≤ 5 MB"
_BATCH_ROWS = 4096  # rows converted at a time: MaxItems stops the read early
_EPOCH = datetime.datetime(1970, 1, 1)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}

Convert = Callable[[Any], Any]


def parquet_items(key: str, data: bytes, max_items: int) -> list[dict[str, Any]]:
    """The rows of the Parquet bytes ``data`` (at most ``max_items``; 0: all), or ItemReaderFailed."""
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        _check_limits(key, parquet.metadata)
        schema = parquet.schema_arrow
        names = list(schema.names)
        converts = [_converter(field.type) for field in schema]
        as_read = pa.schema([field.with_type(_as_read(field.type)) for field in schema])
        items: list[dict[str, Any]] = []
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, use_threads=False):
            columns = [
                [convert(v) for v in batch.column(i).cast(as_read.field(i).type).to_pylist()]
                for i, convert in enumerate(converts)
            ]
            items.extend(dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True))
            if max_items and len(items) >= max_items:
                break
    except (pa.ArrowException, OSError, ValueError, NotImplementedError) as bad:
        # Our wording: AWS's cause for a Parquet object it cannot read is not recorded (unconfirmed).
        raise WorkflowError(
            ITEM_READER_FAILED, f"The item reader could not read the Parquet object '{key}': {bad}"
        ) from None
    return items[:max_items] if max_items else items


def _check_limits(key: str, metadata: Any) -> None:
    # AWS's causes for these limits are not recorded: ours (unconfirmed).
    if metadata.serialized_size > MAX_FOOTER_BYTES:
        raise WorkflowError(
            ITEM_READER_FAILED,
            f"The Parquet object '{key}' has a footer of {metadata.serialized_size} bytes "
            f"(at most {MAX_FOOTER_BYTES}).",
        )
    for index in range(metadata.num_row_groups):
        size = metadata.row_group(index).total_byte_size
        if size > MAX_ROW_GROUP_BYTES:
            raise WorkflowError(
                ITEM_READER_FAILED,
                f"The Parquet object '{key}' has a row group of {size} bytes "
                f"(at most {MAX_ROW_GROUP_BYTES}).",
            )


# ---- Arrow types to JSON values ------------------------------------------------------------------
def _as_read(kind: Any) -> Any:
    """The type a column is cast to before pyarrow gives its Python values: timestamps, times and
    durations as their integers (pyarrow cannot give nanoseconds without pandas, and a time zone's
    rules would be read from the system's time zone database: the instant is formatted here)."""
    if pa.types.is_timestamp(kind) or pa.types.is_duration(kind) or pa.types.is_time64(kind):
        return pa.int64()
    if pa.types.is_time32(kind):
        return pa.int32()
    if pa.types.is_struct(kind):
        return pa.struct(
            [kind.field(i).with_type(_as_read(kind.field(i).type)) for i in range(kind.num_fields)]
        )
    if pa.types.is_map(kind):
        return pa.map_(_as_read(kind.key_type), _as_read(kind.item_type))
    if pa.types.is_large_list(kind):
        return pa.large_list(kind.value_field.with_type(_as_read(kind.value_type)))
    if pa.types.is_fixed_size_list(kind):
        return pa.list_(kind.value_field.with_type(_as_read(kind.value_type)), kind.list_size)
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_as_read(kind.value_type)))
    if pa.types.is_dictionary(kind):
        return _as_read(kind.value_type)
    return kind


def _converter(kind: Any) -> Convert:
    """The function from a value of type ``kind`` (as ``_as_read`` casts it) to its JSON value."""
    if pa.types.is_dictionary(kind):
        return _converter(kind.value_type)
    if pa.types.is_timestamp(kind):
        return _nullable(_timestamp(kind.unit, kind.tz is not None))
    if pa.types.is_time32(kind) or pa.types.is_time64(kind):
        return _nullable(_time(kind.unit))
    if pa.types.is_duration(kind):
        return _nullable(_duration(kind.unit))
    if pa.types.is_date(kind):
        return _nullable(lambda value: value.isoformat())
    if pa.types.is_struct(kind):
        fields = [(kind.field(i).name, _converter(kind.field(i).type)) for i in range(kind.num_fields)]
        return _nullable(lambda value: {name: convert(value.get(name)) for name, convert in fields})
    if pa.types.is_map(kind):
        key, item = _converter(kind.key_type), _converter(kind.item_type)
        return _nullable(lambda value: {_text(key(k)): item(v) for k, v in value})
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        element = _converter(kind.value_type)
        return _nullable(lambda value: [element(v) for v in value])
    return _leaf


def _nullable(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _leaf(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN or Infinity (unconfirmed)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value  # int, str, bool, None (float16 as float)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _split(value: int, unit: str) -> tuple[int, str]:
    """Whole seconds and the fraction's digits (".123", none when it is 0) of ``value`` units."""
    per_second = _PER_SECOND[unit]
    seconds, part = divmod(value, per_second)
    digits = len(str(per_second)) - 1
    return seconds, (f".{part:0{digits}d}" if part else "")


def _timestamp(unit: str, utc: bool) -> Convert:
    def convert(value: int) -> str:
        seconds, fraction = _split(value, unit)
        try:
            moment = _EPOCH + datetime.timedelta(seconds=seconds)
        except OverflowError:
            raise ValueError(f"the timestamp {value} {unit} is out of range") from None
        return moment.isoformat() + fraction + ("Z" if utc else "")

    return convert


def _time(unit: str) -> Convert:
    def convert(value: int) -> str:
        seconds, fraction = _split(value, unit)
        hours, rest = divmod(seconds, 3600)
        return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}{fraction}"

    return convert


def _duration(unit: str) -> Convert:
    def convert(value: int) -> str:
        sign = "-" if value < 0 else ""
        seconds, fraction = _split(abs(value), unit)
        return f"{sign}PT{seconds}{fraction}S"

    return convert
