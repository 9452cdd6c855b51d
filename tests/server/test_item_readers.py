"""A Distributed Map's ItemReader through `stepwell serve` against a real moto S3: a listing over
several pages, its objects' records (LOAD_AND_FLATTEN), an S3 inventory, ItemsPointer, and the
failures, each read by the runtime's S3 calls as the engine asks for them."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.server.crash_helpers import Crash
from tests.server.process import ServerProcess
from tests.server.support import create_machine, event_types, history, run

BUCKET = "stepwell-readers"


@pytest.fixture(scope="module")
def s3(aws: str) -> Any:
    client = boto3.client(
        "s3", region_name="us-east-1", endpoint_url=aws, aws_access_key_id="t", aws_secret_access_key="t"
    )
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture(scope="module")
def sfn(aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    environment = {
        "AWS_ENDPOINT_URL": aws,  # S3 at moto
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    server = ServerProcess(tmp_path_factory.mktemp("readers") / "stepwell.db", env=environment).start()
    yield server.client()
    server.stop()


def reader_machine(sfn: Any, reader: dict[str, Any]) -> str:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemReader": reader,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    return create_machine(sfn, definition)


def output_of(described: dict[str, Any]) -> Any:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def test_a_listing_over_several_pages_gives_each_object_as_aws_shapes_it(sfn: Any, s3: Any) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        s3.put_object(Bucket=BUCKET, Key=f"listed/{name}", Body=b"abc")
    s3.put_object(Bucket=BUCKET, Key="elsewhere/d.txt", Body=b"abc")
    machine = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            # MaxKeys (passed through to ListObjectsV2) makes moto answer in pages of two.
            "Parameters": {"Bucket": BUCKET, "Prefix": "listed/", "MaxKeys": 2},
        },
    )
    items = output_of(run(sfn, machine))
    assert [item["Key"] for item in items] == ["listed/a.txt", "listed/b.txt", "listed/c.txt"]
    head = s3.head_object(Bucket=BUCKET, Key="listed/a.txt")
    assert items[0] == {
        "Etag": head["ETag"],
        "Key": "listed/a.txt",
        "LastModified": int(head["LastModified"].timestamp()),
        "Size": 3,
        "StorageClass": "STANDARD",
    }
    limited = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": BUCKET, "Prefix": "listed/", "MaxKeys": 1},
            "ReaderConfig": {"MaxItems": 2},
        },
    )
    assert [item["Key"] for item in output_of(run(sfn, limited))] == ["listed/a.txt", "listed/b.txt"]


def test_a_missing_bucket_fails_the_map_run_with_item_reader_failed(sfn: Any) -> None:
    machine = reader_machine(
        sfn, {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "no-such-bucket"}}
    )
    described = run(sfn, machine)
    assert (described["status"], described["error"]) == ("FAILED", "States.ItemReaderFailed")
    assert "(Service: S3, Status Code: 404" in described["cause"]
    assert event_types(history(sfn, described["executionArn"]))[-5:] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]


def test_items_pointer_and_load_and_flatten_read_the_objects_content(sfn: Any, s3: Any) -> None:
    s3.put_object(
        Bucket=BUCKET, Key="nested.json", Body=json.dumps({"data": {"items": [{"n": 1}, {"n": 2}]}})
    )
    pointed = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": BUCKET, "Key": "nested.json"},
            "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/data/items"},
        },
    )
    assert output_of(run(sfn, pointed)) == [{"n": 1}, {"n": 2}]
    s3.put_object(Bucket=BUCKET, Key="records/1.jsonl", Body=b'{"r": 1}\n{"r": 2}\n')
    s3.put_object(Bucket=BUCKET, Key="records/2.jsonl.gz", Body=gzip.compress(b'{"r": 3}\n'))
    flattened = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": BUCKET, "Prefix": "records/", "MaxKeys": 1},
            "ReaderConfig": {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"},
        },
    )
    assert output_of(run(sfn, flattened)) == [{"r": 1}, {"r": 2}, {"r": 3}]


def test_an_s3_inventory_is_read_from_its_manifest_and_gzipd_csv_files(sfn: Any, s3: Any) -> None:
    rows = [
        b'"source","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n',
        b'"source","csvDataset/other.csv","12","2022-11-17T00:29:32.000Z"\n',
    ]
    for index, row in enumerate(rows):
        s3.put_object(Bucket=BUCKET, Key=f"inventory/data/{index}.csv.gz", Body=gzip.compress(row))
    manifest = {
        "sourceBucket": "source",
        "destinationBucket": f"arn:aws:s3:::{BUCKET}",
        "version": "2016-11-30",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate",
        "files": [
            {"key": f"inventory/data/{index}.csv.gz", "size": 1, "MD5checksum": "-"} for index in (0, 1)
        ],
    }
    s3.put_object(Bucket=BUCKET, Key="inventory/manifest.json", Body=json.dumps(manifest))
    machine = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": BUCKET, "Key": "inventory/manifest.json"},
            "ReaderConfig": {"ManifestType": "S3_INVENTORY"},
        },
    )
    assert output_of(run(sfn, machine)) == [
        {
            "Bucket": "source",
            "Key": "csvDataset/titles.csv",
            "Size": "3399671",
            "LastModifiedDate": "2022-11-16T00:29:32.000Z",
        },
        {
            "Bucket": "source",
            "Key": "csvDataset/other.csv",
            "Size": "12",
            "LastModifiedDate": "2022-11-17T00:29:32.000Z",
        },
    ]
    s3.put_object(
        Bucket=BUCKET,
        Key="inventory/broken.json",
        Body=json.dumps({**manifest, "files": [{"key": "inventory/data/missing.csv.gz"}]}),
    )
    broken = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": BUCKET, "Key": "inventory/broken.json"},
            "ReaderConfig": {"InputType": "MANIFEST"},
        },
    )
    described = run(sfn, broken)
    assert (described["status"], described["error"]) == ("FAILED", "States.ItemReaderFailed")
    assert "The specified key does not exist." in described["cause"]


def test_a_bad_reader_config_is_refused_when_the_machine_is_created(sfn: Any) -> None:
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": BUCKET, "Key": "k"},
        "ReaderConfig": {"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"},
    }
    with pytest.raises(sfn.exceptions.InvalidDefinition) as refused:
        reader_machine(sfn, reader)
    message = refused.value.response["Error"]["Message"]
    assert (
        "SCHEMA_VALIDATION_FAILED" in message
        and "/States/Fan/ItemReader/ReaderConfig/Transformation" in message
    )
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemReader": {**reader, "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"}},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    diagnostics = sfn.validate_state_machine_definition(definition=json.dumps(definition))["diagnostics"]
    assert [(d["code"], d["message"], d["location"]) for d in diagnostics] == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "These fields are required: [CSVHeaders]",
            "/States/Fan/ItemReader/ReaderConfig",
        )
    ]


def test_an_object_larger_than_a_range_is_read_a_range_at_a_time(sfn: Any, s3: Any) -> None:
    """Over 8 MiB of CSV (two 4 MiB ranges and some), with rows whose quoted fields hold newlines
    and two-byte characters that the ranges cut through: every row arrives once, whole and in
    order, as moto's S3 answers the Range requests."""
    filler = "é" * 3000  # 6,000 bytes
    rows = [f'{n},"{filler}\nline {n}"' for n in range(1500)]
    body = ("id,text\n" + "\n".join(rows) + "\n").encode()
    assert len(body) > 2 * 4 * 1024 * 1024
    s3.put_object(Bucket=BUCKET, Key="large/rows.csv", Body=body)
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": BUCKET, "Key": "large/rows.csv"},
    }
    selector = {
        "id.$": "$$.Map.Item.Value.id",
        "parts.$": "States.ArrayLength(States.StringSplit($$.Map.Item.Value.text, 'é'))",
    }
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemReader": reader,
                "ItemSelector": selector,
                "MaxConcurrency": 50,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    described = run(sfn, create_machine(sfn, definition))
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert [item["id"] for item in output] == [str(n) for n in range(1500)]
    # Split on é, "é…é\nline n" leaves one part: no character was cut into U+FFFD at a range's end.
    assert {item["parts"] for item in output} == {1}


def test_a_streamed_read_goes_on_after_kill_9(aws: str, s3: Any, tmp_path: Path) -> None:
    """Killed while the children of a streamed object run and its next range is due, the server
    goes on from the snapshot: every item runs once, none is lost or read twice."""
    filler = "x" * 15_000
    body = "".join(json.dumps({"n": n, "pad": filler}) + "\n" for n in range(320)).encode()
    assert len(body) > 4 * 1024 * 1024
    s3.put_object(Bucket=BUCKET, Key="large/crash.jsonl", Body=body)
    environment = {
        "AWS_ENDPOINT_URL": aws,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    crash = Crash(ServerProcess(tmp_path / "stepwell.db", env=environment).start(), tmp_path)
    try:
        definition = {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "JSONL"},
                        "Parameters": {"Bucket": BUCKET, "Key": "large/crash.jsonl"},
                    },
                    "ItemSelector": {"n.$": "$$.Map.Item.Value.n"},
                    "MaxConcurrency": 40,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "Hold",
                        "States": {"Hold": {"Type": "Wait", "Seconds": 1, "End": True}},
                    },
                    "End": True,
                }
            },
        }
        execution = crash.start(crash.machine(definition), {})
        time.sleep(1.5)
        crash.crash_and_restart()
        described = crash.wait_done(execution, timeout=60)
        assert described["status"] == "SUCCEEDED", described
        assert [item["n"] for item in json.loads(described["output"])] == list(range(320))
        run_arn = crash.sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
        counts = crash.sfn.describe_map_run(mapRunArn=run_arn)["itemCounts"]
        assert (counts["succeeded"], counts["total"]) == (320, 320)
    finally:
        crash.kill()


def parquet_object(columns: dict[str, Any]) -> bytes:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    out = io.BytesIO()
    pq.write_table(pa.table(columns), out, compression="zstd")
    return out.getvalue()


def test_a_parquet_object_and_a_listing_of_them_are_read_row_by_row(sfn: Any, s3: Any) -> None:
    s3.put_object(
        Bucket=BUCKET,
        Key="parquet/orders.parquet",
        Body=parquet_object(
            {
                "id": [1, 2, 3],
                "customer": ["ana", "bo", None],
                "total": [12.5, 7.25, 0.0],
                "lines": [[{"sku": "a", "qty": 2}], [], [{"sku": "b", "qty": 1}]],
                "placed": [datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)] * 3,
            }
        ),
    )
    machine = reader_machine(
        sfn,
        {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": BUCKET, "Key": "parquet/orders.parquet"},
            "ReaderConfig": {"InputType": "PARQUET", "MaxItems": 2},
        },
    )
    assert output_of(run(sfn, machine)) == [
        {
            "id": 1,
            "customer": "ana",
            "total": 12.5,
            "lines": [{"sku": "a", "qty": 2}],
            "placed": "2024-05-01T12:30:00Z",
        },
        {"id": 2, "customer": "bo", "total": 7.25, "lines": [], "placed": "2024-05-01T12:30:00Z"},
    ]
    s3.put_object(Bucket=BUCKET, Key="parquet/more/1.parquet", Body=parquet_object({"n": [1, 2]}))
    s3.put_object(Bucket=BUCKET, Key="parquet/more/2.parquet", Body=parquet_object({"n": [3]}))
    flattened = create_machine(
        sfn,
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:listObjectsV2",
                        "Parameters": {"Bucket": BUCKET, "Prefix": "parquet/more/"},
                        "ReaderConfig": {"InputType": "PARQUET", "Transformation": "LOAD_AND_FLATTEN"},
                    },
                    "ItemSelector": {"n.$": "$$.Map.Item.Value.n", "from.$": "$$.Map.Item.Source"},
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        },
    )
    assert output_of(run(sfn, flattened)) == [
        {"n": 1, "from": f"S3://{BUCKET}/parquet/more/1.parquet"},
        {"n": 2, "from": f"S3://{BUCKET}/parquet/more/1.parquet"},
        {"n": 3, "from": f"S3://{BUCKET}/parquet/more/2.parquet"},
    ]


def test_a_corrupt_parquet_object_fails_and_a_version_id_is_refused(sfn: Any, s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="parquet/bad.parquet", Body=b"id,name\n1,ana\n")
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": BUCKET, "Key": "parquet/bad.parquet"},
        "ReaderConfig": {"InputType": "PARQUET"},
    }
    described = run(sfn, reader_machine(sfn, reader))
    assert (described["status"], described["error"]) == ("FAILED", "States.ItemReaderFailed")
    assert described["cause"].startswith(
        "The item reader could not read the Parquet object 'parquet/bad.parquet': Parquet magic bytes"
    )
    with pytest.raises(sfn.exceptions.InvalidDefinition) as refused:
        reader_machine(sfn, {**reader, "Parameters": {**reader["Parameters"], "VersionId": "v1"}})
    message = refused.value.response["Error"]["Message"]
    assert "The field 'VersionId' is not supported with the InputType PARQUET" in message
    assert "/States/Fan/ItemReader/Parameters/VersionId" in message
