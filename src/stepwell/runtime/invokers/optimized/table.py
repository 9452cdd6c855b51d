"""The optimized integrations stepwell carries out: ``(service, action) -> Integration``.

Each row is integrations.md §2's line for the resource: the botocore call, the patterns, and for
``.sync`` the Describe call polled, the job's status and its terminal values, and the cancel call
(§1.7: "a best-effort call of the service's cancel API"). Where the reference marks a fact
unconfirmed, the row says so.

Not here: ``lambda:invoke`` (invokers/lambdas.py), ``http:invoke`` (invokers/http.py) and
``states:startExecution`` (a nested execution, runtime/tasks.py). S3 has no Task resource of this
form (``s3:getObject`` / ``listObjectsV2`` / ``putObject`` are a Distributed Map's ItemReader and
ResultWriter) and EventBridge Scheduler none at all: a Task reaches them as ``aws-sdk:s3:*`` and
``aws-sdk:scheduler:*``.
"""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized import requests
from stepwell.runtime.invokers.optimized.spec import (
    EVERY_PATTERN,
    REQUEST_RESPONSE,
    WITH_CALLBACK,
    WITH_SYNC,
    Integration,
    Json,
    SyncJob,
    dig,
)

SQS = JavaV1Names("SQS", "AmazonSQS", "AmazonSQSException")
SNS = JavaV1Names("SNS", "AmazonSNS", "AmazonSNSException")
DYNAMODB = JavaV1Names("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException")
EVENTBRIDGE = JavaV1Names("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException")
BATCH = JavaV1Names("Batch", "AWSBatch", "AWSBatchException")
ECS = JavaV1Names("ECS", "AmazonECS", "AmazonECSException")
GLUE = JavaV1Names("Glue", "AWSGlue", "AWSGlueException")
# "SageMaker.AmazonSageMakerException" is a documented retryable error (§2.4).
SAGEMAKER = JavaV1Names("SageMaker", "AmazonSageMaker", "AmazonSageMakerException")
ATHENA = JavaV1Names("Athena", "AmazonAthena", "AmazonAthenaException")
CODEBUILD = JavaV1Names("CodeBuild", "AWSCodeBuild", "AWSCodeBuildException")
EMR_SERVERLESS = JavaV1Names("EMRServerless", "AWSEMRServerless", "AWSEMRServerlessException")
BEDROCK = JavaV1Names("Bedrock", "AmazonBedrock", "AmazonBedrockException")


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


def _sagemaker_job(kind: str, stops: bool = True) -> SyncJob:
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

EMR_SERVERLESS_JOB_RUN = SyncJob(
    describe="GetJobRun",
    handle=lambda request, response: {
        "applicationId": response.get("ApplicationId"),
        "jobRunId": response.get("JobRunId"),
    },
    job_at=(),
    status_at=("JobRun", "State"),
    succeeded=frozenset({"SUCCESS"}),
    failed=frozenset({"FAILED", "CANCELLED"}),
    cancel="CancelJobRun",
)


def _emr_application(ends_in: str) -> SyncJob:
    """An EMR Serverless application call that ``.sync`` follows until the application's state
    is ``ends_in`` (§2.8); the output is ``{ApplicationId}``, which the API itself does not answer."""
    return SyncJob(
        describe="GetApplication",
        handle=lambda request, response: {"applicationId": request.get("applicationId")},
        job_at=(),
        status_at=("Application", "State"),
        succeeded=frozenset({ends_in}),
        failed=frozenset({"TERMINATED"} - {ends_in}),
        output=lambda job, handle: {"ApplicationId": handle["applicationId"]},
    )


def _application_summary(answer: Json) -> Json:
    application = answer.get("Application") or {}
    return {key: application[key] for key in ("ApplicationId", "Arn", "Name") if key in application}


def _with_application_id(request: Json, response: Json) -> Json:
    return {"ApplicationId": request.get("applicationId"), **response}


BEDROCK_CUSTOMIZATION = SyncJob(
    describe="GetModelCustomizationJob",
    handle=lambda request, response: {"jobIdentifier": request.get("jobName")},
    job_at=(),
    status_at=("Status",),
    succeeded=frozenset({"Completed"}),
    failed=frozenset({"Failed", "Stopped"}),
    cancel="StopModelCustomizationJob",
)


def _rr(service: str, operation: str, names: JavaV1Names) -> Integration:
    return Integration(service, operation, names, REQUEST_RESPONSE)


def _job(service: str, operation: str, names: JavaV1Names, sync: SyncJob, **more: object) -> Integration:
    return Integration(service, operation, names, WITH_SYNC, sync=sync, **more)  # type: ignore[arg-type]


INTEGRATIONS: dict[tuple[str, str], Integration] = {
    # ---- messaging and data: request-response and callbacks ----
    ("sqs", "sendMessage"): Integration(
        "sqs", "SendMessage", SQS, WITH_CALLBACK, requests.with_text_field("MessageBody"), shaped=False
    ),
    ("sns", "publish"): Integration(
        "sns", "Publish", SNS, WITH_CALLBACK, requests.with_text_field("Message"), shaped=False
    ),
    **{
        ("dynamodb", action): Integration("dynamodb", operation, DYNAMODB, REQUEST_RESPONSE, shaped=False)
        for action, operation in (
            ("getItem", "GetItem"),
            ("putItem", "PutItem"),
            ("updateItem", "UpdateItem"),
            ("deleteItem", "DeleteItem"),
        )
    },
    ("events", "putEvents"): Integration(
        "events",
        "PutEvents",
        EVENTBRIDGE,
        WITH_CALLBACK,
        requests.event_entries,
        shaped=False,
        with_http_metadata=False,
    ),
    # ---- jobs: .sync ----
    ("batch", "submitJob"): _job("batch", "SubmitJob", BATCH, BATCH_JOB),
    ("ecs", "runTask"): Integration("ecs", "RunTask", ECS, EVERY_PATTERN, sync=ECS_TASK),
    ("glue", "startJobRun"): _job(
        "glue",
        "StartJobRun",
        GLUE,
        GLUE_JOB_RUN,
        # "{JobRunId, JobName}": JobName copied from the request (§2.3)
        respond=lambda request, response: {**response, "JobName": request.get("JobName")},
    ),
    **{
        ("sagemaker", f"create{kind}"): _job("sagemaker", f"Create{kind}", SAGEMAKER, _sagemaker_job(kind))
        for kind in (
            "TrainingJob",
            "TransformJob",
            "ProcessingJob",
            "HyperParameterTuningJob",
            "LabelingJob",
        )
    },
    **{
        ("sagemaker", f"{verb[0].lower()}{verb[1:]}"): _rr("sagemaker", verb, SAGEMAKER)
        for verb in ("CreateEndpoint", "CreateEndpointConfig", "CreateModel", "UpdateEndpoint")
    },
    ("athena", "startQueryExecution"): _job("athena", "StartQueryExecution", ATHENA, ATHENA_QUERY),
    **{
        ("athena", f"{verb[0].lower()}{verb[1:]}"): _rr("athena", verb, ATHENA)
        for verb in ("StopQueryExecution", "GetQueryExecution", "GetQueryResults")
    },
    ("codebuild", "startBuild"): _job("codebuild", "StartBuild", CODEBUILD, BUILD),
    ("codebuild", "startBuildBatch"): _job("codebuild", "StartBuildBatch", CODEBUILD, BUILD_BATCH),
    ("codebuild", "retryBuildBatch"): _job("codebuild", "RetryBuildBatch", CODEBUILD, BUILD_BATCH),
    **{
        ("codebuild", f"{verb[0].lower()}{verb[1:]}"): _rr("codebuild", verb, CODEBUILD)
        for verb in (
            "StopBuild",
            "StopBuildBatch",
            "BatchDeleteBuilds",
            "BatchGetReports",
            "DeleteBuildBatch",
        )
    },
    ("emr-serverless", "startJobRun"): _job(
        "emr-serverless", "StartJobRun", EMR_SERVERLESS, EMR_SERVERLESS_JOB_RUN
    ),
    ("emr-serverless", "cancelJobRun"): _job(
        "emr-serverless",
        "CancelJobRun",
        EMR_SERVERLESS,
        SyncJob(
            describe="GetJobRun",
            handle=lambda request, response: {
                "applicationId": request.get("applicationId"),
                "jobRunId": request.get("jobRunId"),
            },
            job_at=(),
            status_at=("JobRun", "State"),
            succeeded=frozenset({"CANCELLED"}),
            failed=frozenset({"SUCCESS", "FAILED"}),
            output=lambda job, handle: {
                "ApplicationId": handle["applicationId"],
                "JobRunId": handle["jobRunId"],
            },
        ),
    ),
    ("emr-serverless", "createApplication"): _job(
        "emr-serverless",
        "CreateApplication",
        EMR_SERVERLESS,
        SyncJob(
            describe="GetApplication",
            handle=lambda request, response: {"applicationId": response.get("ApplicationId")},
            job_at=(),
            status_at=("Application", "State"),
            succeeded=frozenset({"CREATED"}),
            failed=frozenset({"TERMINATED"}),
            output=lambda job, handle: _application_summary(job),
        ),
    ),
    ("emr-serverless", "startApplication"): _job(
        "emr-serverless",
        "StartApplication",
        EMR_SERVERLESS,
        _emr_application("STARTED"),
        respond=_with_application_id,
    ),
    ("emr-serverless", "stopApplication"): _job(
        "emr-serverless",
        "StopApplication",
        EMR_SERVERLESS,
        _emr_application("STOPPED"),
        respond=_with_application_id,
    ),
    ("emr-serverless", "deleteApplication"): _job(
        "emr-serverless",
        "DeleteApplication",
        EMR_SERVERLESS,
        _emr_application("TERMINATED"),
        respond=_with_application_id,
    ),
    ("bedrock", "createModelCustomizationJob"): _job(
        "bedrock", "CreateModelCustomizationJob", BEDROCK, BEDROCK_CUSTOMIZATION
    ),
}


def integration(service: str, action: str, pattern: str = "") -> Integration | None:
    """The optimized integration a resource names, if stepwell carries it out with this pattern."""
    found = INTEGRATIONS.get((service, action))
    return found if found is not None and pattern in found.patterns else None
