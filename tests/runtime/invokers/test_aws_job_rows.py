"""EMR on EKS, Glue DataBrew and MediaConvert jobs (integrations.md §2.15). EMR on EKS against
moto (its job runs stay RUNNING until cancelled, its virtual clusters go TERMINATED when deleted);
moto 5.2 has no DataBrew job runs and no MediaConvert at all, so those run against the stand-in,
which answers in each service's wire format as botocore parses it."""

from __future__ import annotations

import json

import pytest

from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.base import JobEnded, JobRunning
from tests.runtime.invokers import aws_jobs_setup as setup
from tests.runtime.invokers.job_calls import call, cancel, poll, start, until_ended
from tests.runtime.invokers.job_standin import StandIn


def _virtual_cluster(invoker: AwsInvoker) -> str:
    created = call(
        invoker,
        "emr-containers:createVirtualCluster",
        {
            "Name": setup._name("vc"),
            "ContainerProvider": {
                "Id": "eks-cluster",
                "Type": "EKS",
                "Info": {"EksInfo": {"Namespace": setup._name("ns")}},
            },
        },
    )
    return str(created["Id"])


def test_an_emr_on_eks_job_run_is_followed_and_cancelled(invoker: AwsInvoker) -> None:
    cluster = _virtual_cluster(invoker)
    started = start(
        invoker,
        "emr-containers:startJobRun.sync",
        {
            "Name": "etl",
            "VirtualClusterId": cluster,
            "ExecutionRoleArn": setup.ROLE,
            "ReleaseLabel": "emr-6.10.0-latest",
            "JobDriver": {"SparkSubmitJobDriver": {"EntryPoint": "s3://code/main.py"}},
        },
    )
    assert started.handle == {"id": started.output["Id"], "virtualClusterId": cluster}
    assert isinstance(poll(invoker, "emr-containers:startJobRun.sync", started.handle), JobRunning)
    cancel(invoker, "emr-containers:startJobRun.sync", started.handle)  # CancelJobRun
    ended = until_ended(invoker, "emr-containers:startJobRun.sync", started.handle)
    assert ended.error == "States.TaskFailed"
    assert json.loads(ended.cause or "")["State"] == "CANCELLED"


def test_a_virtual_cluster_is_deleted_until_terminated(invoker: AwsInvoker) -> None:
    cluster = _virtual_cluster(invoker)
    started = start(invoker, "emr-containers:deleteVirtualCluster.sync", {"Id": cluster})
    ended = until_ended(invoker, "emr-containers:deleteVirtualCluster.sync", started.handle)
    assert ended.error is None and ended.output["State"] == "TERMINATED"


ENDED = [
    (
        "emr-containers:startJobRun.sync",
        {"id": "r", "virtualClusterId": "v"},
        {"jobRun": {"id": "r", "state": "COMPLETED"}},
        None,
    ),
    ("databrew:startJobRun.sync", {"Name": "n", "RunId": "r"}, {"RunId": "r", "State": "SUCCEEDED"}, None),
    (
        "databrew:startJobRun.sync",
        {"Name": "n", "RunId": "r"},
        {"RunId": "r", "State": "TIMEOUT", "ErrorMessage": "too long"},
        "States.TaskFailed",
    ),
    ("mediaconvert:createJob.sync", {"Id": "j"}, {"job": {"id": "j", "status": "COMPLETE"}}, None),
    (
        "mediaconvert:createJob.sync",
        {"Id": "j"},
        {"job": {"id": "j", "status": "ERROR", "errorMessage": "bad input"}},
        "States.TaskFailed",
    ),
]


@pytest.mark.parametrize(("resource", "handle", "answer", "error"), ENDED)
def test_a_job_ends_as_its_status_says(
    stand_in: StandIn,
    stand_in_invoker: AwsInvoker,
    resource: str,
    handle: dict[str, str],
    answer: dict,
    error: str | None,
) -> None:
    stand_in.answer = answer
    ended = poll(stand_in_invoker, resource, handle)
    assert isinstance(ended, JobEnded) and ended.error == error
    described = json.loads(ended.cause) if ended.cause else ended.output
    assert "Job" in described if resource.startswith("mediaconvert") else "State" in described


def test_starting_a_databrew_run_and_a_mediaconvert_job_then_abandoning_them(
    stand_in: StandIn, stand_in_invoker: AwsInvoker
) -> None:
    stand_in.asked.clear()
    stand_in.answers = {"/2017-08-29/jobs": {"job": {"id": "j-1", "status": "SUBMITTED"}}}
    stand_in.answer = {"RunId": "r-1"}
    started = start(stand_in_invoker, "databrew:startJobRun.sync", {"Name": "clean"})
    assert started.output["RunId"] == "r-1" and started.handle == {"Name": "clean", "RunId": "r-1"}
    cancel(stand_in_invoker, "databrew:startJobRun.sync", started.handle)
    started = start(stand_in_invoker, "mediaconvert:createJob.sync", {"Role": setup.ROLE, "Settings": {}})
    assert started.output["Job"]["Id"] == "j-1" and started.handle == {"Id": "j-1"}
    cancel(stand_in_invoker, "mediaconvert:createJob.sync", started.handle)
    stand_in.answers = {}
    assert [a.target for a in stand_in.asked] == [
        "/jobs/clean/startJobRun",
        "/jobs/clean/jobRun/r-1/stopJobRun",
        "/2017-08-29/jobs",
        "/2017-08-29/jobs/j-1",
    ]
