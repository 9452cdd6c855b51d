"""A Distributed Map's ItemReader (reference integrations §3.2, §3.3): pure, as all of engine/ —
the runtime makes the S3 calls it asks for.

    steps.py         the Map state's steps: the calls asked for, their answers, the failure
    parsing.py       an object's text to items (CSV, JSON and its ItemsPointer (asl/json_pointer.py),
                     JSON Lines; gzip)
    parquet.py       a Parquet object's bytes to items (pyarrow, imported when one is read)
    listing.py       ListObjectsV2 pages to items
    inventory.py     an S3 inventory's manifest.json
"""

from stepwell.engine.item_reader.parsing import read_items
from stepwell.engine.item_reader.steps import (
    S3_GET_OBJECT_BYTES_CALL,
    S3_GET_OBJECT_CALL,
    S3_LIST_OBJECTS_CALL,
    items_read,
    reader_failed,
    start_reading,
)

__all__ = [
    "S3_GET_OBJECT_BYTES_CALL",
    "S3_GET_OBJECT_CALL",
    "S3_LIST_OBJECTS_CALL",
    "items_read",
    "read_items",
    "reader_failed",
    "start_reading",
]
