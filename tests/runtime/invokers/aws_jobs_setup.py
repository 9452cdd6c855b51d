"""What the .sync tests need in moto before a job can start: a Batch queue and job definition, a
Glue job, an ECS cluster with a Fargate task definition and a subnet, a CodeBuild project, an EMR
Serverless application. Each helper creates its resources under fresh names and returns what a
task's parameters need."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import boto3

from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION

ROLE = "arn:aws:iam::123456789012:role/stepwell-jobs"


def client(moto_url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=moto_url, region_name=REGION, **FAKE_CREDENTIALS)


def _moto_api(moto_url: str, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{moto_url}/moto-api/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def without_docker(moto_url: str) -> None:
    """moto runs Batch jobs in Docker unless told not to; then a job goes a status further at
    each DescribeJobs, to SUCCEEDED."""
    _moto_api(moto_url, "config", {"batch": {"use_docker": False}})


def hold_ecs_tasks(moto_url: str) -> None:
    """moto moves an ECS task a status further at each DescribeTasks, to STOPPED; held, a task
    stays RUNNING until StopTask, as a real service's task does."""
    transition = {"progression": "manual", "times": 10**9}
    _moto_api(moto_url, "state-manager/set-transition", {"model_name": "ecs::task", "transition": transition})


def role(moto_url: str) -> str:
    """A role in moto's IAM (Batch checks that its service role exists)."""
    iam = client(moto_url, "iam")
    name = _name("role")
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"])


def _name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def batch_queue(moto_url: str) -> dict[str, str]:
    """``{"JobQueue", "JobDefinition"}`` of a fresh queue and definition."""
    without_docker(moto_url)
    batch = client(moto_url, "batch")
    environment = batch.create_compute_environment(
        computeEnvironmentName=_name("env"), type="UNMANAGED", state="ENABLED", serviceRole=role(moto_url)
    )["computeEnvironmentArn"]
    queue = batch.create_job_queue(
        jobQueueName=_name("queue"),
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}],
    )["jobQueueArn"]
    definition = batch.register_job_definition(
        jobDefinitionName=_name("def"),
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": ["true"]},
    )["jobDefinitionArn"]
    return {"JobQueue": queue, "JobDefinition": definition}


def glue_job(moto_url: str) -> str:
    name = _name("job")
    client(moto_url, "glue").create_job(
        Name=name, Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/job.py"}
    )
    return name


def ecs_task(moto_url: str) -> dict[str, Any]:
    """RunTask parameters (PascalCase, as a Task writes them) for a task on a cluster with one
    container instance: moto keeps it RUNNING until someone calls StopTask. (A Fargate task is the
    same call with ``LaunchType: FARGATE``; moto 5.2 answers it with a 500, a bug of its awsvpc
    networking, so the tests use the EC2 launch type.)"""
    hold_ecs_tasks(moto_url)
    ec2 = client(moto_url, "ec2")
    ecs = client(moto_url, "ecs")
    cluster = ecs.create_cluster(clusterName=_name("cluster"))["cluster"]["clusterArn"]
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    identity = {"instanceId": instance["InstanceId"], "region": REGION, "accountId": "123456789012"}
    ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=json.dumps(identity))
    family = _name("family")
    ecs.register_task_definition(
        family=family, containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64}]
    )
    return {"Cluster": cluster, "TaskDefinition": family}


def training_job() -> dict[str, Any]:
    return {
        "TrainingJobName": _name("train"),
        "AlgorithmSpecification": {"TrainingImage": "image", "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": "s3://models/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }


def emr_application(moto_url: str) -> str:
    return str(
        client(moto_url, "emr-serverless").create_application(
            name=_name("app"), releaseLabel="emr-6.6.0", type="SPARK"
        )["applicationId"]
    )


def codebuild_project(moto_url: str) -> str:
    """A project: moto's builds are IN_PROGRESS, then SUCCEEDED at the next BatchGetBuilds."""
    name = _name("project")
    client(moto_url, "codebuild").create_project(
        name=name,
        source={"type": "S3", "location": "sources/app.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "image", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole=ROLE,
    )
    return name


def emr_cluster_params() -> dict[str, Any]:
    """createCluster parameters (RunJobFlow's, PascalCase) for a cluster that stays up when it has
    no steps, with a named task instance group for modifyInstanceGroupByName."""
    return {
        "Name": _name("cluster"),
        "ReleaseLabel": "emr-6.15.0",
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
        "Instances": {
            "KeepJobFlowAliveWhenNoSteps": True,
            "InstanceGroups": [
                {"Name": "main", "InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1},
                {"Name": "workers", "InstanceRole": "CORE", "InstanceType": "m5.xlarge", "InstanceCount": 2},
            ],
        },
    }
