"""A Distributed Map's ResultWriter through `stepwell serve` on each store, writing to a real moto S3:
the objects are read back with boto3 and every field checked against the child executions the API
describes; a missing bucket fails the Map Run with States.ResultWriterFailed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conformance.test_server import STORES, _server
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION
from tests.server.support import ROLE, dumps, unique, wait_for

MOTO_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}


@pytest.fixture(scope="module")
def s3(aws: str) -> Any:
    return boto3.client("s3", endpoint_url=aws, region_name=REGION, **FAKE_CREDENTIALS)


@pytest.fixture(scope="module", params=STORES)
def sfn(request: pytest.FixtureRequest, aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("result-writer")
    server = _server(request, folder, env={"AWS_ENDPOINT_URL": aws, **MOTO_ENV}).start()
    yield server.client()
    server.stop()


def machine(sfn: Any, writer: dict[str, Any], processor: dict[str, Any], **fields: Any) -> str:
    body = {
        "Type": "Map",
        "Label": "Each",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **processor,
        },
        "ResultWriter": writer,
        "End": True,
        **fields,
    }
    definition = {"StartAt": "Fan", "States": {"Fan": body}}
    return str(
        sfn.create_state_machine(name=unique("writer"), definition=dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


# Items whose "fail" is true fail their child execution; the others output {"got": item}.
SOMETIMES_FAILS = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Broken"}],
            "Default": "Echo",
        },
        "Broken": {"Type": "Fail", "Error": "Item.Broken", "Cause": "this item is broken"},
        "Echo": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": True},
    },
}


def export(bucket: str, **config: str) -> dict[str, Any]:
    writer: dict[str, Any] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": bucket, "Prefix": "jobs"},
    }
    if config:
        writer["WriterConfig"] = config
    return writer


def read(s3: Any, bucket: str, key: str) -> str:
    return str(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode())


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_the_files_the_manifest_and_the_output_are_awss(sfn: Any, s3: Any) -> None:
    bucket = unique("results").lower()
    s3.create_bucket(Bucket=bucket)
    arn = machine(sfn, export(bucket), SOMETIMES_FAILS, ToleratedFailureCount=1)
    items = [{"n": 1, "fail": False}, {"n": 2, "fail": True}]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(items))["executionArn"]
    done = wait_for(sfn, execution)
    assert done["status"] == "SUCCEEDED", done
    [run] = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    run_id = run["mapRunArn"].rsplit(":", 1)[1]
    folder = f"jobs/{run_id}"
    assert json.loads(done["output"]) == {
        "MapRunArn": run["mapRunArn"],
        "ResultWriterDetails": {"Bucket": bucket, "Key": f"{folder}/manifest.json"},
    }
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert listed == [f"{folder}/FAILED_0.json", f"{folder}/SUCCEEDED_0.json", f"{folder}/manifest.json"]
    succeeded_text = read(s3, bucket, f"{folder}/SUCCEEDED_0.json")
    failed_text = read(s3, bucket, f"{folder}/FAILED_0.json")
    assert json.loads(read(s3, bucket, f"{folder}/manifest.json")) == {
        "DestinationBucket": bucket,
        "MapRunArn": run["mapRunArn"],
        "ResultFiles": {
            "FAILED": [{"Key": f"{folder}/FAILED_0.json", "Size": len(failed_text.encode())}],
            "PENDING": [],
            "SUCCEEDED": [{"Key": f"{folder}/SUCCEEDED_0.json", "Size": len(succeeded_text.encode())}],
        },
    }
    children = {c["executionArn"]: c for c in sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]}
    [good] = json.loads(succeeded_text)
    [bad] = json.loads(failed_text)
    for entry in (good, bad):
        child = sfn.describe_execution(executionArn=entry["ExecutionArn"])
        assert entry["ExecutionArn"] in children and entry["Name"] == child["name"]
        assert entry["StateMachineArn"] == f"{arn}/Each" == child["stateMachineArn"]
        assert entry["Input"] == child["input"] and entry["InputDetails"] == {"Included": True}
        assert (entry["StartDate"], entry["StopDate"]) == (iso(child["startDate"]), iso(child["stopDate"]))
        assert entry["Status"] == child["status"] and entry["RedriveCount"] == 0
    assert json.loads(good["Input"]) == items[0] and json.loads(good["Output"]) == {"got": items[0]}
    assert (good["OutputDetails"], good["RedriveStatus"], good["RedriveStatusReason"]) == (
        {"Included": True},
        "NOT_REDRIVABLE",
        "Execution is SUCCEEDED and cannot be redriven",
    )
    assert (bad["Status"], bad["Error"], bad["Cause"]) == ("FAILED", "Item.Broken", "this item is broken")
    assert "Output" not in bad
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert described["itemCounts"]["resultsWritten"] == described["executionCounts"]["resultsWritten"] == 2


def test_writer_config_shapes_the_succeeded_files(sfn: Any, s3: Any) -> None:
    bucket = unique("flat").lower()
    s3.create_bucket(Bucket=bucket)
    pairs = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$"}, "End": True}}}
    arn = machine(sfn, export(bucket, Transformation="COMPACT", OutputType="JSONL"), pairs)
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
    done = wait_for(sfn, execution)
    assert done["status"] == "SUCCEEDED", done
    key = json.loads(done["output"])["ResultWriterDetails"]["Key"].replace(
        "manifest.json", "SUCCEEDED_0.json"
    )
    assert read(s3, bucket, key) == '{"x":1}\n{"x":2}\n{"x":3}\n'


def test_a_missing_bucket_fails_the_map_run_with_result_writer_failed(sfn: Any) -> None:
    arn = machine(sfn, export(unique("nowhere").lower()), SOMETIMES_FAILS)
    execution = sfn.start_execution(stateMachineArn=arn, input='[{"fail": false}]')["executionArn"]
    done = wait_for(sfn, execution)
    assert (done["status"], done["error"]) == ("FAILED", "States.ResultWriterFailed")
    events = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert events[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    [run] = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert sfn.describe_map_run(mapRunArn=run["mapRunArn"])["status"] == "FAILED"


def test_stepwell_run_in_process_writes_the_files_too(aws: str, s3: Any, tmp_path: Path) -> None:
    """`stepwell run` runs the iterations inside the execution (no child executions of their own):
    each still has its entry, with an ARN and a name of its own."""
    bucket = unique("inproc").lower()
    s3.create_bucket(Bucket=bucket)
    body = {
        "Type": "Map",
        "Label": "Each",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **SOMETIMES_FAILS,
        },
        "ResultWriter": export(bucket),
        "End": True,
    }
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps({"StartAt": "Fan", "States": {"Fan": body}}), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "stepwell.cli",
            "run",
            str(path),
            "--input",
            '[{"n": 7, "fail": false}]',
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "AWS_ENDPOINT_URL": aws, **MOTO_ENV},
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)["output"]
    key = output["ResultWriterDetails"]["Key"]
    manifest = json.loads(read(s3, bucket, key))
    [listed] = manifest["ResultFiles"]["SUCCEEDED"]
    [entry] = json.loads(read(s3, bucket, listed["Key"]))
    assert (entry["Status"], json.loads(entry["Output"]), entry["Input"]) == (
        "SUCCEEDED",
        {"got": {"n": 7, "fail": False}},
        '{"n":7,"fail":false}',
    )
    assert ":execution:" in entry["ExecutionArn"] and entry["ExecutionArn"].endswith("/Each:" + entry["Name"])
