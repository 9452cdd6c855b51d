"""A Distributed Map's ItemReader over one S3 object: the engine asks for the object
(aws-sdk:s3:getObject) and reads its items from the answer's Body (engine/item_reader.py)."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.model import ItemReader
from stepwell.engine.commands import Finish
from stepwell.engine.item_reader import read_items
from stepwell.engine.snapshot import ReaderWork
from stepwell.errors import WorkflowError
from tests.engine.driver import Run, machine_of


def reader_map(config: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": config,
                    "Parameters": {"Bucket.$": "$.bucket", "Key": "data/file"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
                **fields,
            }
        }
    )


def test_the_object_is_asked_for_and_its_csv_rows_are_the_items() -> None:
    run = Run(reader_map({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}), {"bucket": "b"})
    [call] = run.invocations()
    assert (call.resource, call.payload) == (
        "arn:aws:states:::aws-sdk:s3:getObject",
        {"Bucket": "b", "Key": "data/file"},
    )
    assert run.types() == ["ExecutionStarted", "MapStateEntered"]
    run.succeed(call.task_id, output={"Body": "a,b\n1,2\n3\n", "ContentType": "text/csv"})
    assert run.finish == Finish("SUCCEEDED", output=[{"a": "1", "b": "2"}, {"a": "3", "b": ""}])
    assert run.details("MapStateStarted") == {"length": 2}


def test_max_items_and_json_lines() -> None:
    run = Run(reader_map({"InputType": "JSONL", "MaxItems": 2}), {"bucket": "b"})
    run.succeed(output={"Body": '{"n":1}\n{"n":2}\n\n{"n":3}\n'})
    assert run.finish == Finish("SUCCEEDED", output=[{"n": 1}, {"n": 2}])


def test_an_object_that_cannot_be_read_fails_the_map_run() -> None:
    run = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    run.fail(error="S3.NoSuchKeyException", cause="The specified key does not exist.")
    assert run.finish == Finish(
        "FAILED", error="States.ItemReaderFailed", cause="The specified key does not exist."
    )
    assert run.types()[-5:] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert run.details("MapStateStarted") == {"length": 0}
    not_a_list = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    not_a_list.succeed(output={"Body": '{"a": 1}'})
    assert (
        not_a_list.finish is not None
        and not_a_list.finish.cause == "Attempting to map over non-iterable node."
    )


def test_a_stopped_execution_cancels_the_read() -> None:
    run = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    task_id = run.open_task()
    run.stop()
    assert run.cancels() == [task_id] and run.status == "ABORTED"


def csv_reader(**fields: Any) -> ItemReader:
    return ItemReader(arguments=None, input_type="CSV", **fields)


def test_csv_as_aws_reads_it() -> None:
    text = 'h1,h2,h3\n,,,\n"quoted, comma","a ""quote""",x\\y\n   \nlong,row,with,more\n'
    assert read_items(csv_reader(), text, 0) == [
        {"h1": "", "h2": "", "h3": ""},
        {"h1": "quoted, comma", "h2": 'a "quote"', "h3": "xy"},
        {"h1": "   ", "h2": "", "h3": ""},
        {"h1": "long", "h2": "row", "h3": "with"},
    ]
    given = csv_reader(header_location="GIVEN", headers=("x", "y"), delimiter="|")
    assert read_items(given, "1|2\n3|4\n", 1) == [{"x": "1", "y": "2"}]
    with pytest.raises(WorkflowError) as refused:
        read_items(csv_reader(header_location="GIVEN", headers=("x", "x")), "1,2\n", 0)
    assert (refused.value.error, refused.value.cause) == (
        "States.ItemReaderFailed",
        "CSV headers cannot contain duplicates.",
    )


# ---- listObjectsV2 -------------------------------------------------------------------------------
def listing_map(config: dict[str, Any] | None = None, **parameters: Any) -> dict[str, Any]:
    definition = reader_map(config or {})
    reader = definition["States"]["M"]["ItemReader"]
    reader["Resource"] = "arn:aws:states:::s3:listObjectsV2"
    reader["Parameters"] = {"Bucket.$": "$.bucket", "Prefix": "in/", **parameters}
    if config is None:
        del reader["ReaderConfig"]
    return definition


def listed(key: str, size: int = 3, modified: str = "2022-11-17T15:44:41.000Z") -> dict[str, Any]:
    """A ListObjectsV2 entry as the runtime's aws-sdk:s3:listObjectsV2 gives it."""
    return {
        "Key": key,
        "LastModified": modified,
        "ETag": '"05704fbdccb224cb01c59005bebbad28"',
        "ChecksumAlgorithm": ["CRC32"],
        "Size": size,
        "StorageClass": "STANDARD",
    }


def page(*entries: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"Contents": list(entries), "IsTruncated": token is not None, "KeyCount": 1}
    if token is not None:
        answer["NextContinuationToken"] = token
    return answer


def test_a_listing_follows_its_pages_and_each_object_is_an_item_as_aws_shapes_it() -> None:
    run = Run(listing_map(StartAfter="in/a"), {"bucket": "b"})
    [first] = run.invocations()
    assert (first.resource, first.payload) == (
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        {"Bucket": "b", "Prefix": "in/", "StartAfter": "in/a"},  # other parameters pass through
    )
    run.succeed(first.task_id, output=page(listed("in/x.jpg", 34910), token="next-1"))
    [second] = run.invocations(latest=True)
    assert second.payload == {
        "Bucket": "b",
        "Prefix": "in/",
        "StartAfter": "in/a",
        "ContinuationToken": "next-1",
    }
    assert "ContinuationToken" not in first.payload  # the first request is kept as it was
    # Between two pages the snapshot (through JSON, as the driver keeps it) holds where it got to.
    work = run.snap.frames["f0"].work
    assert isinstance(work, ReaderWork) and (work.reading, work.continuation, len(work.items)) == (
        "page",
        "next-1",
        1,
    )
    run.succeed(second.task_id, output=page(listed("in/folder/", 0, "2022-11-17T15:44:42Z")))
    assert run.finish == Finish(
        "SUCCEEDED",
        output=[
            {
                "Etag": '"05704fbdccb224cb01c59005bebbad28"',
                "Key": "in/x.jpg",
                "LastModified": 1668699881,
                "Size": 34910,
                "StorageClass": "STANDARD",
            },
            {
                "Etag": '"05704fbdccb224cb01c59005bebbad28"',
                "Key": "in/folder/",
                "LastModified": 1668699882,
                "Size": 0,
                "StorageClass": "STANDARD",
            },
        ],
    )
    assert run.details("MapStateStarted") == {"length": 2}


def test_max_items_stops_a_listing_early() -> None:
    run = Run(listing_map({"MaxItems": 2}), {"bucket": "b"})
    run.succeed(output=page(listed("in/1"), listed("in/2"), listed("in/3"), token="more"))
    assert len(run.invocations()) == 1  # the next page is not asked for
    assert run.finish is not None and [item["Key"] for item in run.finish.output] == ["in/1", "in/2"]
    two_pages = Run(listing_map({"MaxItems": 2}), {"bucket": "b"})
    two_pages.succeed(output=page(listed("in/1"), token="more"))
    two_pages.succeed(output=page(listed("in/2"), listed("in/3"), token="still more"))
    assert len(two_pages.invocations()) == 2
    assert two_pages.finish is not None and [i["Key"] for i in two_pages.finish.output] == ["in/1", "in/2"]


def test_an_empty_listing_runs_no_items_and_a_failed_page_fails_the_map_run() -> None:
    empty = Run(listing_map(), {"bucket": "b"})
    empty.succeed(output={"IsTruncated": False, "KeyCount": 0})
    assert empty.finish == Finish("SUCCEEDED", output=[])
    run = Run(listing_map(), {"bucket": "b"})
    run.succeed(output=page(listed("in/1"), token="t"))
    run.fail(error="S3.NoSuchBucketException", cause="The specified bucket does not exist.")
    assert run.finish == Finish(
        "FAILED", error="States.ItemReaderFailed", cause="The specified bucket does not exist."
    )
    assert run.types()[-5:] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert run.details("MapStateStarted") == {"length": 0}
