"""``.sync`` jobs through ``stepwell serve`` on each store, against a real moto server: a Batch job
followed to its end; an ECS task that moto keeps RUNNING, which the test stops (the workflow
follows); stopping the execution and a task timeout cancel the job (StopTask); a kill -9 while the
job runs loses nothing. A job that FAILED (which moto never reports) comes from a stand-in."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.test_server import STORES, _server
from tests.runtime.invokers import aws_jobs_setup as setup
from tests.runtime.invokers.job_standin import StandIn
from tests.server.crash_helpers import Crash, wait_until
from tests.server.process import ServerProcess
from tests.server.support import (
    ROLE,
    SUBMITTED_TASK_EVENTS,
    details,
    dumps,
    history,
    unique,
    wait_for,
    wait_for_event,
)

STATES = "arn:aws:states:::"


def environment(aws: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": aws, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module", params=STORES)
def sfn(request: pytest.FixtureRequest, aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("sync-jobs")
    server = _server(request, folder, env=environment(aws), extra=["--sync-poll-seconds", "0.5"]).start()
    yield server.client()
    server.stop()


def job_machine(sfn: Any, resource: str, parameters: dict[str, Any], **task: Any) -> str:
    state = {"Type": "Task", "Resource": STATES + resource, "Parameters": parameters, "End": True, **task}
    definition = {"StartAt": "Job", "States": {"Job": state}}
    made = sfn.create_state_machine(name=unique("job"), definition=dumps(definition), roleArn=ROLE)
    return str(made["stateMachineArn"])


def start(sfn: Any, machine: str) -> str:
    return str(sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"])


def running_task(aws: str, execution: str, sfn: Any) -> str:
    """The ECS task the execution started (from its TaskSubmitted event)."""
    submitted = wait_for_event(sfn, execution, "TaskSubmitted")
    return str(json.loads(details(submitted)["output"])["Tasks"][0]["TaskArn"])


def ecs_status(aws: str, cluster: str, task_arn: str) -> str:
    return str(
        setup.client(aws, "ecs").describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]["lastStatus"]
    )


def test_a_batch_job_is_followed_to_its_end(sfn: Any, aws: str) -> None:
    queue = setup.batch_queue(aws)
    machine = job_machine(sfn, "batch:submitJob.sync", {"JobName": "nightly", **queue})
    execution = start(sfn, machine)
    described = wait_for(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    job = json.loads(described["output"])
    assert (
        job["Status"] == "SUCCEEDED" and job["JobName"] == "nightly" and job["JobQueue"] == queue["JobQueue"]
    )
    events = history(sfn, execution)
    types = [event["type"] for event in events]
    assert types == SUBMITTED_TASK_EVENTS
    submitted = json.loads(details(events[4])["output"])
    assert submitted["JobId"] == job["JobId"] and "SdkHttpMetadata" in submitted
    scheduled = details(events[2])
    assert scheduled["resource"] == "submitJob.sync" and scheduled["resourceType"] == "batch"


def test_an_emr_cluster_is_created_and_terminated_by_its_cluster_id(sfn: Any, aws: str) -> None:
    """As AWS's EMR sample does: createCluster.sync's ClusterId feeds terminateCluster.sync."""
    create = {
        "Type": "Task",
        "Resource": STATES + "elasticmapreduce:createCluster.sync",
        "Parameters": setup.emr_cluster_params(),
        "ResultPath": "$.created",
        "Next": "Terminate",
    }
    terminate = {
        "Type": "Task",
        "Resource": STATES + "elasticmapreduce:terminateCluster.sync",
        "Parameters": {"ClusterId.$": "$.created.ClusterId"},
        "End": True,
    }
    definition = {"StartAt": "Create", "States": {"Create": create, "Terminate": terminate}}
    made = sfn.create_state_machine(name=unique("emr"), definition=dumps(definition), roleArn=ROLE)
    described = wait_for(sfn, start(sfn, str(made["stateMachineArn"])))
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["Cluster"]["Status"]["State"] == "TERMINATED"


def test_an_ecs_task_holds_the_state_until_it_stops(sfn: Any, aws: str) -> None:
    params = setup.ecs_task(aws)
    machine = job_machine(sfn, "ecs:runTask.sync", params)
    execution = start(sfn, machine)
    task_arn = running_task(aws, execution, sfn)
    time.sleep(1.5)  # several polls: the task is RUNNING
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    setup.client(aws, "ecs").stop_task(cluster=params["Cluster"], task=task_arn, reason="done")
    described = wait_for(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    stopped = json.loads(described["output"])
    assert stopped["TaskArn"] == task_arn and stopped["LastStatus"] == "STOPPED"
    assert stopped["StartedBy"] == "AWS Step Functions"
    scheduled = wait_for_event(sfn, execution, "TaskScheduled")
    assert json.loads(details(scheduled)["parameters"]) == {**params, "StartedBy": "AWS Step Functions"}


def test_stopping_the_execution_stops_the_ecs_task(sfn: Any, aws: str) -> None:
    params = setup.ecs_task(aws)
    execution = start(sfn, job_machine(sfn, "ecs:runTask.sync", params))
    task_arn = running_task(aws, execution, sfn)
    sfn.stop_execution(executionArn=execution, error="Enough", cause="the test stops it")
    assert wait_for(sfn, execution)["status"] == "ABORTED"
    wait_until(lambda: ecs_status(aws, params["Cluster"], task_arn) == "STOPPED", 10, "StopTask")


def test_a_task_timeout_fails_the_state_and_stops_the_task(sfn: Any, aws: str) -> None:
    params = setup.ecs_task(aws)
    execution = start(sfn, job_machine(sfn, "ecs:runTask.sync", params, TimeoutSeconds=2))
    task_arn = running_task(aws, execution, sfn)
    described = wait_for(sfn, execution)
    assert described["status"] == "FAILED" and described["error"] == "States.Timeout"
    assert "TaskTimedOut" in [event["type"] for event in history(sfn, execution)]
    wait_until(lambda: ecs_status(aws, params["Cluster"], task_arn) == "STOPPED", 10, "StopTask")


def test_a_heartbeat_keeps_a_sync_job_alive_and_its_token_can_end_it(sfn: Any, aws: str) -> None:
    """A .sync task has a task token: SendTaskHeartbeat holds off HeartbeatSeconds, and
    SendTaskSuccess completes the task and stops the following of the job (§1.3)."""
    params = setup.ecs_task(aws)
    parameters = {
        **params,
        "Overrides": {
            "ContainerOverrides": [
                {"Name": "app", "Environment": [{"Name": "TOKEN", "Value.$": "$$.Task.Token"}]}
            ]
        },
    }
    execution = start(sfn, job_machine(sfn, "ecs:runTask.sync", parameters, HeartbeatSeconds=2))
    scheduled = wait_for_event(sfn, execution, "TaskScheduled")
    token = json.loads(details(scheduled)["parameters"])["Overrides"]["ContainerOverrides"][0]["Environment"][
        0
    ]["Value"]
    for _ in range(3):
        time.sleep(1)
        sfn.send_task_heartbeat(taskToken=token)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output='{"from": "the job"}')
    described = wait_for(sfn, execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"from": "the job"}


def test_a_job_that_failed_fails_the_task_with_its_description(tmp_path: Path) -> None:
    stand_in = StandIn().start()
    stand_in.answers["/v1/submitjob"] = {
        "jobArn": "arn:aws:batch:us-east-1:123456789012:job/j-1",
        "jobId": "j-1",
        "jobName": "n",
    }
    stand_in.answers["/v1/describejobs"] = {
        "jobs": [
            {"jobId": "j-1", "jobName": "n", "status": "FAILED", "statusReason": "Essential container exited"}
        ]
    }
    server = ServerProcess(tmp_path / "stepwell.db", env={**environment(stand_in.url)}).start()
    try:
        sfn = server.client()
        machine = job_machine(
            sfn, "batch:submitJob.sync", {"JobName": "n", "JobQueue": "q", "JobDefinition": "d"}
        )
        described = wait_for(sfn, start(sfn, machine))
        assert described["status"] == "FAILED" and described["error"] == "States.TaskFailed"
        assert json.loads(described["cause"]) == {
            "JobId": "j-1",
            "JobName": "n",
            "Status": "FAILED",
            "StatusReason": "Essential container exited",
        }
        submitted = next(a.body for a in stand_in.asked if a.target == "/v1/submitjob")
        assert {"name": "MANAGED_BY_AWS", "value": "STARTED_BY_STEP_FUNCTIONS"} in submitted[
            "containerOverrides"
        ]["environment"]
    finally:
        server.stop()
        stand_in.stop()


def test_a_job_is_still_followed_after_kill_9(tmp_path: Path, aws: str) -> None:
    server = ServerProcess(
        tmp_path / "stepwell.db", env=environment(aws), extra=["--sync-poll-seconds", "0.5"]
    )
    crash = Crash(server.start(), tmp_path)
    try:
        params = setup.ecs_task(aws)
        execution = start(crash.sfn, job_machine(crash.sfn, "ecs:runTask.sync", params))
        task_arn = running_task(aws, execution, crash.sfn)
        crash.crash_and_restart()
        time.sleep(1)
        assert crash.sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        setup.client(aws, "ecs").stop_task(cluster=params["Cluster"], task=task_arn, reason="done")
        described = crash.wait_done(execution)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"])["TaskArn"] == task_arn
    finally:
        crash.kill()
