"""Batch, ECS, Glue, SageMaker, Athena and CodeBuild: jobs ``.sync`` follows (§2.1-§2.6)."""

from __future__ import annotations

import json

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.rows.make import job, rr
from stepwell.runtime.invokers.optimized.spec import (
    EVERY_PATTERN,
    Integration,
    Json,
    SyncJob,
    dig,
)

BATCH = JavaV1Names("Batch", "AWSBatch", "AWSBatchException")
ECS = JavaV1Names("ECS", "AmazonECS", "AmazonECSException")
GLUE = JavaV1Names("Glue", "AWSGlue", "AWSGlueException")
# "SageMaker.AmazonSageMakerException" is a documented retryable error (§2.4).
SAGEMAKER = JavaV1Names("SageMaker", "AmazonSageMaker", "AmazonSageMakerException")
ATHENA = JavaV1Names("Athena", "AmazonAthena", "AmazonAthenaException")
CODEBUILD = JavaV1Names("CodeBuild", "AWSCodeBuild", "AWSCodeBuildException")


# ---- the jobs .sync follows -------------------------------------------------------------------
def _batch_handle(request: Json, response: Json) -> Json:
    return {"jobs": [response.get("JobId")]}


BATCH_JOB = SyncJob(
    describe="DescribeJobs",
    handle=_batch_handle,
    job_at=("Jobs", 0),
    status_at=("Status",),
    succeeded=frozenset({"SUCCEEDED"}),
    failed=frozenset({"FAILED"}),
    cancel="TerminateJob",
    # TerminateJob's reason is required; AWS's wording was not recorded (ours).
    cancel_params=lambda handle: {"jobId": handle["jobs"][0], "reason": "Aborted by AWS Step Functions"},
)


def _ecs_handle(request: Json, response: Json) -> Json:
    task = dig(response, ("Tasks", 0)) or {}
    return {"cluster": request.get("cluster") or "default", "tasks": [task.get("TaskArn")]}


def _ecs_failures(answer: Json, pattern: str) -> TaskError | None:
    """ "Non-empty Failures with HTTP 200: RR returns it unchanged; .sync and WFTT fail" with
    ``AmazonECS.Unknown`` (§2.2)."""
    if not pattern or not answer.get("Failures"):
        return None
    return TaskError("AmazonECS.Unknown", json.dumps(answer, separators=(",", ":")))


def _ecs_task_failed(task: Json) -> bool:
    """A stopped task that failed to start fails the state (recorded); so does one whose
    essential container exited with a non-zero code (unconfirmed: §2.2)."""
    if task.get("StopCode") == "TaskFailedToStart":
        return True
    return any(
        isinstance(container, dict) and container.get("ExitCode") not in (None, 0)
        for container in task.get("Containers") or []
    )


ECS_TASK = SyncJob(
    describe="DescribeTasks",
    handle=_ecs_handle,
    job_at=("Tasks", 0),
    status_at=("LastStatus",),
    succeeded=frozenset({"STOPPED"}),
    failed=frozenset(),
    cancel="StopTask",
    cancel_params=lambda handle: {"cluster": handle["cluster"], "task": handle["tasks"][0]},
    failed_when=_ecs_task_failed,
)

GLUE_JOB_RUN = SyncJob(
    describe="GetJobRun",
    handle=lambda request, response: {"JobName": request.get("JobName"), "RunId": response.get("JobRunId")},
    job_at=("JobRun",),
    status_at=("JobRunState",),
    # LocalStack counts STOPPED as success; AWS's treatment of STOPPED and EXPIRED is unconfirmed.
    succeeded=frozenset({"SUCCEEDED", "STOPPED"}),
    failed=frozenset({"FAILED", "TIMEOUT", "ERROR", "EXPIRED"}),
    cancel="BatchStopJobRun",
    cancel_params=lambda handle: {"JobName": handle["JobName"], "JobRunIds": [handle["RunId"]]},
)


def _sagemakerjob(kind: str, stops: bool = True) -> SyncJob:
    """``createXJob.sync``: DescribeXJob until ``XJobStatus`` ends; the output is that answer.
    Failed and Stopped fail the task (unconfirmed: by analogy with Batch, ECS and states)."""
    name = f"{kind}Name"
    return SyncJob(
        describe=f"Describe{kind}",
        handle=lambda request, response: {name: request.get(name)},
        job_at=(),
        status_at=(f"{kind}Status",),
        succeeded=frozenset({"Completed"}),
        failed=frozenset({"Failed", "Stopped"}),
        cancel=f"Stop{kind}" if stops else None,
    )


ATHENA_QUERY = SyncJob(
    describe="GetQueryExecution",
    handle=lambda request, response: {"QueryExecutionId": response.get("QueryExecutionId")},
    job_at=(),
    status_at=("QueryExecution", "Status", "State"),
    succeeded=frozenset({"SUCCEEDED"}),
    failed=frozenset({"FAILED", "CANCELLED"}),  # unconfirmed (§2.5)
    cancel="StopQueryExecution",
)

_BUILD_ENDS = frozenset({"FAILED", "FAULT", "TIMED_OUT", "STOPPED"})  # unconfirmed (§2.6)


def _codebuild(describe: str, many: str, one: str, status: str, stop: str) -> SyncJob:
    """A build (or build batch): the output is ``{Build: ...}`` as StartBuild answers it."""
    return SyncJob(
        describe=describe,
        handle=lambda request, response: {"ids": [dig(response, (one, "Id"))]},
        job_at=(many, 0),
        status_at=(status,),
        succeeded=frozenset({"SUCCEEDED"}),
        failed=_BUILD_ENDS,
        cancel=stop,
        cancel_params=lambda handle: {"id": handle["ids"][0]},
        output=lambda job, handle: {one: job},
    )


BUILD = _codebuild("BatchGetBuilds", "Builds", "Build", "BuildStatus", "StopBuild")
BUILD_BATCH = _codebuild(
    "BatchGetBuildBatches", "BuildBatches", "BuildBatch", "BuildBatchStatus", "StopBuildBatch"
)

JOBS: dict[tuple[str, str], Integration] = {
    ("batch", "submitJob"): job("batch", "SubmitJob", BATCH, BATCH_JOB),
    ("ecs", "runTask"): Integration(
        "ecs", "RunTask", ECS, EVERY_PATTERN, sync=ECS_TASK, refuse=_ecs_failures
    ),
    ("glue", "startJobRun"): job(
        "glue",
        "StartJobRun",
        GLUE,
        GLUE_JOB_RUN,
        # "{JobRunId, JobName}": JobName copied from the request (§2.3)
        respond=lambda request, response: {**response, "JobName": request.get("JobName")},
    ),
    **{
        ("sagemaker", f"create{kind}"): job("sagemaker", f"Create{kind}", SAGEMAKER, _sagemakerjob(kind))
        for kind in (
            "TrainingJob",
            "TransformJob",
            "ProcessingJob",
            "HyperParameterTuningJob",
            "LabelingJob",
        )
    },
    **{
        ("sagemaker", f"{verb[0].lower()}{verb[1:]}"): rr("sagemaker", verb, SAGEMAKER)
        for verb in ("CreateEndpoint", "CreateEndpointConfig", "CreateModel", "UpdateEndpoint")
    },
    ("athena", "startQueryExecution"): job("athena", "StartQueryExecution", ATHENA, ATHENA_QUERY),
    **{
        ("athena", f"{verb[0].lower()}{verb[1:]}"): rr("athena", verb, ATHENA)
        for verb in ("StopQueryExecution", "GetQueryExecution", "GetQueryResults")
    },
    ("codebuild", "startBuild"): job("codebuild", "StartBuild", CODEBUILD, BUILD),
    ("codebuild", "startBuildBatch"): job("codebuild", "StartBuildBatch", CODEBUILD, BUILD_BATCH),
    ("codebuild", "retryBuildBatch"): job("codebuild", "RetryBuildBatch", CODEBUILD, BUILD_BATCH),
    **{
        ("codebuild", f"{verb[0].lower()}{verb[1:]}"): rr("codebuild", verb, CODEBUILD)
        for verb in (
            "StopBuild",
            "StopBuildBatch",
            "BatchDeleteBuilds",
            "BatchGetReports",
            "DeleteBuildBatch",
        )
    },
}
