"""A Distributed Map's ResultWriter: the engine asks for each result file and the manifest
(aws-sdk:s3:putObject) once its Map Run is over, waits for the answers, and outputs where they went
(engine/result_writer.py)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from stepwell.engine.commands import Finish, InvokeTask, MapRunChanged, StartChildExecution
from stepwell.engine.events import ChildTimes, ExecutionStarted, TaskFailed, TaskSucceeded
from stepwell.engine.result_writer import file_bodies
from tests.engine.driver import ACCOUNT, REGION, START, Run, info, machine_of

PUT = "arn:aws:states:::aws-sdk:s3:putObject"
MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Machine"
EXPORT = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "jobs"}}


def distributed(
    processor: dict[str, Any] | None = None, execution_type: str = "STANDARD", **fields: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            **(processor or {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}}),
        },
        "Label": "Each",
        "ResultWriter": EXPORT,
        "End": True,
        **fields,
    }
    return machine_of({"Fan": body})


def with_children(definition: dict[str, Any], value: Any) -> Run:
    """The STANDARD iterations run as child executions (a server's runtime)."""
    run = Run(definition, start=False)
    execution = dataclasses.replace(info(), child_executions=True)
    run.deliver(ExecutionStarted(now=START, seed="s", input=value, execution=execution))
    return run


def children(run: Run) -> list[StartChildExecution]:
    return [c for c in run.commands if isinstance(c, StartChildExecution)]


def puts(run: Run, latest: bool = True) -> list[InvokeTask]:
    return [c for c in run.invocations(latest) if c.resource == PUT]


def written(run: Run) -> dict[str, Any]:
    """Answer every write as S3 would, file by file, then the manifest; the bodies by key."""
    files: dict[str, Any] = {}
    while puts(run) and run.status == "RUNNING":
        for call in puts(run):
            files[call.payload["Key"]] = call.payload["Body"]
            assert call.payload["Bucket"] == "out"
            run.succeed(call.task_id, output={"ETag": '"x"'})
    return files


def map_run_id(run: Run) -> str:
    arn = run.details("MapRunStarted")["mapRunArn"]
    return str(arn).rsplit(":", 1)[1]


def test_the_results_go_to_s3_as_aws_lays_them_out_and_the_map_outputs_where() -> None:
    run = with_children(distributed(ToleratedFailureCount=1), [{"n": 1}, {"n": 2}])
    first, second = children(run)
    run.tick(2).deliver(
        TaskSucceeded(
            now=run.now,
            seed="s",
            task_id=first.task_id,
            output={"r": 1},
            child=ChildTimes(START + 0.25, START + 1.5),
        )
    )
    run.tick(1).deliver(
        TaskFailed(
            now=run.now,
            seed="s",
            task_id=second.task_id,
            error="Oops",
            cause="bad",
            child=ChildTimes(START, START + 3),
        )
    )
    assert run.types()[-1] == "MapRunStarted"  # not succeeded yet: the files are written first
    calls = puts(run)
    run_id = map_run_id(run)
    folder = f"jobs/{run_id}"
    assert [c.payload["Key"] for c in calls] == [f"{folder}/SUCCEEDED_0.json", f"{folder}/FAILED_0.json"]
    files = written(run)
    labelled = f"{MACHINE}/Each"
    child_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Machine/Each:"
    assert json.loads(files[f"{folder}/SUCCEEDED_0.json"]) == [
        {
            "ExecutionArn": child_arn + first.name,
            "Input": '{"n":1}',
            "InputDetails": {"Included": True},
            "Name": first.name,
            "Output": '{"r":1}',
            "OutputDetails": {"Included": True},
            "RedriveCount": 0,
            "RedriveStatus": "NOT_REDRIVABLE",
            "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
            "StartDate": "2023-11-14T22:13:20.250Z",
            "StateMachineArn": labelled,
            "Status": "SUCCEEDED",
            "StopDate": "2023-11-14T22:13:21.500Z",
        }
    ]
    [failed] = json.loads(files[f"{folder}/FAILED_0.json"])
    assert (failed["Status"], failed["Error"], failed["Cause"], failed["Name"]) == (
        "FAILED",
        "Oops",
        "bad",
        second.name,
    )
    assert "Output" not in failed and failed["StopDate"] == "2023-11-14T22:13:23.000Z"
    manifest = json.loads(files[f"{folder}/manifest.json"])
    assert manifest == {
        "DestinationBucket": "out",
        "MapRunArn": run.details("MapRunStarted")["mapRunArn"],
        "ResultFiles": {
            "FAILED": [
                {"Key": f"{folder}/FAILED_0.json", "Size": len(files[f"{folder}/FAILED_0.json"].encode())}
            ],
            "PENDING": [],
            "SUCCEEDED": [
                {
                    "Key": f"{folder}/SUCCEEDED_0.json",
                    "Size": len(files[f"{folder}/SUCCEEDED_0.json"].encode()),
                }
            ],
        },
    }
    assert run.finish == Finish(
        "SUCCEEDED",
        output={
            "MapRunArn": manifest["MapRunArn"],
            "ResultWriterDetails": {"Bucket": "out", "Key": f"{folder}/manifest.json"},
        },
    )
    assert run.types()[-4:] == [
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    report = [c for c in run.commands if isinstance(c, MapRunChanged)][-1]
    assert (report.status, report.results_written, report.items_written) == ("SUCCEEDED", 2, 2)


def test_a_failed_write_fails_the_map_run_with_result_writer_failed() -> None:
    run = Run(distributed(), [1])
    [call] = puts(run)
    run.fail(call.task_id, error="S3.NoSuchBucketException", cause="The specified bucket does not exist")
    assert run.finish == Finish(
        "FAILED", error="States.ResultWriterFailed", cause="The specified bucket does not exist"
    )
    assert run.types()[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    assert run.snap.open_tasks == {}


def test_in_process_iterations_are_written_too_and_the_manifest_waits_for_the_files() -> None:
    definition = distributed(ItemSelector={"v.$": "$$.Map.Item.Value"})
    run = Run(definition, ["a", "b"])
    [call] = puts(run)  # the one result file; the manifest only once it is written
    [first, second] = json.loads(call.payload["Body"])
    assert (first["Input"], first["Output"], second["Input"]) == ('{"v":"a"}', '{"v":"a"}', '{"v":"b"}')
    assert first["ExecutionArn"].endswith(":execution:Machine/Each:" + first["Name"])
    assert first["StartDate"] == first["StopDate"] == "2023-11-14T22:13:20.000Z"
    run.succeed(call.task_id)
    [manifest] = puts(run)
    assert manifest.payload["Key"].endswith("/manifest.json")
    run.succeed(manifest.task_id)
    assert run.status == "SUCCEEDED"


def test_express_children_have_express_arns() -> None:
    run = Run(distributed(execution_type="EXPRESS"), [1])
    [entry] = json.loads(puts(run)[0].payload["Body"])
    head = f"arn:aws:states:{REGION}:{ACCOUNT}:express:Machine/Each:{entry['Name']}:"
    assert entry["ExecutionArn"].startswith(head) and len(entry["ExecutionArn"]) == len(head) + 36


def test_a_failed_map_run_writes_its_failed_aborted_and_pending_children_first() -> None:
    run = with_children(distributed(MaxConcurrency=2), [1, 2, 3])
    first, second = children(run)
    run.fail(first.task_id, error="Oops", cause="bad")
    assert run.types()[-1] == "MapRunStarted"
    files = written(run)
    failed = json.loads(next(v for k, v in files.items() if "FAILED_0" in k))
    assert [(e["Name"], e["Status"]) for e in failed] == [(first.name, "FAILED"), (second.name, "ABORTED")]
    [pending] = json.loads(next(v for k, v in files.items() if "PENDING_0" in k))
    assert pending["Input"] == "3" and pending["Status"] == "PENDING"
    assert not any("SUCCEEDED_" in k for k in files)
    assert run.finish is not None and run.finish.error == "States.ExceedToleratedFailureThreshold"
    assert run.types()[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_stopping_while_writing_gives_the_writes_up() -> None:
    run = Run(distributed(), [1])
    [call] = puts(run)
    run.stop()
    assert run.status == "ABORTED" and call.task_id in run.cancels()


def test_writer_config_transforms_the_files_and_json_lines() -> None:
    returns = {"StartAt": "W", "States": {"W": {"Type": "Pass", "Result": [1, 2], "End": True}}}
    config = {**EXPORT, "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"}}
    run = Run(distributed(returns, ResultWriter=config), ["a", "b"])
    [call] = puts(run)
    assert call.payload["Body"] == "1\n2\n1\n2\n"
    compact = {**EXPORT, "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}
    run = Run(distributed(returns, ResultWriter=compact), ["a", "b"])
    assert json.loads(puts(run)[0].payload["Body"]) == [[1, 2], [1, 2]]


def test_writer_config_alone_formats_the_output_and_writes_nothing() -> None:
    returns = {"StartAt": "W", "States": {"W": {"Type": "Pass", "Result": [1, 2], "End": True}}}
    preview = {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    run = Run(distributed(returns, ResultWriter=preview), ["a", "b"])
    assert puts(run, latest=False) == []
    assert run.finish == Finish("SUCCEEDED", output=[1, 2, 1, 2])


def test_files_are_cut_by_size() -> None:
    assert file_bodies([1, 22, 333], "JSON", limit=7) == ["[1,22]", "[333]"]
    assert file_bodies([1, 22, 333], "JSONL", limit=5) == ["1\n22\n", "333\n"]
    assert file_bodies([], "JSON") == []


def test_jsonata_arguments_and_batches_count_their_items_as_written() -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Arguments": {"Bucket": "{% $states.input.to %}", "Prefix": "p/"},
    }
    definition = distributed(
        ResultWriter=writer, ItemBatcher={"MaxItemsPerBatch": 2}, Items="{% $states.input.items %}"
    )
    definition["QueryLanguage"] = "JSONata"
    run = with_children(definition, {"to": "out", "items": [1, 2, 3]})
    for child in children(run):
        run.succeed(child.task_id, output="ok")
    files = written(run)
    assert sorted(files) == [f"p/{map_run_id(run)}/SUCCEEDED_0.json", f"p/{map_run_id(run)}/manifest.json"]
    entries = json.loads(files[f"p/{map_run_id(run)}/SUCCEEDED_0.json"])
    assert [e["Input"] for e in entries] == ['{"Items":[1,2]}', '{"Items":[3]}']
    report = [c for c in run.commands if isinstance(c, MapRunChanged)][-1]
    assert (report.results_written, report.items_written) == (2, 3)
