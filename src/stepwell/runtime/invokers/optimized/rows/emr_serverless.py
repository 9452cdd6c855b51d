"""EMR Serverless (§2.8)."""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized.rows.make import job
from stepwell.runtime.invokers.optimized.spec import (
    Integration,
    Json,
    SyncJob,
)

EMR_SERVERLESS = JavaV1Names("EMRServerless", "AWSEMRServerless", "AWSEMRServerlessException")

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


EMR_SERVERLESS_ROWS: dict[tuple[str, str], Integration] = {
    ("emr-serverless", "startJobRun"): job(
        "emr-serverless", "StartJobRun", EMR_SERVERLESS, EMR_SERVERLESS_JOB_RUN
    ),
    ("emr-serverless", "cancelJobRun"): job(
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
    ("emr-serverless", "createApplication"): job(
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
    ("emr-serverless", "startApplication"): job(
        "emr-serverless",
        "StartApplication",
        EMR_SERVERLESS,
        _emr_application("STARTED"),
        respond=_with_application_id,
    ),
    ("emr-serverless", "stopApplication"): job(
        "emr-serverless",
        "StopApplication",
        EMR_SERVERLESS,
        _emr_application("STOPPED"),
        respond=_with_application_id,
    ),
    ("emr-serverless", "deleteApplication"): job(
        "emr-serverless",
        "DeleteApplication",
        EMR_SERVERLESS,
        _emr_application("TERMINATED"),
        respond=_with_application_id,
    ),
}
