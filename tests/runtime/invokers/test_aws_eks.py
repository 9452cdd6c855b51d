"""Amazon EKS (integrations.md §2.9): the control-plane resources against moto (its clusters,
nodegroups and Fargate profiles are ACTIVE at once and gone once deleted), the failed statuses
moto never reaches against the stand-in, and ``eks:call`` against a local HTTP server standing in
for a cluster's Kubernetes API server."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import JobEnded, JobRunning, TaskError
from stepwell.runtime.invokers.http_allow import AllowList
from tests.runtime.invokers import aws_jobs_setup as setup
from tests.runtime.invokers.http_server import LocalServer
from tests.runtime.invokers.job_calls import call, poll, start, until_ended
from tests.runtime.invokers.job_standin import StandIn
from tests.runtime.invokers.kubernetes_standin import Kubernetes
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION

VPC = {"SubnetIds": ["subnet-1"]}


def test_a_cluster_its_nodegroup_and_fargate_profile_are_created_and_deleted(invoker: AwsInvoker) -> None:
    name = setup._name("eks")
    started = start(
        invoker, "eks:createCluster.sync", {"Name": name, "RoleArn": setup.ROLE, "ResourcesVpcConfig": VPC}
    )
    assert started.output["Cluster"]["Name"] == name and started.handle == {"name": name}
    ended = until_ended(invoker, "eks:createCluster.sync", started.handle)
    cluster = ended.output["Cluster"]
    assert ended.error is None and cluster["Status"] == "ACTIVE"
    assert "Endpoint" in cluster and "Data" in cluster["CertificateAuthority"]  # what eks:call needs

    group = {"ClusterName": name, "NodegroupName": "workers", "Subnets": ["subnet-1"], "NodeRole": setup.ROLE}
    started = start(invoker, "eks:createNodegroup.sync", group)
    assert (
        until_ended(invoker, "eks:createNodegroup.sync", started.handle).output["Nodegroup"]["Status"]
        == "ACTIVE"
    )
    profile = {
        "ClusterName": name,
        "FargateProfileName": "pods",
        "PodExecutionRoleArn": setup.ROLE,
        "Selectors": [{"Namespace": "default"}],
    }
    started = start(invoker, "eks:createFargateProfile.sync", profile)
    ended = until_ended(invoker, "eks:createFargateProfile.sync", started.handle)
    assert ended.output["FargateProfile"]["Status"] == "ACTIVE"

    started = start(
        invoker, "eks:deleteFargateProfile.sync", {"ClusterName": name, "FargateProfileName": "pods"}
    )
    ended = until_ended(invoker, "eks:deleteFargateProfile.sync", started.handle)
    assert ended.output == {"clusterName": name, "fargateProfileName": "pods"}  # gone: its names
    started = start(invoker, "eks:deleteNodegroup.sync", {"ClusterName": name, "NodegroupName": "workers"})
    until_ended(invoker, "eks:deleteNodegroup.sync", started.handle)
    started = start(invoker, "eks:deleteCluster.sync", {"Name": name})
    assert until_ended(invoker, "eks:deleteCluster.sync", started.handle).output == {"name": name}


@pytest.mark.parametrize(
    ("resource", "handle", "answer"),
    [
        ("eks:createCluster.sync", {"name": "c"}, {"cluster": {"name": "c", "status": "FAILED"}}),
        (
            "eks:createNodegroup.sync",
            {"clusterName": "c", "nodegroupName": "n"},
            {
                "nodegroup": {
                    "nodegroupName": "n",
                    "status": "CREATE_FAILED",
                    "health": {"issues": [{"code": "x"}]},
                }
            },
        ),
        (
            "eks:deleteFargateProfile.sync",
            {"clusterName": "c", "fargateProfileName": "p"},
            {"fargateProfile": {"fargateProfileName": "p", "status": "DELETE_FAILED"}},
        ),
    ],
)
def test_a_failed_status_fails_the_task(
    stand_in: StandIn, stand_in_invoker: AwsInvoker, resource: str, handle: dict[str, str], answer: dict
) -> None:
    stand_in.answer = answer
    ended = poll(stand_in_invoker, resource, handle)
    assert isinstance(ended, JobEnded) and ended.error == "States.TaskFailed"
    assert "Status" in next(iter(json.loads(ended.cause or "").values()))  # {Cluster: {...}}


# ---- eks:runJob ---------------------------------------------------------------------------------
JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"generateName": "pi-"},
    "spec": {
        "template": {"spec": {"containers": [{"name": "main", "image": "perl"}], "restartPolicy": "Never"}}
    },
}


@pytest.fixture
def kubernetes() -> Iterator[Kubernetes]:
    server = Kubernetes().start()
    yield server
    server.stop()


def run_job_params(kubernetes: Kubernetes, **more: object) -> dict[str, object]:
    return {"ClusterName": "prod", "Endpoint": kubernetes.url, "Namespace": "batch", "Job": JOB, **more}


def test_run_job_creates_the_job_through_the_api_server(
    k8s_invoker: AwsInvoker, kubernetes: Kubernetes
) -> None:
    created = call(k8s_invoker, "eks:runJob", run_job_params(kubernetes, Job=json.dumps(JOB)))
    assert created["metadata"]["name"] == "pi-x7k2p" and created["kind"] == "Job"
    method, path, authorization = kubernetes.seen[0]
    assert (method, path) == ("POST", "/apis/batch/v1/namespaces/batch/jobs")
    assert authorization is not None and authorization.startswith("Bearer k8s-aws-v1.")


def test_run_job_sync_follows_the_job_and_gathers_its_pods_logs(
    k8s_invoker: AwsInvoker, kubernetes: Kubernetes
) -> None:
    params = run_job_params(
        kubernetes, LogOptions={"RetrieveLogs": True, "LogParameters": {"tailLines": ["5"]}}
    )
    started = start(k8s_invoker, "eks:runJob.sync", params)
    assert started.output["metadata"]["name"] == "pi-x7k2p"
    assert isinstance(poll(k8s_invoker, "eks:runJob.sync", started.handle), JobRunning)
    ended = until_ended(k8s_invoker, "eks:runJob.sync", started.handle)
    assert ended.error is None
    assert ended.output["status"]["conditions"] == [{"type": "Complete", "status": "True"}]
    assert ended.output["logs"] == {
        "pods": {"pi-x7k2p-pod": {"containers": {"main": {"log": {"pi": 3.14159}}}}}
    }
    log_read = next(path for method, path, _ in kubernetes.seen if path.split("?")[0].endswith("/log"))
    assert "container=main" in log_read and "tailLines=5" in log_read


def test_a_failed_job_fails_the_task_and_raw_logs_stay_text(
    k8s_invoker: AwsInvoker, kubernetes: Kubernetes
) -> None:
    kubernetes.outcome, kubernetes.log = "Failed", "not json at all"
    params = run_job_params(kubernetes, LogOptions={"RetrieveLogs": True, "RawLogs": True})
    started = start(k8s_invoker, "eks:runJob.sync", params)
    ended = until_ended(k8s_invoker, "eks:runJob.sync", started.handle)
    assert ended.error == "States.TaskFailed"
    job = json.loads(ended.cause or "")
    assert job["status"]["conditions"][0]["type"] == "Failed"
    assert job["logs"]["pods"]["pi-x7k2p-pod"]["containers"]["main"] == {"log": "not json at all"}


# ---- eks:call -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api_server() -> Iterator[LocalServer]:
    running = LocalServer().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def k8s_invoker() -> Iterator[AwsInvoker]:
    """A loopback API server is outside the default allow-list: opened as --http-allow would."""
    invoker = AwsInvoker(AwsClients(REGION, {}, **FAKE_CREDENTIALS), AllowList.parse("127.0.0.1"))
    yield invoker
    invoker.close()


def test_a_kubernetes_call_sends_an_iam_token_and_answers_the_response(
    k8s_invoker: AwsInvoker, api_server: LocalServer
) -> None:
    api_server.state.reset()
    output = call(
        k8s_invoker,
        "eks:call",
        {
            "ClusterName": "prod",
            "Endpoint": api_server.base,
            "Method": "GET",
            "Path": "/mirror",
            "QueryParameters": {"labelSelector": ["app=web"]},
        },
    )
    assert output["StatusCode"] == 200 and output["StatusText"] == "OK" and "Headers" in output
    assert output["ResponseBody"]["query"] == "labelSelector=app%3Dweb"
    token = output["ResponseBody"]["headers"]["Authorization"].removeprefix("Bearer k8s-aws-v1.")
    presigned = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    assert urlsplit(presigned).netloc == f"sts.{REGION}.amazonaws.com"
    signed = parse_qs(urlsplit(presigned).query)
    assert signed["Action"] == ["GetCallerIdentity"] and "x-k8s-aws-id" in signed["X-Amz-SignedHeaders"][0]


def test_a_kubernetes_error_is_eks_and_its_status(k8s_invoker: AwsInvoker, api_server: LocalServer) -> None:
    with pytest.raises(TaskError) as failed:
        call(
            k8s_invoker,
            "eks:call",
            {
                "ClusterName": "prod",
                "Endpoint": api_server.base,
                "Method": "POST",
                "Path": "/status/401",
                "RequestBody": {"kind": "Job"},
            },
        )
    assert failed.value.error == "EKS.401"
    assert json.loads(failed.value.cause) == {
        "ResponseBody": {"error": "status 401"},
        "StatusCode": 401,
        "StatusText": "Unauthorized",
    }
    assert json.loads(api_server.state.seen[-1].body) == {"kind": "Job"}


def test_the_endpoint_goes_through_the_allow_list(invoker: AwsInvoker, api_server: LocalServer) -> None:
    with pytest.raises(TaskError) as refused:
        call(
            invoker,
            "eks:call",
            {"ClusterName": "prod", "Endpoint": api_server.base, "Method": "GET", "Path": "/"},
        )
    assert refused.value.error == "States.Permissions"
