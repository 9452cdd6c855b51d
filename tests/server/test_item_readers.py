"""A Distributed Map's ItemReader through `stepwell serve` against a real moto S3: a listing over
several pages, its objects' records (LOAD_AND_FLATTEN), an S3 inventory, ItemsPointer, and the
failures, each read by the runtime's S3 calls as the engine asks for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.runtime.invokers.moto_server import moto_server
from tests.server.process import ServerProcess
from tests.server.support import create_machine, event_types, history, run

BUCKET = "stepwell-readers"


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    with moto_server() as url:
        yield url


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
