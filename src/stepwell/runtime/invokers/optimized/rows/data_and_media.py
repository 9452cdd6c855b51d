"""Glue DataBrew (``databrew``) and MediaConvert (``mediaconvert``) jobs (integrations.md §2.15).

``databrew:startJobRun.sync`` follows the run with DescribeJobRun (AWS's IAM template names
ListJobRuns, which lists the same runs: §2.15) until SUCCEEDED; FAILED, TIMEOUT and STOPPED fail
the task (unconfirmed); an abandoned run is stopped with StopJobRun [DG23:databrew-iam].
``mediaconvert:createJob.sync`` polls GetJob until COMPLETE; ERROR and CANCELED fail the task;
that an abandoned job is cancelled (CancelJob) is unconfirmed (§2.15).
"""

from __future__ import annotations

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.optimized.rows.make import job
from stepwell.runtime.invokers.optimized.spec import Integration, SyncJob

DATABREW = JavaV1Names("DataBrew", "AWSGlueDataBrew", "AWSGlueDataBrewException")
MEDIACONVERT = JavaV1Names("MediaConvert", "AWSMediaConvert", "AWSMediaConvertException")

DATABREW_JOB_RUN = SyncJob(
    describe="DescribeJobRun",
    handle=lambda request, response: {"Name": request.get("Name"), "RunId": response.get("RunId")},
    job_at=(),
    status_at=("State",),
    succeeded=frozenset({"SUCCEEDED"}),
    failed=frozenset({"FAILED", "TIMEOUT", "STOPPED"}),
    cancel="StopJobRun",
)

MEDIACONVERT_JOB = SyncJob(
    describe="GetJob",
    handle=lambda request, response: {"Id": (response.get("Job") or {}).get("Id")},
    job_at=("Job",),
    status_at=("Status",),
    succeeded=frozenset({"COMPLETE"}),
    failed=frozenset({"ERROR", "CANCELED"}),
    cancel="CancelJob",
    output=lambda described, handle: {"Job": described},  # as CreateJob answers it
)

DATA_AND_MEDIA_ROWS: dict[tuple[str, str], Integration] = {
    ("databrew", "startJobRun"): job("databrew", "StartJobRun", DATABREW, DATABREW_JOB_RUN),
    ("mediaconvert", "createJob"): job("mediaconvert", "CreateJob", MEDIACONVERT, MEDIACONVERT_JOB),
}
