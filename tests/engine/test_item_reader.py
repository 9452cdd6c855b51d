"""A Distributed Map's ItemReader over one S3 object: the engine asks for the object
(aws-sdk:s3:getObject) and reads its items from the answer's Body (engine/item_reader.py)."""

from __future__ import annotations

import base64
import datetime
import gzip
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from stepwell.asl.model import ItemReader, MapState
from stepwell.engine.commands import Finish
from stepwell.engine.item_reader import read_items, streamed
from stepwell.engine.snapshot import MapWork, ReaderWork, snapshot_from_json, snapshot_to_json
from stepwell.errors import WorkflowError
from tests.engine.driver import Run, machine_of, task

# A reader's failure, as AWS records it (reference integrations §3.2).
READER_FAILED_EVENTS = [
    "MapStateStarted",
    "MapRunStarted",
    "MapRunFailed",
    "MapStateFailed",
    "ExecutionFailed",
]


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


def as_bytes(text: str, content_range: str | None = None) -> dict[str, Any]:
    """The runtime's answer to the reader's ranged read (bytes, base64: invokers/s3_objects.py)."""
    answer = {"Body": base64.b64encode(text.encode()).decode()}
    if content_range is not None:
        answer["ContentRange"] = content_range
    return answer


def test_the_object_is_asked_for_and_its_csv_rows_are_the_items() -> None:
    """A CSV or JSON Lines object is asked for a range at a time (its first CHUNK bytes): one that
    comes whole (no ContentRange, or a range as big as the object) is read at once."""
    run = Run(reader_map({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}), {"bucket": "b"})
    [call] = run.invocations()
    assert (call.resource, call.payload) == (
        "arn:aws:states:::s3:getObject",
        {"Bucket": "b", "Key": "data/file", "Range": f"bytes=0-{streamed.CHUNK - 1}"},
    )
    assert run.types() == ["ExecutionStarted", "MapStateEntered"]
    run.succeed(call.task_id, output=as_bytes("a,b\n1,2\n3\n", "bytes 0-9/10"))
    assert run.finish == Finish("SUCCEEDED", output=[{"a": "1", "b": "2"}, {"a": "3", "b": ""}])
    assert run.details("MapStateStarted") == {"length": 2}


def test_max_items_and_json_lines() -> None:
    run = Run(reader_map({"InputType": "JSONL", "MaxItems": 2}), {"bucket": "b"})
    run.succeed(output=as_bytes('{"n":1}\n{"n":2}\n\n{"n":3}\n'))
    assert run.finish == Finish("SUCCEEDED", output=[{"n": 1}, {"n": 2}])


def test_an_object_that_cannot_be_read_fails_the_map_run() -> None:
    run = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    run.fail(error="S3.NoSuchKeyException", cause="The specified key does not exist.")
    assert run.finish == Finish(
        "FAILED", error="States.ItemReaderFailed", cause="The specified key does not exist."
    )
    assert run.types()[-5:] == READER_FAILED_EVENTS
    assert run.details("MapStateStarted") == {"length": 0}
    not_a_list = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    not_a_list.succeed(output=as_bytes('{"a": 1}'))
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
    assert run.types()[-5:] == READER_FAILED_EVENTS
    assert run.details("MapStateStarted") == {"length": 0}


# ---- ItemsPointer ---------------------------------------------------------------------------------
def test_items_pointer_selects_the_array_inside_a_json_object() -> None:
    run = Run(reader_map({"InputType": "JSON", "ItemsPointer": "/inventory/a~1b/0"}), {"bucket": "b"})
    run.succeed(output={"Body": json.dumps({"inventory": {"a/b": [[1, 2], [3]]}})})
    assert run.finish == Finish("SUCCEEDED", output=[1, 2])


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ('{"inventory": {}}', "no member 'products' at '/inventory'"),
        ('{"inventory": [1]}', "no element 'products' in the array at '/inventory'"),
        ('{"inventory": 7}', "'/inventory' is neither an object nor an array"),
    ],
)
def test_an_items_pointer_that_selects_nothing_fails_the_map_run(body: str, cause: str) -> None:
    run = Run(reader_map({"InputType": "JSON", "ItemsPointer": "/inventory/products"}), {"bucket": "b"})
    run.succeed(output={"Body": body})
    assert run.finish == Finish(
        "FAILED",
        error="States.ItemReaderFailed",
        cause=f"The ItemsPointer '/inventory/products' selects nothing in the object: {cause}.",
    )
    not_an_array = Run(reader_map({"InputType": "JSON", "ItemsPointer": "/a"}), {"bucket": "b"})
    not_an_array.succeed(output={"Body": '{"a": {"k": 1}}'})
    assert not_an_array.finish == Finish(
        "FAILED", error="States.ItemReaderFailed", cause="Attempting to map over non-iterable node."
    )


# ---- LOAD_AND_FLATTEN -----------------------------------------------------------------------------
def test_load_and_flatten_reads_every_listed_object_and_its_records_are_the_items() -> None:
    config = {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN", "MaxItems": 4}
    run = Run(listing_map(config), {"bucket": "b"})
    run.succeed(output=page(listed("in/", 0), listed("in/1.jsonl"), listed("in/2.jsonl"), token="p2"))
    [get] = run.invocations(latest=True)  # the folder holds no records: it is not read
    assert (get.resource, get.payload) == (
        "arn:aws:states:::aws-sdk:s3:getObject",
        {"Bucket": "b", "Key": "in/1.jsonl"},
    )
    run.succeed(get.task_id, output={"Body": '{"n": 1}\n{"n": 2}\n'})
    [get] = run.invocations(latest=True)
    assert get.payload == {"Bucket": "b", "Key": "in/2.jsonl"}
    work = run.snap.frames["f0"].work
    assert isinstance(work, ReaderWork) and (work.reading, work.keys, work.continuation) == (
        "listed",
        ["in/2.jsonl"],
        "p2",
    )
    run.succeed(get.task_id, output={"Body": '{"n": 3}\n'})
    [next_page] = run.invocations(latest=True)  # this page's objects are read: the next page
    assert next_page.payload == {"Bucket": "b", "Prefix": "in/", "ContinuationToken": "p2"}
    run.succeed(next_page.task_id, output=page(listed("in/3.jsonl"), listed("in/4.jsonl")))
    run.succeed(output={"Body": '{"n": 4}\n{"n": 5}\n'})
    # MaxItems: the fourth record is the last; in/4.jsonl is not read
    assert run.finish == Finish("SUCCEEDED", output=[{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])
    assert len(run.invocations()) == 5


def test_load_and_flatten_reads_each_csv_with_its_own_header_and_a_bad_object_fails() -> None:
    run = Run(listing_map({"InputType": "CSV", "Transformation": "LOAD_AND_FLATTEN"}), {"bucket": "b"})
    run.succeed(output=page(listed("in/1.csv"), listed("in/2.csv")))
    run.succeed(output={"Body": "a,b\n1,2\n"})
    run.succeed(output={"Body": "b,a\n3,4\n"})
    assert run.finish == Finish("SUCCEEDED", output=[{"a": "1", "b": "2"}, {"b": "3", "a": "4"}])
    bad = Run(listing_map({"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"}), {"bucket": "b"})
    bad.succeed(output=page(listed("in/1.json")))
    bad.succeed(output={"Body": "[1,"})
    assert bad.finish is not None and bad.finish.error == "States.ItemReaderFailed"
    assert bad.finish.cause is not None and bad.finish.cause.startswith(
        "The item reader could not parse the object"
    )


# ---- S3 inventories -------------------------------------------------------------------------------
MANIFEST = {
    "sourceBucket": "source",
    "destinationBucket": "arn:aws:s3:::inventories",
    "version": "2016-11-30",
    "fileFormat": "CSV",
    "fileSchema": "Bucket, Key, Size, LastModifiedDate",
    "files": [
        {"key": "inv/data/one.csv.gz", "size": 10, "MD5checksum": "x"},
        {"key": "inv/data/two.csv", "size": 10, "MD5checksum": "y"},
    ],
}


def gzipped(text: str) -> str:
    """A gzip'd object's bytes as the runtime answers them (base64 text in Body)."""
    return base64.b64encode(gzip.compress(text.encode())).decode()


@pytest.mark.parametrize("config", [{"ManifestType": "S3_INVENTORY"}, {"InputType": "MANIFEST"}])
def test_an_s3_inventory_manifest_then_its_gzipd_csv_files_give_rows_named_by_its_schema(
    config: dict[str, Any],
) -> None:
    run = Run(reader_map(config), {"bucket": "inventories"})
    [manifest] = run.invocations()
    assert (manifest.resource, manifest.payload) == (
        "arn:aws:states:::aws-sdk:s3:getObject",
        {"Bucket": "inventories", "Key": "data/file"},
    )
    run.succeed(manifest.task_id, output={"Body": json.dumps(MANIFEST)})
    [first] = run.invocations(latest=True)  # gzip'd: its bytes are asked for
    assert (first.resource, first.payload) == (
        "arn:aws:states:::s3:getObject",
        {"Bucket": "inventories", "Key": "inv/data/one.csv.gz"},
    )
    run.succeed(
        first.task_id, output={"Body": gzipped('"source","a.csv","3399671","2022-11-16T00:29:32.000Z"\n')}
    )
    [second] = run.invocations(latest=True)
    assert (second.resource, second.payload["Key"]) == (
        "arn:aws:states:::aws-sdk:s3:getObject",
        "inv/data/two.csv",
    )
    run.succeed(second.task_id, output={"Body": '"source","b b.csv","7","2022-11-17T00:00:00.000Z"\n'})
    assert run.finish == Finish(
        "SUCCEEDED",
        output=[
            {
                "Bucket": "source",
                "Key": "a.csv",
                "Size": "3399671",
                "LastModifiedDate": "2022-11-16T00:29:32.000Z",
            },
            {
                "Bucket": "source",
                "Key": "b b.csv",
                "Size": "7",
                "LastModifiedDate": "2022-11-17T00:00:00.000Z",
            },
        ],
    )


@pytest.mark.parametrize(
    ("manifest", "body", "cause"),
    [
        (
            {**MANIFEST, "fileFormat": "ORC"},
            None,
            'its fileFormat is "ORC"; only CSV inventories can be read',
        ),
        ({**MANIFEST, "files": [{"size": 1}]}, None, "every entry of the manifest's files must have a key"),
        ([1], None, "the manifest is not a JSON object"),
        (MANIFEST, "not base64 gzip", "could not decompress the object 'inv/data/one.csv.gz'"),
    ],
)
def test_a_bad_inventory_fails_the_map_run(manifest: Any, body: str | None, cause: str) -> None:
    run = Run(reader_map({"ManifestType": "S3_INVENTORY"}), {"bucket": "inventories"})
    run.succeed(output={"Body": json.dumps(manifest)})
    if body is not None:
        run.succeed(output={"Body": body})
    assert run.finish is not None and run.finish.error == "States.ItemReaderFailed"
    assert run.finish.cause is not None and cause in run.finish.cause


def test_athena_manifests_are_refused_clearly() -> None:
    run = Run(reader_map({"ManifestType": "ATHENA_DATA", "InputType": "CSV"}), {"bucket": "b"})
    assert run.invocations() == []
    assert run.finish is not None and run.finish.error == "States.ItemReaderFailed"
    assert run.finish.cause is not None and "ATHENA_DATA" in run.finish.cause
    assert run.types()[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_a_reader_saved_by_the_previous_version_still_loads_and_goes_on() -> None:
    run = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    saved = snapshot_to_json(run.snap)
    [frame] = [f for f in saved["frames"] if "work" in f]
    frame["work"] = {
        k: v for k, v in frame["work"].items() if k in ("kind", "task_id", "selector_input", "max_items")
    }
    run.snapshot = snapshot_from_json(json.loads(json.dumps(saved)))
    work = run.snap.frames["f0"].work
    assert isinstance(work, ReaderWork) and (work.reading, work.keys) == ("object", [])
    run.succeed(output={"Body": "[1, 2]"})
    assert run.finish == Finish("SUCCEEDED", output=[1, 2])


SOURCE_SELECTOR = {"Source.$": "$$.Map.Item.Source", "Value.$": "$$.Map.Item.Value"}


def test_each_item_names_the_object_it_came_from_in_its_source() -> None:
    """$$.Map.Item.Source: "S3://bucket-name/object-key" for an object's items, "S3://bucket-name"
    for a listing's (reference integrations §3.4); STATE_DATA for the state input's."""
    one_object = Run(reader_map({"InputType": "JSONL"}, ItemSelector=SOURCE_SELECTOR), {"bucket": "b"})
    one_object.succeed(output=as_bytes("1\n2\n"))
    assert one_object.finish is not None
    assert one_object.finish.output == [
        {"Source": "S3://b/data/file", "Value": 1},
        {"Source": "S3://b/data/file", "Value": 2},
    ]
    flattened = listing_map({"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"})
    flattened["States"]["M"]["ItemSelector"] = SOURCE_SELECTOR
    run = Run(flattened, {"bucket": "b"})
    run.succeed(output=page(listed("in/1.jsonl"), listed("in/2.jsonl")))
    run.succeed(output={"Body": '"a"\n"b"\n'})
    run.succeed(output={"Body": '"c"\n'})
    assert run.finish is not None and run.finish.output == [
        {"Source": "S3://b/in/1.jsonl", "Value": "a"},
        {"Source": "S3://b/in/1.jsonl", "Value": "b"},
        {"Source": "S3://b/in/2.jsonl", "Value": "c"},
    ]
    listed_only = listing_map()
    listed_only["States"]["M"]["ItemSelector"] = {"Source.$": "$$.Map.Item.Source"}
    run = Run(listed_only, {"bucket": "b"})
    run.succeed(output=page(listed("in/1")))
    assert run.finish is not None and run.finish.output == [{"Source": "S3://b"}]
    inline = machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemSelector": {"Source.$": "$$.Map.Item.Source"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )
    from_input = Run(inline, [1])
    assert from_input.finish is not None and from_input.finish.output == [{"Source": "STATE_DATA"}]


# ---- a large object, a range at a time (item_reader/streamed.py) ------------------------------
def answer_ranges(run: Run, data: bytes, limit: int = 1000) -> int:
    """Answer every ranged read the run asks for, as S3 does, until it asks for none; the count."""
    answered: set[str] = set()
    for _ in range(limit):
        asked = [
            c
            for c in run.invocations()
            if isinstance(c.payload, dict) and "Range" in c.payload and c.task_id not in answered
        ]
        if not asked:
            return len(answered)
        call = asked[0]
        first, last = (int(n) for n in call.payload["Range"].removeprefix("bytes=").split("-"))
        chunk = data[first : last + 1]
        answered.add(call.task_id)
        run.succeed(
            call.task_id,
            output={
                "Body": base64.b64encode(chunk).decode(),
                "ContentRange": f"bytes {first}-{first + len(chunk) - 1}/{len(data)}",
            },
        )
    raise AssertionError("the reader kept asking")


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(streamed, "CHUNK", 20)
    return 20


def test_a_large_object_is_read_a_range_at_a_time_while_its_items_run(small_ranges: int) -> None:
    lines = [{"n": n, "text": "é" * (n % 3)} for n in range(1, 13)]  # multi-byte characters too
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    run = Run(reader_map({"InputType": "JSONL"}), {"bucket": "b"})
    ranges = answer_ranges(run, data)
    assert ranges == -(-len(data) // small_ranges)  # every byte once, in CHUNK-sized ranges
    assert run.finish == Finish("SUCCEEDED", output=lines)
    assert run.details("MapStateStarted") == {"length": 0}  # the first range held no whole line


def test_csv_records_may_span_ranges_even_inside_quotes(small_ranges: int) -> None:
    text = 'id,note\n1,"a, b"\n2,"line one\nline two"\n3,x\\,y\n4,"say ""hi"""\n5,last\n'
    run = Run(reader_map({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}), {"bucket": "b"})
    answer_ranges(run, text.encode())
    assert run.finish is not None and run.finish.output == [
        {"id": "1", "note": "a, b"},
        {"id": "2", "note": "line one\nline two"},
        {"id": "3", "note": "x,y"},
        {"id": "4", "note": 'say "hi"'},
        {"id": "5", "note": "last"},
    ]


def test_max_items_stops_reading_and_a_failed_range_fails_the_map_run(small_ranges: int) -> None:
    data = "".join(f"{n}\n" for n in range(100)).encode()
    run = Run(reader_map({"InputType": "JSONL", "MaxItems": 12}), {"bucket": "b"})
    ranges = answer_ranges(run, data)
    assert run.finish == Finish("SUCCEEDED", output=list(range(12)))
    assert ranges < len(data) // small_ranges  # the rest of the object is never asked for
    failing = Run(reader_map({"InputType": "JSONL"}), {"bucket": "b"})
    [first] = failing.invocations()
    failing.succeed(
        first.task_id,
        output={"Body": base64.b64encode(data[:20]).decode(), "ContentRange": f"bytes 0-19/{len(data)}"},
    )
    failing.fail(error="S3.NoSuchKeyException", cause="The specified key does not exist.")
    assert failing.finish == Finish(
        "FAILED", error="States.ItemReaderFailed", cause="The specified key does not exist."
    )
    assert failing.types()[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_a_streamed_read_runs_within_max_concurrency_and_keeps_only_what_is_still_to_run(
    small_ranges: int,
) -> None:
    """With MaxConcurrency 1 and items that wait on a Task, at most about two ranges are read
    ahead; an item whose iteration succeeded leaves the snapshot."""
    data = "".join(f"{n}\n" for n in range(40)).encode()  # 110 bytes: six ranges
    definition = reader_map({"InputType": "JSONL"}, MaxConcurrency=1)
    definition["States"]["M"]["ItemProcessor"]["States"]["P"] = task()
    run = Run(definition, {"bucket": "b"})
    [first] = run.invocations()
    run.succeed(
        first.task_id,
        output={"Body": base64.b64encode(data[:20]).decode(), "ContentRange": f"bytes 0-19/{len(data)}"},
    )
    ranged = [c for c in run.invocations() if isinstance(c.payload, dict) and "Range" in c.payload]
    assert len(ranged) == 1  # ten items wait: no more is read yet
    work = run.snap.frames["f0"].work
    assert isinstance(work, MapWork) and work.running == 1 and work.stream["offset"] == 20
    tasks = [c for c in run.invocations() if not isinstance(c.payload, dict)]
    run.succeed(tasks[0].task_id, output="done")
    assert run.snap.frames["f0"].work.items[0] is None  # succeeded: dropped


def test_an_item_batcher_makes_whole_batches_across_ranges(small_ranges: int) -> None:
    data = "".join(f"{n}\n" for n in range(30)).encode()
    run = Run(reader_map({"InputType": "JSONL"}, ItemBatcher={"MaxItemsPerBatch": 7}), {"bucket": "b"})
    answer_ranges(run, data)
    assert run.finish is not None
    assert [batch["Items"] for batch in run.finish.output] == [
        list(range(0, 7)),
        list(range(7, 14)),
        list(range(14, 21)),
        list(range(21, 28)),
        [28, 29],
    ]


def test_a_streamed_read_with_waiting_items_runs_to_the_end_within_its_bounds(small_ranges: int) -> None:
    data = "".join(f"{n}\n" for n in range(40)).encode()
    definition = reader_map({"InputType": "JSONL"}, MaxConcurrency=2)
    definition["States"]["M"]["ItemProcessor"]["States"]["P"] = task()
    run = Run(definition, {"bucket": "b"})
    done: set[str] = set()
    most_waiting = 0
    while run.finish is None:
        open_calls = [c for c in run.invocations() if c.task_id not in done]
        call = open_calls[0]
        done.add(call.task_id)
        if isinstance(call.payload, dict):  # a range
            first, last = (int(n) for n in call.payload["Range"].removeprefix("bytes=").split("-"))
            chunk = data[first : last + 1]
            content_range = f"bytes {first}-{first + len(chunk) - 1}/{len(data)}"
            run.succeed(
                call.task_id, output={"Body": base64.b64encode(chunk).decode(), "ContentRange": content_range}
            )
        else:
            run.succeed(call.task_id, output=call.payload * 10)
        work = run.snap.frames["f0"].work
        if isinstance(work, MapWork):
            assert work.running <= 2
            most_waiting = max(most_waiting, len(work.items) - work.next)
            assert sum(item is not None for item in work.items) <= work.running + most_waiting + 1
    assert run.finish.output == [n * 10 for n in range(40)]
    assert most_waiting <= 2 * 2 + 10  # read ahead: twice MaxConcurrency, plus one range's items


def test_a_large_json_array_is_split_between_its_elements(small_ranges: int) -> None:
    """Elements with nested arrays and objects, strings holding commas, brackets and escaped
    quotes: each arrives whole, whatever range it starts in."""
    elements = [
        {"n": n, "tags": ["a,b", "[x]"], "note": 'say "}" {'} if n % 2 else [n, {"deep": [n]}]
        for n in range(15)
    ]
    data = ("\n  " + json.dumps(elements, indent=1) + "\n").encode()
    run = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    answer_ranges(run, data)
    assert run.finish == Finish("SUCCEEDED", output=elements)


def test_a_large_json_document_that_is_no_array_or_never_ends_fails(small_ranges: int) -> None:
    not_an_array = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    answer_ranges(not_an_array, json.dumps({"items": list(range(50))}).encode())
    assert not_an_array.finish is not None
    assert not_an_array.finish.cause == "Attempting to map over non-iterable node."
    cut_short = Run(reader_map({"InputType": "JSON"}), {"bucket": "b"})
    answer_ranges(cut_short, json.dumps(list(range(50))).encode()[:-1])
    assert cut_short.finish is not None and cut_short.finish.error == "States.ItemReaderFailed"
    assert "the array does not end" in (cut_short.finish.cause or "")
    limited = Run(reader_map({"InputType": "JSON", "MaxItems": 7}), {"bucket": "b"})
    answer_ranges(limited, json.dumps(list(range(50))).encode())
    assert limited.finish == Finish("SUCCEEDED", output=list(range(7)))


def test_a_streamed_map_that_failed_is_redriven_from_where_it_stopped(small_ranges: int) -> None:
    """The failed item (and the one aborted beside it) runs again, and the ranges not read yet
    are read: the output has every item once."""
    data = "".join(f"{n}\n" for n in range(30)).encode()
    definition = reader_map({"InputType": "JSONL"}, MaxConcurrency=2)
    definition["States"]["M"]["ItemProcessor"]["States"]["P"] = task()
    run = Run(definition, {"bucket": "b"})
    done: set[str] = set()
    succeeded: list[int] = []
    failed_once = False

    def answer_all() -> None:
        nonlocal failed_once
        while True:
            open_calls = [c for c in run.invocations() if c.task_id not in done]
            if not open_calls or run.status != "RUNNING":
                return
            call = open_calls[0]
            done.add(call.task_id)
            if isinstance(call.payload, dict):
                first, last = (int(n) for n in call.payload["Range"].removeprefix("bytes=").split("-"))
                chunk = data[first : last + 1]
                content_range = f"bytes {first}-{first + len(chunk) - 1}/{len(data)}"
                run.succeed(
                    call.task_id,
                    output={"Body": base64.b64encode(chunk).decode(), "ContentRange": content_range},
                )
            elif call.payload == 7 and not failed_once:
                failed_once = True
                run.fail(call.task_id, error="Boom", cause="item 7 failed")
            else:
                succeeded.append(call.payload)
                run.succeed(call.task_id, output=call.payload)

    answer_all()
    assert [finish.status for finish in run.finishes] == ["FAILED"]
    run.redrive()
    answer_all()
    assert run.finishes[-1] == Finish("SUCCEEDED", output=list(range(30)))
    assert set(succeeded) == set(range(30))  # item 8, aborted beside 7, ran again too


def test_a_streamed_map_with_a_result_writer_lists_every_item(small_ranges: int) -> None:
    data = "".join(json.dumps({"n": n}) + "\n" for n in range(20)).encode()
    export = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"}}
    run = Run(reader_map({"InputType": "JSONL"}, ResultWriter=export), {"bucket": "b"})
    answer_ranges(run, data)
    files: dict[str, Any] = {}
    while run.status == "RUNNING":
        for call in [c for c in run.invocations(latest=True) if c.resource.endswith("s3:putObject")]:
            files[call.payload["Key"]] = json.loads(call.payload["Body"])
            run.succeed(call.task_id, output={"ETag": '"e"'})
    assert run.finish is not None and run.finish.status == "SUCCEEDED"
    [succeeded] = [body for key, body in files.items() if key.split("/")[-1].startswith("SUCCEEDED")]
    assert [json.loads(entry["Input"]) for entry in succeeded] == [{"n": n} for n in range(20)]


# ---- Parquet (item_reader/parquet.py) ------------------------------------------------------------
GET_BYTES = "arn:aws:states:::s3:getObject"  # the object's bytes, base64 (invokers/s3_objects.py)


def parquet_bytes(columns: dict[str, Any], **options: Any) -> bytes:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    out = io.BytesIO()
    pq.write_table(pa.table(columns), out, **options)
    return out.getvalue()


def parquet_answer(columns: dict[str, Any], **options: Any) -> dict[str, Any]:
    """The runtime's answer to arn:aws:states:::s3:getObject: the bytes, base64 (s3_objects.py)."""
    return {"Body": base64.b64encode(parquet_bytes(columns, **options)).decode()}


def test_a_parquet_object_is_asked_for_whole_as_bytes_and_its_rows_are_the_items() -> None:
    run = Run(reader_map({"InputType": "PARQUET"}), {"bucket": "b"})
    [call] = run.invocations()
    # Parquet's footer is at the object's end: no Range, never streamed.
    assert (call.resource, call.payload) == (
        "arn:aws:states:::s3:getObject",
        {"Bucket": "b", "Key": "data/file"},
    )
    body = {
        "id": [1, 2, None],
        "name": ["a", "b", "c"],
        "score": [1.5, None, -2.0],
        "ok": [True, False, None],
    }
    run.succeed(call.task_id, output=parquet_answer(body, compression="snappy"))
    assert run.finish == Finish(
        "SUCCEEDED",
        output=[
            {"id": 1, "name": "a", "score": 1.5, "ok": True},
            {"id": 2, "name": "b", "score": None, "ok": False},
            {"id": None, "name": "c", "score": -2.0, "ok": None},
        ],
    )
    assert run.details("MapStateStarted") == {"length": 3}


def test_parquet_values_become_json_values() -> None:
    import pyarrow as pa  # type: ignore[import-untyped]

    from stepwell.engine.item_reader.parquet import parquet_items

    columns = {
        "when": pa.array([1700000000123456789, None], pa.timestamp("ns", tz="Europe/Paris")),
        "local": pa.array([datetime.datetime(2024, 1, 2, 3, 4, 5, 600000), None], pa.timestamp("ms")),
        "day": pa.array([datetime.date(2024, 1, 2), None]),
        "at": pa.array([datetime.time(1, 2, 3, 500000), None], pa.time64("us")),
        "price": pa.array([Decimal("12.34"), Decimal("-0.50")], pa.decimal128(10, 2)),
        "count": pa.array([Decimal("7"), None], pa.decimal128(5, 0)),
        "raw": [b"\x00\x01\xff", None],
        "tags": [["x", "y"], []],
        "point": [{"x": 1, "seen": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)}, None],
        "attrs": pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())),
        "kind": pa.array(["red", "red"]).dictionary_encode(),
        "nan": [float("nan"), float("inf")],
        "big": pa.array([2**63 - 1, -(2**63)], pa.int64()),
    }
    first, second = parquet_items("k", parquet_bytes(columns, compression="zstd"), 0)
    assert first == {
        "when": "2023-11-14T22:13:20.123456789Z",  # the instant in UTC, to the nanosecond
        "local": "2024-01-02T03:04:05.600",
        "day": "2024-01-02",
        "at": "01:02:03.500000",
        "price": 12.34,
        "count": 7,
        "raw": "AAH/",
        "tags": ["x", "y"],
        "point": {"x": 1, "seen": "2024-01-01T00:00:00Z"},
        "attrs": {"k": 1},
        "kind": "red",
        "nan": None,
        "big": 2**63 - 1,
    }
    assert second == {
        "when": None,
        "local": None,
        "day": None,
        "at": None,
        "price": -0.5,
        "count": None,
        "raw": None,
        "tags": [],
        "point": None,
        "attrs": None,
        "kind": "red",
        "nan": None,
        "big": -(2**63),
    }


def test_max_items_item_selector_source_and_batches_over_a_parquet_object() -> None:
    rows = {"n": list(range(10_000)), "s": [f"r{n}" for n in range(10_000)]}
    selected = reader_map({"InputType": "PARQUET", "MaxItems": 3}, ItemSelector=SOURCE_SELECTOR)
    run = Run(selected, {"bucket": "b"})
    run.succeed(output=parquet_answer(rows, row_group_size=1000))
    assert run.finish is not None and run.finish.output == [
        {"Source": "S3://b/data/file", "Value": {"n": n, "s": f"r{n}"}} for n in range(3)
    ]
    batched = Run(
        reader_map({"InputType": "PARQUET", "MaxItems": 5}, ItemBatcher={"MaxItemsPerBatch": 2}),
        {"bucket": "b"},
    )
    batched.succeed(output=parquet_answer(rows))
    assert batched.finish is not None
    assert [[row["n"] for row in batch["Items"]] for batch in batched.finish.output] == [[0, 1], [2, 3], [4]]
    every = Run(reader_map({"InputType": "PARQUET"}), {"bucket": "b"})
    every.succeed(output=parquet_answer(rows, row_group_size=3000))
    assert every.finish is not None and len(every.finish.output) == 10_000
    assert every.finish.output[-1] == {"n": 9999, "s": "r9999"}


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (
            base64.b64encode(b"a,b\n1,2\n").decode(),
            "The item reader could not read the Parquet object 'data/file': Parquet magic bytes not found "
            "in footer. Either the file is corrupted or this is not a parquet file.",
        ),
        (None, "The item reader could not read the Parquet object 'data/file': "),  # no Body
        ("not base64!", "The item reader could not read the object: "),
    ],
)
def test_a_corrupt_parquet_object_fails_the_map_run(body: str | None, cause: str) -> None:
    run = Run(reader_map({"InputType": "PARQUET"}), {"bucket": "b"})
    run.succeed(output={"Body": body})
    assert run.finish is not None and run.finish.error == "States.ItemReaderFailed"
    assert (run.finish.cause or "").startswith(cause)
    assert run.types()[-5:] == READER_FAILED_EVENTS


def test_a_truncated_parquet_object_fails_the_map_run() -> None:
    data = parquet_bytes({"n": list(range(100))})
    run = Run(reader_map({"InputType": "PARQUET"}), {"bucket": "b"})
    run.succeed(output={"Body": base64.b64encode(data[:20] + data[-12:]).decode()})
    assert run.finish is not None and run.finish.error == "States.ItemReaderFailed"
    assert "could not read the Parquet object 'data/file'" in (run.finish.cause or "")


def test_load_and_flatten_reads_each_listed_object_as_parquet() -> None:
    config = {"InputType": "PARQUET", "Transformation": "LOAD_AND_FLATTEN", "MaxItems": 3}
    definition = listing_map(config)
    definition["States"]["M"]["ItemSelector"] = SOURCE_SELECTOR
    run = Run(definition, {"bucket": "b"})
    run.succeed(output=page(listed("in/", 0), listed("in/1.parquet"), listed("in/2.parquet")))
    [get] = run.invocations(latest=True)
    assert (get.resource, get.payload) == (
        "arn:aws:states:::s3:getObject",
        {"Bucket": "b", "Key": "in/1.parquet"},
    )
    run.succeed(get.task_id, output=parquet_answer({"n": [1, 2]}))
    [get] = run.invocations(latest=True)
    assert (get.resource, get.payload) == (
        "arn:aws:states:::s3:getObject",
        {"Bucket": "b", "Key": "in/2.parquet"},
    )
    run.succeed(get.task_id, output=parquet_answer({"n": [3, 4]}))
    assert run.finish is not None and run.finish.output == [
        {"Source": "S3://b/in/1.parquet", "Value": {"n": 1}},
        {"Source": "S3://b/in/1.parquet", "Value": {"n": 2}},
        {"Source": "S3://b/in/2.parquet", "Value": {"n": 3}},
    ]


def test_a_parquet_object_is_never_streamed() -> None:
    definition = reader_map({"InputType": "PARQUET"})
    state = Run(definition, {"bucket": "b"}).machine.program.states["M"]
    assert isinstance(state, MapState) and state.item_reader is not None
    assert not streamed.streams(state, state.item_reader, "data/file")
