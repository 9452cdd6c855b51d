"""AWS's sample projects (examples/batch-job, container-task, glue-job, sagemaker-training and the
distributed dynamodb-to-sqs), each run end to end as the README's walkthrough runs it: the
example's setup.py creates what it needs in a real moto server, `stepwell serve` (pointed at moto
with AWS_ENDPOINT_URL) runs it, and the test reads the outcome from moto: the SNS notification
through the queue subscribed to the topic, the SQS messages sent."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.examples.test_examples import EXAMPLES, REGION, load
from tests.runtime.invokers.moto_server import moto_server
from tests.server.process import ServerProcess
from tests.server.support import details, history, wait_for, wait_for_event

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def sfn(aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("aws-samples")
    environment = {
        "AWS_ENDPOINT_URL": aws,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }
    server = ServerProcess(folder / "stepwell.db", extra=["--sync-poll-seconds", "0.5"], env=environment)
    server.start()
    yield server.client()
    server.stop()


def client(aws: str, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=aws, **CREDENTIALS)


def run(sfn: Any, machine: str, given: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(given))["executionArn"]
    return str(execution), wait_for(sfn, execution)


def received(aws: str, queue: str, count: int = 1) -> list[str]:
    """The bodies of ``count`` messages on the queue named ``queue`` (deleted once read)."""
    sqs = client(aws, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    bodies: list[str] = []
    deadline = time.monotonic() + 10
    while len(bodies) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def states_entered(sfn: Any, execution: str) -> list[str]:
    return [
        details(event)["name"] for event in history(sfn, execution) if event["type"].endswith("StateEntered")
    ]


def given_input(example: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / example / "input.json").read_text()))


# ---- Manage a batch job ---------------------------------------------------------------------------
def test_a_batch_job_that_succeeds_is_notified(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "batch-job" / "setup.py").setup(sfn, aws)
    execution, described = run(sfn, machine, given_input("batch-job"))
    assert described["status"] == "SUCCEEDED", described
    assert "MessageId" in json.loads(described["output"])  # sns:publish's answer
    assert states_entered(sfn, execution) == ["Submit Batch Job", "Notify Success"]
    [message] = received(aws, "stepwell-batch-job")
    assert message.startswith("Batch job nightly-report (") and message.endswith(") ended SUCCEEDED")
    job_id = message.split("(")[1].split(")")[0]
    [job] = client(aws, "batch").describe_jobs(jobs=[job_id])["jobs"]
    assert job["status"] == "SUCCEEDED" and job["jobName"] == "nightly-report"


def test_a_batch_job_that_cannot_start_takes_the_catch(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "batch-job" / "setup.py").setup(sfn, aws)
    given = {"jobName": "nightly-report", "jobQueue": "no-such-queue"}
    execution, described = run(sfn, machine, given)
    assert described["status"] == "FAILED", described
    assert described["error"].startswith("Batch.")
    assert states_entered(sfn, execution) == ["Submit Batch Job", "Notify Failure", "Job Failed"]
    [message] = received(aws, "stepwell-batch-job")
    assert message == f"Batch job nightly-report failed: {described['error']}"


# ---- Manage a container task ----------------------------------------------------------------------
def test_an_ecs_task_is_followed_until_it_stops_then_notified(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "container-task" / "setup.py").setup(sfn, aws)
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(given_input("container-task")))[
        "executionArn"
    ]
    submitted = json.loads(details(wait_for_event(sfn, execution, "TaskSubmitted"))["output"])
    task_arn = submitted["Tasks"][0]["TaskArn"]
    ecs = client(aws, "ecs")
    [task] = ecs.describe_tasks(cluster="stepwell-sample", tasks=[task_arn])["tasks"]
    assert task["overrides"]["containerOverrides"][0]["command"] == ["echo", "hello from ECS"]
    time.sleep(1.5)  # several polls: moto holds the task RUNNING, and the state waits
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sqs = client(aws, "sqs")
    queue_url = sqs.get_queue_url(QueueName="stepwell-container-task")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)  # not yet notified
    ecs.stop_task(cluster="stepwell-sample", task=task_arn, reason="the container exited")
    described = wait_for(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    assert states_entered(sfn, execution) == ["Run ECS Task", "Notify Success"]
    [message] = received(aws, "stepwell-container-task")
    assert message == f"ECS task {task_arn} stopped: the container exited"


def test_an_ecs_task_that_cannot_run_takes_the_catch(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "container-task" / "setup.py").setup(sfn, aws)
    given = {**given_input("container-task"), "taskDefinition": "no-such-task"}
    execution, described = run(sfn, machine, given)
    assert described["status"] == "FAILED", described
    assert described["error"].startswith("ECS.")
    assert states_entered(sfn, execution) == ["Run ECS Task", "Notify Failure", "Task Failed"]
    [message] = received(aws, "stepwell-container-task")
    assert message == f"ECS task of no-such-task failed: {described['error']}"


# ---- DynamoDB to SQS with a Distributed Map -------------------------------------------------------
def test_a_distributed_map_sends_every_item_of_the_table_to_sqs(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "dynamodb-to-sqs" / "setup_distributed.py").setup(sfn, aws, count=12)
    execution, described = run(sfn, machine, {})
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"Sent": 12}
    bodies = received(aws, "stepwell-distributed", count=12)
    assert sorted(bodies) == sorted(f"Hello from message {n}" for n in range(1, 13))
    events = history(sfn, execution)
    types = [event["type"] for event in events]
    assert "MapRunStarted" in types and "MapRunSucceeded" in types
    map_run = sfn.describe_map_run(
        mapRunArn=details(next(e for e in events if e["type"] == "MapRunStarted"))["mapRunArn"]
    )
    assert map_run["itemCounts"]["succeeded"] == 12 and map_run["executionCounts"]["succeeded"] == 12
    children = sfn.list_executions(mapRunArn=map_run["mapRunArn"])["executions"]
    assert len(children) == 12 and {child["status"] for child in children} == {"SUCCEEDED"}


# ---- A Glue job -----------------------------------------------------------------------------------
def test_a_glue_job_run_is_followed_to_its_end(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "glue-job" / "setup.py").setup(sfn, aws)
    given = given_input("glue-job")
    execution, described = run(sfn, machine, given)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["JobName"] == "stepwell-sample-etl" and output["JobRunState"] == "SUCCEEDED"
    assert output["Arguments"] == {"--source": given["source"], "--target": given["target"]}
    assert "MessageId" in output["notification"]
    glue_run = client(aws, "glue").get_job_run(JobName="stepwell-sample-etl", RunId=output["JobRunId"])
    assert glue_run["JobRun"]["JobRunState"] == "SUCCEEDED"
    expected = f"Glue job stepwell-sample-etl run {output['JobRunId']} ended SUCCEEDED"
    assert received(aws, "stepwell-glue-job") == [expected]
    assert states_entered(sfn, execution) == ["Start Glue Job Run", "Notify Success"]


def test_a_glue_job_that_does_not_exist_takes_the_catch(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "glue-job" / "setup.py").setup(sfn, aws)
    given = {**given_input("glue-job"), "jobName": "no-such-job"}
    execution, described = run(sfn, machine, given)
    assert described["status"] == "FAILED", described
    assert described["error"] == "Glue.EntityNotFoundException"
    assert states_entered(sfn, execution) == ["Start Glue Job Run", "Notify Failure", "Job Failed"]
    assert received(aws, "stepwell-glue-job") == ["Glue job no-such-job failed: Glue.EntityNotFoundException"]


# ---- A SageMaker training job ---------------------------------------------------------------------
def test_a_training_job_makes_the_model_that_a_batch_transform_uses(sfn: Any, aws: str) -> None:
    machine = load(EXAMPLES / "sagemaker-training" / "setup.py").setup(sfn, aws)
    execution = sfn.start_execution(
        stateMachineArn=machine, name="train-42", input=json.dumps(given_input("sagemaker-training"))
    )["executionArn"]
    described = wait_for(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    artifacts = "s3://stepwell-ml/models/train-42/output/model.tar.gz"
    assert output["training"]["TrainingJobStatus"] == "Completed"
    assert output["training"]["ModelArtifacts"] == {"S3ModelArtifacts": artifacts}
    assert output["transform"] == {
        "TransformJobName": "train-42",
        "TransformJobStatus": "Completed",
        "ModelName": "train-42",
    }
    sagemaker = client(aws, "sagemaker")
    model = sagemaker.describe_model(ModelName="train-42")
    assert output["model"]["ModelArn"] == model["ModelArn"]
    assert model["PrimaryContainer"]["ModelDataUrl"] == artifacts
    assert sagemaker.describe_training_job(TrainingJobName="train-42")["TrainingJobStatus"] == "Completed"
    scheduled = [details(e)["resource"] for e in history(sfn, execution) if e["type"] == "TaskScheduled"]
    assert scheduled == ["createTrainingJob.sync", "createModel", "createTransformJob.sync"]


# ---- the README's walkthrough ---------------------------------------------------------------------
def walkthrough_commands() -> list[str]:
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Sample projects") : readme.index("## In process: ")]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert "make moto" in blocks[0] and "AWS_ENDPOINT_URL=http://127.0.0.1:5000" in blocks[0]
    return [
        command
        for block in blocks[1:]  # the first: make moto, the variables, make serve
        for command in block.replace("\\\n", " ").splitlines()
        if command.strip() and not command.lstrip().startswith("#")
    ]


def wait_a_while(sfn: Any, execution: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sfn.describe_execution(executionArn=execution)["status"] != "RUNNING":
            return
        time.sleep(0.2)


def test_the_readme_walkthrough_runs_as_documented(tmp_path: Path) -> None:
    """Each command of the README's sample projects, in bash, against a fresh moto and a server
    started as its first block says (only the ports and .venv/bin differ); before a command reads
    an execution, the execution has ended (the container task's only once the task is stopped)."""
    bin_folder = Path(sys.executable).parent
    with moto_server() as moto:
        environment = {
            "AWS_ENDPOINT_URL": moto,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        }
        server = ServerProcess(tmp_path / "samples.db", extra=["--sync-poll-seconds", "1"], env=environment)
        server.start()
        sfn = server.client()
        outputs = []
        try:
            for command in walkthrough_commands():
                script = (
                    command.replace("http://127.0.0.1:5000", moto)
                    .replace("http://127.0.0.1:8083", server.endpoint)
                    .replace(".venv/bin/", f"{bin_folder}/")
                )
                arn = re.search(r"--execution-arn (\S+)", script)
                if arn:
                    wait_a_while(sfn, arn.group(1), 20)
                done = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", script],
                    cwd=EXAMPLES.parent,
                    env={**os.environ, **environment, "STEPWELL_ENDPOINT": server.endpoint},
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                assert done.returncode == 0, (command, done.stdout, done.stderr)
                outputs.append(done.stdout)
                if "start-execution" in script:
                    wait_a_while(sfn, json.loads(done.stdout)["executionArn"], 8)
        finally:
            server.stop()
    seen = "\n".join(outputs)
    for expected in (
        "ended SUCCEEDED",  # the batch job's notification
        '"Batch.ClientException"',
        "Batch job nightly-report failed: Batch.ClientException",
        "stopped: the container exited",
        '"{\\"Sent\\":5}"',
        '"Hello from message 5"',
        '"JobRunState":"SUCCEEDED"',
        '"s3://stepwell-ml/models/train-1/output/model.tar.gz"',
        '"Completed"',
    ):
        assert expected in seen, expected
    # describe-execution: batch-job, container-task, dynamodb-to-sqs; and the Glue run's JobRunState
    assert seen.count('"SUCCEEDED"') == 4, seen
