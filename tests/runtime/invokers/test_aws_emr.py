"""Amazon EMR's wrapper resources (``elasticmapreduce:*``, integrations.md §2.7): against moto
(clusters start and go WAITING, steps stay RUNNING, instance groups listed and modified); what
moto lacks (CancelSteps, instance fleets) and the failures it never reaches, against the stand-in."""

from __future__ import annotations

import json

import pytest

from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.base import JobEnded, JobRunning, TaskError
from tests.runtime.invokers import aws_jobs_setup as setup
from tests.runtime.invokers.job_calls import call, cancel, poll, start, until_ended
from tests.runtime.invokers.job_standin import StandIn


def test_a_cluster_is_created_stepped_modified_and_terminated(invoker: AwsInvoker, moto_url: str) -> None:
    started = start(invoker, "elasticmapreduce:createCluster.sync", setup.emr_cluster_params())
    cluster_id = started.output["ClusterId"]  # the API's JobFlowId
    assert cluster_id.startswith("j-") and "JobFlowId" not in started.output
    assert started.handle == {"ClusterId": cluster_id}
    ended = until_ended(invoker, "elasticmapreduce:createCluster.sync", started.handle)
    assert ended.error is None and ended.output["ClusterId"] == cluster_id
    assert ended.output["Cluster"]["Status"]["State"] == "WAITING"

    step = {"Name": "count", "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["true"]}}
    started = start(invoker, "elasticmapreduce:addStep.sync", {"ClusterId": cluster_id, "Step": step})
    step_id = started.output["StepId"]
    assert started.handle == {"ClusterId": cluster_id, "StepId": step_id}
    assert isinstance(poll(invoker, "elasticmapreduce:addStep.sync", started.handle), JobRunning)

    modified = call(
        invoker,
        "elasticmapreduce:modifyInstanceGroupByName",
        {"ClusterId": cluster_id, "InstanceGroupName": "workers", "InstanceGroup": {"InstanceCount": 3}},
    )
    assert modified["SdkHttpMetadata"]["HttpStatusCode"] == 200
    groups = setup.client(moto_url, "emr").list_instance_groups(ClusterId=cluster_id)["InstanceGroups"]
    assert {g["Name"]: g["RequestedInstanceCount"] for g in groups} == {"main": 1, "workers": 3}

    call(
        invoker,
        "elasticmapreduce:setClusterTerminationProtection",
        {"ClusterId": cluster_id, "TerminationProtected": False},
    )
    started = start(invoker, "elasticmapreduce:terminateCluster.sync", {"ClusterId": cluster_id})
    ended = until_ended(invoker, "elasticmapreduce:terminateCluster.sync", started.handle)
    assert ended.error is None and ended.output["Cluster"]["Status"]["State"] == "TERMINATED"


def test_an_unknown_group_name_fails_naming_it(invoker: AwsInvoker) -> None:
    started = start(invoker, "elasticmapreduce:createCluster.sync", setup.emr_cluster_params())
    with pytest.raises(TaskError) as refused:
        call(
            invoker,
            "elasticmapreduce:modifyInstanceGroupByName",
            {"ClusterId": started.output["ClusterId"], "InstanceGroupName": "nope", "InstanceGroup": {}},
        )
    assert refused.value.error == "EMR.AmazonElasticMapReduceException"
    assert "no instance groups named 'nope'" in refused.value.cause


FAILED = [
    (
        "elasticmapreduce:addStep.sync",
        {"ClusterId": "j-1", "StepId": "s-1"},
        {"Step": {"Id": "s-1", "Status": {"State": "FAILED", "FailureDetails": {"Reason": "exit 1"}}}},
    ),
    (
        "elasticmapreduce:createCluster.sync",
        {"ClusterId": "j-1"},
        {"Cluster": {"Id": "j-1", "Status": {"State": "TERMINATED_WITH_ERRORS"}}},
    ),
]


@pytest.mark.parametrize(("resource", "handle", "answer"), FAILED, ids=[row[0] for row in FAILED])
def test_a_failed_step_or_cluster_fails_the_task(
    stand_in: StandIn, stand_in_invoker: AwsInvoker, resource: str, handle: dict[str, str], answer: dict
) -> None:
    stand_in.answer = answer
    ended = poll(stand_in_invoker, resource, handle)
    assert isinstance(ended, JobEnded) and ended.error == "States.TaskFailed"
    assert "Status" in json.dumps(json.loads(ended.cause or ""))


def test_an_abandoned_step_is_cancelled_and_a_cluster_is_not(
    stand_in: StandIn, stand_in_invoker: AwsInvoker
) -> None:
    stand_in.answer = {}
    stand_in.asked.clear()
    cancel(stand_in_invoker, "elasticmapreduce:addStep.sync", {"ClusterId": "j-1", "StepId": "s-1"})
    cancel(stand_in_invoker, "elasticmapreduce:createCluster.sync", {"ClusterId": "j-1"})  # "not terminated"
    assert [(a.target, a.body) for a in stand_in.asked] == [
        ("ElasticMapReduce.CancelSteps", {"ClusterId": "j-1", "StepIds": ["s-1"]})
    ]


def test_a_fleet_is_modified_by_its_name_and_a_step_cancelled(
    stand_in: StandIn, stand_in_invoker: AwsInvoker
) -> None:
    """moto has no instance fleets nor CancelSteps: the stand-in answers as EMR does."""
    stand_in.asked.clear()
    stand_in.answers = {
        "ElasticMapReduce.ListInstanceFleets": {"InstanceFleets": [{"Id": "if-7", "Name": "spot"}]},
        "ElasticMapReduce.CancelSteps": {"CancelStepsInfoList": [{"StepId": "s-1", "Status": "SUBMITTED"}]},
    }
    stand_in.answer = {}
    call(
        stand_in_invoker,
        "elasticmapreduce:modifyInstanceFleetByName",
        {"ClusterId": "j-1", "InstanceFleetName": "spot", "InstanceFleet": {"TargetSpotCapacity": 4}},
    )
    cancelled = call(stand_in_invoker, "elasticmapreduce:cancelStep", {"ClusterId": "j-1", "StepId": "s-1"})
    stand_in.answers = {}
    assert cancelled["CancelStepsInfo"] == [{"StepId": "s-1", "Status": "SUBMITTED"}]
    assert [(a.target, a.body) for a in stand_in.asked] == [
        ("ElasticMapReduce.ListInstanceFleets", {"ClusterId": "j-1"}),
        (
            "ElasticMapReduce.ModifyInstanceFleet",
            {"ClusterId": "j-1", "InstanceFleet": {"TargetSpotCapacity": 4, "InstanceFleetId": "if-7"}},
        ),
        ("ElasticMapReduce.CancelSteps", {"ClusterId": "j-1", "StepIds": ["s-1"]}),
    ]
