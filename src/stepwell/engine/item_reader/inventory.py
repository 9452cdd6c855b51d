"""An S3 inventory as a reader's source: ``ManifestType: S3_INVENTORY`` (or ``InputType:
MANIFEST``) with the Key of the inventory's ``manifest.json`` (reference integrations §3.2).

The manifest (S3 User Guide, "Locating your inventory list") names the data files in ``files``
(each with its ``key`` in the destination bucket, where the manifest is too), their format in
``fileFormat`` and their columns in ``fileSchema`` ("Bucket, Key, Size, LastModifiedDate"). The data
files have no header row and are gzip'd (``data/<name>.csv.gz``). Step Functions reads CSV
inventories only; each row is an item whose keys are the fileSchema's names and whose values are
all strings: ``{"LastModifiedDate": "2022-11-16T00:29:32.000Z", "Bucket": "…", "Size": "3399671",
"Key": "csvDataset/titles.csv"}`` (§3.2).
"""

from __future__ import annotations

from typing import Any

from stepwell.asl import jsoncodec
from stepwell.errors import ITEM_READER_FAILED, WorkflowError


def manifest_files(text: str) -> tuple[list[str], list[str]]:
    """The data files' keys and their column names, from a manifest.json's text."""
    try:
        manifest: Any = jsoncodec.loads(text)
    except jsoncodec.JsonError as bad:
        raise _failed(f"the manifest is not JSON: {bad.message}") from None
    if not isinstance(manifest, dict):
        raise _failed("the manifest is not a JSON object")
    file_format = manifest.get("fileFormat")
    if file_format != "CSV":  # §3.2: "inventory must be CSV format"
        raise _failed(
            f"its fileFormat is {jsoncodec.dumps_text(file_format)}; only CSV inventories can be read"
        )
    schema = manifest.get("fileSchema")
    files = manifest.get("files")
    if not isinstance(schema, str) or not isinstance(files, list):
        raise _failed("the manifest has no fileSchema string or no files array")
    keys = [entry.get("key") for entry in files if isinstance(entry, dict)]
    named = [key for key in keys if isinstance(key, str) and key]
    if len(named) != len(files):
        raise _failed("every entry of the manifest's files must have a key")
    return named, [name.strip() for name in schema.split(",")]


def _failed(reason: str) -> WorkflowError:
    # AWS's causes for a bad manifest are not recorded (reference §4): ours.
    return WorkflowError(ITEM_READER_FAILED, f"The item reader could not read the S3 inventory: {reason}.")
