"""A ``arn:aws:states:::s3:listObjectsV2`` reader's pages (ListObjectsV2 answers, as the runtime's
``aws-sdk:s3:listObjectsV2`` gives them: PascalCase members, timestamps as ISO-8601 text).

Each listed object is one item (reference integrations §3.2, recorded by AWS)::

    {"Etag": "\"05704f…\"", "Key": "processData/images/x.jpg", "LastModified": 1668699881,
     "Size": 34910, "StorageClass": "STANDARD"}

``Etag`` so spelt, ``LastModified`` in epoch seconds; console-created "folders" are items too.
Pages follow one another by ``NextContinuationToken`` while ``IsTruncated`` (the S3 API's).
"""

from __future__ import annotations

from typing import Any

from stepwell.asl.timestamps import parse_timestamp


def page_objects(page: Any) -> list[dict[str, Any]]:
    """The objects a page lists (its ``Contents``), as the SDK gives them."""
    contents = page.get("Contents") if isinstance(page, dict) else None
    return [entry for entry in contents or () if isinstance(entry, dict)]


def listed_item(entry: dict[str, Any]) -> dict[str, Any]:
    """A listed object as a listObjectsV2 reader's item (AWS's keys, in AWS's order)."""
    return {
        "Etag": entry.get("ETag", entry.get("Etag")),
        "Key": entry.get("Key"),
        "LastModified": epoch_seconds(entry.get("LastModified")),
        "Size": entry.get("Size"),
        "StorageClass": entry.get("StorageClass"),
    }


def epoch_seconds(value: Any) -> Any:
    """ISO-8601 text as whole epoch seconds (S3 lists LastModified to the second); a number as is."""
    seconds = parse_timestamp(value)
    return int(seconds) if seconds is not None else value


def next_token(page: Any) -> str | None:
    """The next page's ContinuationToken; None after the last page."""
    if not isinstance(page, dict) or not page.get("IsTruncated"):
        return None
    token = page.get("NextContinuationToken")
    return token if isinstance(token, str) and token else None


def is_folder(entry: dict[str, Any]) -> bool:
    """A console-created "folder": an empty object whose key ends with '/'. LOAD_AND_FLATTEN reads
    no records from it (what AWS does with one is not recorded, reference §4: it holds none)."""
    key = entry.get("Key")
    return isinstance(key, str) and key.endswith("/") and not entry.get("Size")
