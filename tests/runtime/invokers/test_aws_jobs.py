"""``.sync`` jobs of the optimized integrations, through the invoker: the start call, the polls,
the outcome and the cancel call, against a real moto server; the failure states moto never
reaches, against a stand-in endpoint (job_standin.py) that answers as the service would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.engine.injected import with_injections
from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.base import JobEnded, JobRunning, TaskCall, TaskError
from stepwell.runtime.invokers.optimized.table import INTEGRATIONS
from tests.runtime.invokers import aws_jobs_setup as setup
from tests.runtime.invokers.job_calls import STATES, start, until_ended
from tests.runtime.invokers.job_standin import StandIn


# ---- the table --------------------------------------------------------------------------------
def test_every_row_calls_operations_the_service_has_with_members_it_takes() -> None:
    session = botocore.session.get_session()
    for (service, action), row in INTEGRATIONS.items():
        assert action[0].lower() + action[1:] == action
        if not row.operation:  # an HTTP call, no AWS API's (apigateway:invoke, eks:call, eks:runJob)
            assert row.call is not None, (service, action)
            assert row.sync is None or row.sync.poll is not None, (service, action)
            continue
        model = session.get_service_model(row.botocore_service)
        assert row.operation in model.operation_names, (service, action)
        job = row.sync
        if job is None:
            continue
        describe = model.operation_model(job.describe)
        handle = job.handle({}, {})
        assert set(handle) <= set(describe.input_shape.members), (service, action, handle)
        if job.cancel is not None:
            cancel = model.operation_model(job.cancel)
            params = job.cancel_params(handle) if job.cancel_params else handle
            assert set(params) <= set(cancel.input_shape.members), (service, action, params)
        assert not job.succeeded & job.failed


def test_batch_sync_tells_the_job_it_was_started_by_step_functions() -> None:
    given = {"JobName": "j", "ContainerOverrides": {"Environment": [{"Name": "A", "Value": "1"}]}}
    prepared = with_injections(parse_task_resource(STATES + "batch:submitJob.sync"), given)
    assert prepared["ContainerOverrides"]["Environment"] == [
        {"Name": "A", "Value": "1"},
        {"Name": "MANAGED_BY_AWS", "Value": "STARTED_BY_STEP_FUNCTIONS"},
    ]
    assert given["ContainerOverrides"]["Environment"] == [{"Name": "A", "Value": "1"}]  # not changed
    assert with_injections(parse_task_resource(STATES + "batch:submitJob"), given) is given
    ecs = parse_task_resource(STATES + "ecs:runTask.sync")
    assert with_injections(ecs, {}) == {"StartedBy": "AWS Step Functions"}


# ---- against moto ----------------------------------------------------------------------------
def test_a_batch_job_is_submitted_followed_and_described_in_pascal_case(
    invoker: AwsInvoker, moto_url: str
) -> None:
    queue = setup.batch_queue(moto_url)
    started = start(invoker, "batch:submitJob.sync", {"JobName": "nightly", **queue})
    assert set(started.output) >= {"JobArn", "JobId", "JobName", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert started.handle == {"jobs": [started.output["JobId"]]}
    ended = until_ended(invoker, "batch:submitJob.sync", started.handle)
    assert ended.error is None
    job = ended.output
    assert job["JobId"] == started.output["JobId"] and job["Status"] == "SUCCEEDED"
    assert job["JobQueue"] == queue["JobQueue"] and isinstance(job["CreatedAt"], int)
    assert "SdkHttpMetadata" not in job  # "nor in the final output of .sync tasks"


def test_a_glue_job_run_answers_its_run_id_and_job_name_then_the_job_run(
    invoker: AwsInvoker, moto_url: str
) -> None:
    name = setup.glue_job(moto_url)
    started = start(invoker, "glue:startJobRun.sync", {"JobName": name, "Arguments": {"--day": "1"}})
    assert started.output["JobName"] == name and started.output["JobRunId"]
    ended = until_ended(invoker, "glue:startJobRun.sync", started.handle)
    assert ended.output["Id"] == started.output["JobRunId"]
    assert ended.output["JobRunState"] == "SUCCEEDED" and ended.output["JobName"] == name


def test_a_sagemaker_training_job_ends_with_its_describe(invoker: AwsInvoker) -> None:
    job = setup.training_job()
    started = start(invoker, "sagemaker:createTrainingJob.sync", job)
    assert started.output["TrainingJobArn"].endswith(job["TrainingJobName"])
    ended = until_ended(invoker, "sagemaker:createTrainingJob.sync", started.handle)
    assert ended.output["TrainingJobStatus"] == "Completed"
    assert ended.output["TrainingJobName"] == job["TrainingJobName"]
    assert "S3ModelArtifacts" in ended.output["ModelArtifacts"]  # what the sample project reads


def test_an_athena_query_ends_with_get_query_execution(invoker: AwsInvoker) -> None:
    started = start(
        invoker,
        "athena:startQueryExecution.sync",
        {"QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": "s3://results/"}},
    )
    ended = until_ended(invoker, "athena:startQueryExecution.sync", started.handle)
    execution = ended.output["QueryExecution"]
    assert execution["QueryExecutionId"] == started.output["QueryExecutionId"]
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert isinstance(execution["Status"]["SubmissionDateTime"], int)  # epoch milliseconds


def test_an_emr_serverless_job_run_and_application(invoker: AwsInvoker, moto_url: str) -> None:
    application = setup.emr_application(moto_url)
    started = start(
        invoker,
        "emr-serverless:startJobRun.sync",
        {
            "ApplicationId": application,
            "ExecutionRoleArn": setup.ROLE,
            "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://code/main.py"}},
        },
    )
    ended = until_ended(invoker, "emr-serverless:startJobRun.sync", started.handle)
    assert ended.output["JobRun"]["State"] == "SUCCESS"
    started = start(invoker, "emr-serverless:startApplication.sync", {"ApplicationId": application})
    assert started.output["ApplicationId"] == application  # added: the API answers nothing
    assert until_ended(invoker, "emr-serverless:startApplication.sync", started.handle).output == {
        "ApplicationId": application
    }


def test_an_ecs_task_runs_until_it_stops_and_cancelling_stops_it(invoker: AwsInvoker, moto_url: str) -> None:
    params = setup.ecs_task(moto_url)
    started = start(invoker, "ecs:runTask.sync", params)
    task_arn = started.output["Tasks"][0]["TaskArn"]
    assert started.output["Tasks"][0]["StartedBy"] == "AWS Step Functions"
    assert started.handle == {"cluster": params["Cluster"], "tasks": [task_arn]}
    resource = parse_task_resource(STATES + "ecs:runTask.sync")
    assert isinstance(invoker.poll_job(resource, started.handle), JobRunning)
    invoker.cancel_job(resource, started.handle)  # StopTask
    ended = until_ended(invoker, "ecs:runTask.sync", started.handle)
    assert ended.error is None and ended.output["TaskArn"] == task_arn
    assert ended.output["LastStatus"] == "STOPPED"


def test_a_refused_start_is_the_services_error_in_java_v1_words(invoker: AwsInvoker) -> None:
    call = TaskCall(parse_task_resource(STATES + "glue:startJobRun.sync"), {"JobName": "no-such-job"})
    with pytest.raises(TaskError) as refused:
        invoker.start_job(call)
    assert refused.value.error == "Glue.EntityNotFoundException"
    assert "(Service: AWSGlue; Status Code: 400; Error Code: EntityNotFoundException;" in refused.value.cause


def test_an_unknown_parameter_is_refused_naming_it(invoker: AwsInvoker) -> None:
    call = TaskCall(parse_task_resource(STATES + "batch:submitJob.sync"), {"JobNmae": "typo"})
    with pytest.raises(TaskError) as refused:
        invoker.start_job(call)
    assert refused.value.error == "Batch.AWSBatchException"
    assert '"JobNmae"' in refused.value.cause


# ---- the failures moto never reaches, from a stand-in -----------------------------------------
FAILED_JOBS = [
    ("batch:submitJob.sync", {"jobs": ["j-1"]}, {"jobs": [{"jobId": "j-1", "status": "FAILED"}]}),
    (
        "glue:startJobRun.sync",
        {"JobName": "g", "RunId": "r"},
        {"JobRun": {"Id": "r", "JobRunState": "TIMEOUT"}},
    ),
    (
        "sagemaker:createTrainingJob.sync",
        {"TrainingJobName": "t"},
        {"TrainingJobName": "t", "TrainingJobStatus": "Failed", "FailureReason": "OOM"},
    ),
    (
        "athena:startQueryExecution.sync",
        {"QueryExecutionId": "q"},
        {"QueryExecution": {"QueryExecutionId": "q", "Status": {"State": "CANCELLED"}}},
    ),
    ("codebuild:startBuild.sync", {"ids": ["b"]}, {"builds": [{"id": "b", "buildStatus": "FAULT"}]}),
    (
        "emr-serverless:startJobRun.sync",
        {"applicationId": "a", "jobRunId": "r"},
        {"jobRun": {"applicationId": "a", "jobRunId": "r", "state": "FAILED"}},
    ),
    (
        "bedrock:createModelCustomizationJob.sync",
        {"jobIdentifier": "m"},
        {"jobName": "m", "status": "Stopped"},
    ),
    (
        "ecs:runTask.sync",
        {"cluster": "c", "tasks": ["t"]},
        {"tasks": [{"taskArn": "t", "lastStatus": "STOPPED", "stopCode": "TaskFailedToStart"}]},
    ),
]


@pytest.mark.parametrize(("resource", "handle", "answer"), FAILED_JOBS, ids=[row[0] for row in FAILED_JOBS])
def test_a_job_that_ends_in_failure_fails_the_task_with_its_describe_as_cause(
    stand_in: StandIn, stand_in_invoker: AwsInvoker, resource: str, handle: dict[str, Any], answer: Any
) -> None:
    stand_in.answer = answer
    ended = stand_in_invoker.poll_job(parse_task_resource(STATES + resource), handle)
    assert isinstance(ended, JobEnded)
    assert ended.error == "States.TaskFailed"
    described = json.loads(ended.cause or "")
    values = json.dumps(answer)
    assert all(str(value) in values for value in _scalars(described))  # the answer, re-cased
    assert all(key[0].isupper() for key in _keys(described))


def test_an_ecs_task_whose_essential_container_exited_non_zero_fails(
    stand_in: StandIn, stand_in_invoker: AwsInvoker
) -> None:
    stand_in.answer = {
        "tasks": [
            {
                "taskArn": "t",
                "lastStatus": "STOPPED",
                "stopCode": "EssentialContainerExited",
                "containers": [{"name": "app", "exitCode": 2}],
            }
        ]
    }
    ended = stand_in_invoker.poll_job(
        parse_task_resource(STATES + "ecs:runTask.sync"), {"cluster": "c", "tasks": ["t"]}
    )
    assert isinstance(ended, JobEnded) and ended.error == "States.TaskFailed"
    assert json.loads(ended.cause or "")["Containers"][0]["ExitCode"] == 2


def test_a_job_the_service_no_longer_knows_fails_the_task(
    stand_in: StandIn, stand_in_invoker: AwsInvoker
) -> None:
    stand_in.answer = {"jobs": []}
    with pytest.raises(TaskError) as unknown:
        stand_in_invoker.poll_job(parse_task_resource(STATES + "batch:submitJob.sync"), {"jobs": ["gone"]})
    assert "DescribeJobs did not describe the job" in unknown.value.cause


def test_cancelling_calls_the_services_stop_with_the_job(
    stand_in: StandIn, stand_in_invoker: AwsInvoker
) -> None:
    stand_in.answer = {}
    stand_in.asked.clear()
    stand_in_invoker.cancel_job(parse_task_resource(STATES + "batch:submitJob.sync"), {"jobs": ["j-9"]})
    stand_in_invoker.cancel_job(
        parse_task_resource(STATES + "glue:startJobRun.sync"), {"JobName": "g", "RunId": "r"}
    )
    asked = [(a.target, a.body) for a in stand_in.asked]
    assert asked[0] == ("/v1/terminatejob", {"jobId": "j-9", "reason": "Aborted by AWS Step Functions"})
    assert asked[1] == ("AWSGlue.BatchStopJobRun", {"JobName": "g", "JobRunIds": ["r"]})


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


CANCELS = [
    (
        "batch:submitJob.sync",
        {"jobs": ["j"]},
        "/v1/terminatejob",
        {"jobId": "j", "reason": "Aborted by AWS Step Functions"},
    ),
    (
        "ecs:runTask.sync",
        {"cluster": "c", "tasks": ["t"]},
        "AmazonEC2ContainerServiceV20141113.StopTask",
        {"cluster": "c", "task": "t"},
    ),
    (
        "glue:startJobRun.sync",
        {"JobName": "g", "RunId": "r"},
        "AWSGlue.BatchStopJobRun",
        {"JobName": "g", "JobRunIds": ["r"]},
    ),
    (
        "sagemaker:createTrainingJob.sync",
        {"TrainingJobName": "t"},
        "SageMaker.StopTrainingJob",
        {"TrainingJobName": "t"},
    ),
    (
        "sagemaker:createTransformJob.sync",
        {"TransformJobName": "t"},
        "SageMaker.StopTransformJob",
        {"TransformJobName": "t"},
    ),
    (
        "athena:startQueryExecution.sync",
        {"QueryExecutionId": "q"},
        "AmazonAthena.StopQueryExecution",
        {"QueryExecutionId": "q"},
    ),
    ("codebuild:startBuild.sync", {"ids": ["b"]}, "CodeBuild_20161006.StopBuild", {"id": "b"}),
    ("codebuild:startBuildBatch.sync", {"ids": ["b"]}, "CodeBuild_20161006.StopBuildBatch", {"id": "b"}),
    (
        "emr-serverless:startJobRun.sync",
        {"applicationId": "a", "jobRunId": "r"},
        "/applications/a/jobruns/r",
        None,
    ),
    (
        "bedrock:createModelCustomizationJob.sync",
        {"jobIdentifier": "m"},
        "/model-customization-jobs/m/stop",
        None,
    ),
]


@pytest.mark.parametrize(("resource", "handle", "target", "body"), CANCELS, ids=[row[0] for row in CANCELS])
def test_each_job_is_cancelled_with_its_services_stop_call(
    stand_in: StandIn,
    stand_in_invoker: AwsInvoker,
    resource: str,
    handle: dict[str, Any],
    target: str,
    body: Any,
) -> None:
    stand_in.answer = {}
    stand_in.asked.clear()
    stand_in_invoker.cancel_job(parse_task_resource(STATES + resource), handle)
    assert [(a.target, a.body) for a in stand_in.asked] == [(target, body)]


def test_jobs_without_a_cancel_call_are_left_alone(stand_in: StandIn, stand_in_invoker: AwsInvoker) -> None:
    """EMR Serverless application calls have no stop of their own (§2.8): nothing is called."""
    stand_in.asked.clear()
    resource = parse_task_resource(STATES + "emr-serverless:startApplication.sync")
    stand_in_invoker.cancel_job(resource, {"applicationId": "a"})
    assert stand_in.asked == []


def test_request_response_rows_answer_the_api_in_pascal_case_with_metadata(
    invoker: AwsInvoker, moto_url: str
) -> None:
    started = start(
        invoker,
        "athena:startQueryExecution.sync",
        {"QueryString": "SELECT 1", "ResultConfiguration": {"OutputLocation": "s3://results/"}},
    )
    query = started.output["QueryExecutionId"]
    got = invoker.invoke(
        TaskCall(parse_task_resource(STATES + "athena:getQueryExecution"), {"QueryExecutionId": query})
    )
    assert got["QueryExecution"]["QueryExecutionId"] == query and "SdkHttpMetadata" in got
    model = invoker.invoke(
        TaskCall(
            parse_task_resource(STATES + "sagemaker:createModel"),
            {"ModelName": "m-1", "ExecutionRoleArn": setup.ROLE, "PrimaryContainer": {"Image": "image"}},
        )
    )
    assert model["ModelArn"].endswith("model/m-1") and model["SdkResponseMetadata"]["RequestId"]
    project = setup.codebuild_project(moto_url)
    started = start(invoker, "codebuild:startBuild.sync", {"ProjectName": project})
    build = started.output["Build"]
    assert build["ProjectName"] == project and build["BuildStatus"] == "IN_PROGRESS"
    ended = until_ended(invoker, "codebuild:startBuild.sync", started.handle)
    assert ended.output["Build"]["Id"] == build["Id"] and ended.output["Build"]["BuildStatus"] == "SUCCEEDED"
    stopped = invoker.invoke(
        TaskCall(parse_task_resource(STATES + "codebuild:stopBuild"), {"Id": build["Id"]})
    )
    assert stopped["Build"]["Id"] == build["Id"] and "SdkHttpMetadata" in stopped
