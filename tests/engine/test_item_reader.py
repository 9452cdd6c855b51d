"""A Distributed Map's ItemReader over one S3 object: the engine asks for the object
(aws-sdk:s3:getObject) and reads its items from the answer's Body (engine/item_reader.py)."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.model import ItemReader
from stepwell.engine.commands import Finish
from stepwell.engine.item_reader import read_items
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
